"""A disk that will not take what the build writes: full (ENOSPC), over a quota (EDQUOT),
read-only (EROFS) or not ours to write (EACCES, EPERM). The build stops with one line that
names the folder and says what to do (exit 2, like any other unusable output folder),
never a traceback. The writers have by then put everything back: an error while writing
the site abandons the staged tree or the in-place update (the previous site stays as it
was), and their scratch files are removed.

A write that fails (`write()`, `flush()`) carries no file name, so the build says which
folder it is writing into (`target`) before it writes there; a name the error does carry
decides when it points into a known folder.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

from .messages import N_, _
from .problems import UsageError

# errno -> (what happened, what to do); {what} is the folder's kind, {path} the folder.
_DISK = {
    errno.ENOSPC: N_("no space left on the disk of the {what} {path}: free some space there "
                     "(or choose another folder with {option}), then build again"),
    errno.EDQUOT: N_("disk quota exceeded for the {what} {path}: free some of your space there "
                     "or ask for a larger quota, then build again"),
    errno.EROFS: N_("the {what} {path} is on a read-only file system: choose a writable folder "
                    "({option}) or make that disk writable, then build again"),
    errno.EACCES: N_("no permission to write into the {what} {path}: give yourself write "
                     "permission there or choose another folder ({option}), then build again"),
    errno.EPERM: N_("the system does not allow writing into the {what} {path}: choose another "
                    "folder ({option}) or fix its permissions, then build again"),
}
FOLDERS = {"output": (N_("output folder"), "--output"), "cache": (N_("cache folder"), "--cache-dir")}
KEPT = N_("the previous site was left as it was")
NOTHING = N_("nothing was written")
BUILT = N_("the site was built, but its build cache was not saved (the next build starts from scratch)")

_targets: dict = {}  # kind -> folder, for the build under way
_now = {"kind": None, "committed": False}  # the folder being written now; the site swapped in


def reset() -> None:
    _targets.clear()
    _now.update(kind=None, committed=False)


def known(kind: str, folder: Path | None) -> None:
    """A folder the build may write into (kind: output, cache)."""
    if folder is not None:
        _targets[kind] = Path(folder)


def target(kind: str, folder: Path | None, committed: bool = False) -> None:
    """The build is about to write into `folder`; `committed`: the new site is in place."""
    known(kind, folder)
    _now.update(kind=kind, committed=committed)


def is_disk_error(exc: BaseException) -> bool:
    return isinstance(exc, OSError) and exc.errno in _DISK


def _inside(path: str, folder: Path) -> bool:
    p = os.path.abspath(path)
    f = os.path.abspath(folder)
    # The output's scratch and staged folders live beside it, named .<name>.<kind>-<pid>.
    beside = os.path.join(os.path.dirname(f), "." + os.path.basename(f) + ".")
    return p == f or p.startswith(f + os.sep) or p.startswith(beside)


def which(exc: OSError) -> str | None:
    """The kind of folder the error is about."""
    for name in (exc.filename, exc.filename2):
        if isinstance(name, (str, bytes, os.PathLike)):
            name = os.fsdecode(name)
            for kind, folder in _targets.items():
                if _inside(name, folder):
                    return kind
    return _now["kind"]


def message(exc: OSError, kind: str | None = None, folder: Path | None = None) -> str:
    """One line: what happened to which folder, what to do, and what became of the site."""
    kind = kind or which(exc) or "output"
    if folder is None:
        folder = _targets.get(kind)
    if folder is None and exc.filename:
        folder = Path(os.fsdecode(exc.filename)).parent
    what, option = FOLDERS.get(kind, FOLDERS["output"])
    text = _(_DISK[exc.errno]).format(what=_(what), path=folder, option=option)
    if _now["committed"]:
        outcome = BUILT
    elif kind == "output" and folder is not None and not os.path.isdir(folder):
        outcome = NOTHING
    else:
        outcome = KEPT
    return f"{text}; {_(outcome)}"


class DiskError(UsageError):
    """A disk problem, told in one line (exit 2)."""


def as_usage_error(exc: OSError, kind: str | None = None, folder: Path | None = None) -> DiskError:
    return DiskError(message(exc, kind, folder))
