"""Is this artifact current? Every such decision of an incremental build is made here, from
what the previous build recorded (cache.py), the way Lektor's builder keeps its build state:
an artifact is current when what it was made from is unchanged.

- A **source** is current when its size and modification time are those recorded, and its
  validation context, Markdown engine and raw-HTML setting too: its record, problems and
  model object are then reused without reading the file. (Same bytes under a new time are
  read again and give the same digests, so nothing downstream changes.)
- An **output** is current when the digest of everything it is made from (templates,
  site-wide globals, context; see render.py) is the one recorded, and the file in the
  output folder is still as it was written (size and time). It is then kept, not rendered.
- A **search part** is current when its pages' bytes are those it was indexed from, and
  every file of its bundle is current as an output.
- The **output folder** is the one the cache describes when the marker file written with
  it is still the same; otherwise nothing recorded about outputs is trusted.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from . import cache
from .writer import MARKER


def marker(output: Path | None) -> tuple | None:
    """Identity of an output folder's generation: every fresh tree writes a new marker.
    (Its time, not its inode: a folder restored from a CI cache keeps its times.)"""
    if output is None:
        return None
    try:
        st = os.stat(output / MARKER)
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size)


def trust_outputs(state: cache.CacheState, output: Path | None) -> None:
    """Forget what the state says about outputs unless it describes `output` as it is
    (a build without the cache, or into another folder, happened in between)."""
    if output is None or state.output_dir != str(output) or state.marker != marker(output):
        state.outputs, state.search_parts = {}, {}


def cached_source(state: cache.CacheState, src, ctx_key: str | None, engine: str, raw: bool) -> tuple | None:
    """(key, doc, record, problems, model object) recorded for a current source, or None."""
    stat = state.stats.get(src.rel)
    entity = state.entities.get(src.rel)
    if not (stat and entity and stat.size == src.size and stat.mtime_ns == src.mtime_ns):
        return None
    key, doc, record, found = entity
    obj = state.objects.get(key) if record is not None else None
    if key != (stat.digest, ctx_key, engine, raw, src.rel) or (record is not None and obj is None):
        return None
    return key, doc, record, found, obj


def output_current(state: cache.CacheState, rel: str, digest: str, output: Path | None) -> bool:
    """The previous build wrote `rel` from the same digest and the file is still as written."""
    old = state.outputs.get(rel)
    if output is None or not old or old.digest != digest:
        return False
    try:
        st = os.lstat(os.path.join(output, rel))
    except OSError:
        return False
    return stat.S_ISREG(st.st_mode) and st.st_size == old.size and st.st_mtime_ns == old.mtime_ns


def search_part_current(state: cache.CacheState, part_digest: str, output: Path | None) -> list | None:
    """The files of a current search part, or None."""
    files = state.search_parts.get(part_digest)
    if not files or not all(output_current(state, rel, "search:" + part_digest, output) for rel in files):
        return None
    return files


def nothing_changed(state: cache.CacheState, new: cache.CacheState, output: Path) -> bool:
    """Whether a finished build left the cache's knowledge as it was (then it is not saved)."""
    return (
        new.outputs == state.outputs and new.assets == state.assets and new.search_parts == state.search_parts
        and new.contents == state.contents and new.stats == state.stats and state.marker == marker(output)
        and len(new.objects) == len(state.objects) and len(new.entities) == len(state.entities)
        and all(state.entities.get(rel, (None,))[0] == e[0] for rel, e in new.entities.items())
    )
