"""The cyclic garbage collector, tuned to a build's two phases.

Loading the cache, the model and the route table makes many long-lived objects and few
reference cycles: the collector only slows that down (by a third), so it is paused.
Rendering makes short-lived objects, some in cycles: the collector runs again, but what
exists by then (the model, the cache) is frozen, so it is never scanned, and forked
workers never copy its pages by touching it.

    with gctune.Phases() as phases:
        ... load ...
        phases.render()
        ... render ...
"""

from __future__ import annotations

import gc


class Phases:
    def __enter__(self) -> "Phases":
        self.collecting = gc.isenabled()
        gc.disable()
        return self

    def render(self) -> None:
        gc.freeze()
        if self.collecting:
            gc.enable()

    def __exit__(self, *exc) -> None:
        gc.unfreeze()
        if self.collecting:
            gc.enable()
