"""A test hook: the named moments of a build where the tests kill it.

With SITEGEN_TEST_KILL_AT=<name> in the environment, a build kills itself with SIGKILL
when it reaches the moment of that name (as a crash, a power cut or the out-of-memory
killer would), so that the tests can check what a build killed there leaves behind
(tests/test_kills.py, tests/test_hostile_repo.py). The names are the build's phases
(pipeline.Timer marks) and the steps of the output trees (writer.py). Without the
variable, a checkpoint does nothing.
"""

from __future__ import annotations

import os
import signal


def checkpoint(name: str, build: int | None = None) -> None:
    """Kill the build here when the tests ask for `name`. A worker process passes the
    build's process id: the build is killed, not the worker."""
    if os.environ.get("SITEGEN_TEST_KILL_AT") == name:
        os.kill(build or os.getpid(), signal.SIGKILL)
