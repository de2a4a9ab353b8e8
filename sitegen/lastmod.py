"""When each source last changed: the time of the last git commit that touched it.

The Atom feed's <updated>, the sitemap's <lastmod> and the calendar's LAST-MODIFIED and
DTSTAMP come from here, as Hugo's `enableGitInfo` takes `lastmod` from git. The whole
history is read in one `git log` pass (not one process per file):

    git log --no-merges --no-renames --name-only -z --format=<hash> <committer time>

and each path keeps the newest committer time among the commits that touched it (and the
oldest: when it was first published, for the feed's <published>). The
committer time, not the author time: a change rebased or cherry-picked onto the main
branch reaches the site when it is committed there.

Deterministic fallbacks, so that the same sources always give the same files:
- a file git does not know (outside a repository, git not installed, an untracked new
  file) has no commit time: `SOURCE_DATE_EPOCH` stands in when it is set, else the caller
  uses a date from the content itself (a series' own date, for instance);
- in a shallow clone the oldest fetched commits list every file as added, so what they
  say is ignored (the publishing workflow fetches the whole history);
- a file changed but not committed keeps the time of its last commit, as in Hugo.

Git runs with the repository's own settings but with no pager, no external diff or
text conversion, no optional locks and no GIT_* variables from the environment (a build
started inside a git hook must not read another repository).
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from . import stopping
from .gather import epoch_seconds

GIT_TIMEOUT = 120  # seconds; the log of a 20,000-file history takes well under one


@dataclass(frozen=True)
class History:
    """Commit times of the sources (path relative to the project root -> seconds since
    1970 of its newest and of its oldest commit) and the SOURCE_DATE_EPOCH fallback."""

    times: dict = field(default_factory=dict)
    first: dict = field(default_factory=dict)
    epoch: int | None = None

    def seconds(self, rel: str) -> int | None:
        found = self.times.get(rel)
        return found if found is not None else self.epoch

    def of(self, rel: str) -> dt.datetime | None:
        """When the source at `rel` last changed (UTC), or None when nothing says."""
        seconds = self.seconds(rel)
        return None if seconds is None else dt.datetime.fromtimestamp(seconds, tz=dt.timezone.utc)

    def first_of(self, rel: str) -> dt.datetime | None:
        """When the source at `rel` was first committed (UTC), or the fallback."""
        found = self.first.get(rel)
        seconds = found if found is not None else self.epoch
        return None if seconds is None else dt.datetime.fromtimestamp(seconds, tz=dt.timezone.utc)

    def newest(self, rels) -> dt.datetime | None:
        """The latest change among `rels` (UTC), or None when none of them has a time."""
        found = [s for s in (self.seconds(r) for r in rels) if s is not None]
        return dt.datetime.fromtimestamp(max(found), tz=dt.timezone.utc) if found else None


def _environment() -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update({"GIT_OPTIONAL_LOCKS": "0", "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"})
    return env


def _git(root: Path, *args: str) -> bytes | None:
    command = ["git", "-C", str(root), "-c", "core.quotepath=off", "-c", "log.showSignature=false", "--no-pager", *args]
    try:
        # Remembered by stopping.py: the preview reads the history in a background thread
        # and must not leave a git behind when it is told to stop (end_programs()).
        proc = stopping.start_program(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                      stderr=subprocess.DEVNULL, env=_environment())
    except OSError:  # git not installed, or the preview stopping
        return None
    try:
        out, _err = proc.communicate(timeout=GIT_TIMEOUT)
    except subprocess.SubprocessError:
        proc.kill()
        proc.communicate()
        return None
    except BaseException:  # a build told to stop (stopping.Stopped): no git left behind
        proc.kill()
        proc.wait()
        raise
    finally:
        stopping.program_done(proc)
    return out if proc.returncode == 0 else None


def _shallow_commits(root: Path) -> frozenset:
    out = _git(root, "rev-parse", "--git-path", "shallow")
    if not out:
        return frozenset()
    path = Path(out.decode("utf-8", "surrogateescape").strip())
    if not path.is_absolute():
        path = root / path
    try:
        return frozenset(path.read_text(encoding="ascii").split())
    except (OSError, UnicodeDecodeError):
        return frozenset()


def parse_log(data: bytes, skip: frozenset = frozenset()) -> tuple[dict, dict]:
    """(path -> newest commit time, path -> oldest), from the output of the `git log`
    above. Each commit is "\\x01<hash> <time>\\0\\n" followed by "<path>\\0" for every
    file it touched."""
    times: dict = {}
    first: dict = {}
    for record in data.split(b"\x01")[1:]:
        head, _, names = record.partition(b"\0")
        commit, _, stamp = head.decode("ascii", "replace").partition(" ")
        if commit in skip or not stamp.strip().isdigit():
            continue
        seconds = int(stamp)
        for raw in names.split(b"\0"):
            name = raw.strip(b"\n").decode("utf-8", "surrogateescape")
            if name:
                if seconds > times.get(name, -1):
                    times[name] = seconds
                if seconds < first.get(name, seconds + 1):
                    first[name] = seconds
    return times, first


def read(root: Path) -> History:
    """The commit times of every file under `root` (paths relative to it)."""
    epoch = epoch_seconds(os.environ.get("SOURCE_DATE_EPOCH"))
    out = _git(root, "log", "--no-merges", "--no-renames", "--no-ext-diff", "--no-textconv",
               "--relative", "--name-only", "-z", "--format=%x01%H %ct", "--", ".")
    if out is None:
        return History({}, {}, epoch)
    times, first = parse_log(out, _shallow_commits(root) if b"\x01" in out else frozenset())
    return History(times, first, epoch)
