"""The persistent build cache: per source its stat and content hash, its validated record,
the problems found in it and its model object (with the rendered Markdown); per output
the digest of everything it was rendered from.

The cache is only an accelerator: a missing, stale or unreadable cache gives the same
site, just more slowly (tests compare incremental builds with clean ones byte for byte).

On disk: `state.pickle` (stats, output digests: small enough to save on every build) and
`objects/NN.pickle`, per source its validated record, problems and model object (Series,
Program, Page, each holding its rendered Markdown), spread over shards by content hash,
so that editing one series rewrites one small shard.

A cached document keeps its kind, path, content hash and the lines of its top-level
fields (`doc_tuple`, `document`); its front matter lives on in the validated record.
"""

from __future__ import annotations

import os
import pickle
import sys
from dataclasses import dataclass, field
from pathlib import Path

import jinja2

from . import ENGINE_VERSION

SHARDS = 64


def _engine_signature() -> str:
    """A hash of the engine's own code, so that a cache written by other code is never
    trusted. Contents, not file times: a fresh checkout of the same code (CI restoring
    its cache) keeps using the cache."""
    import hashlib

    here = Path(__file__).resolve().parent
    h = hashlib.blake2b(digest_size=16)
    try:
        for entry in sorted(os.scandir(here), key=lambda e: e.name):
            if entry.name.endswith(".py"):
                h.update(entry.name.encode() + b"\0")
                with open(entry.path, "rb") as fh:
                    h.update(fh.read())
    except OSError:
        h.update(b"unreadable")
    return h.hexdigest()


FORMAT = (
    f"sitegen-cache/{ENGINE_VERSION}/py{sys.version_info.major}.{sys.version_info.minor}"
    f"/jinja{jinja2.__version__}/{_engine_signature()}"
)


@dataclass
class CacheState:
    stats: dict = field(default_factory=dict)  # source rel path -> (size, mtime_ns, digest)
    # source rel path -> (key, doc_tuple or None, record or None, [Problem]); key is
    # (digest, validation context digest, markdown engine, raw_html, source rel path)
    entities: dict = field(default_factory=dict)
    objects: dict = field(default_factory=dict)  # entity key -> model object
    outputs: dict = field(default_factory=dict)  # output rel path -> (digest, size, mtime_ns)
    output_dir: str = ""
    marker: tuple | None = None  # (mtime, size) of the output folder's marker file
    search_parts: dict = field(default_factory=dict)  # search part digest -> its output files
    contents: dict = field(default_factory=dict)  # page the search index reads -> digest of its bytes
    closures: tuple = ()  # (template hashes, closures) of the last build
    assets: dict = field(default_factory=dict)  # source path -> (size, mtime_ns, digest)
    shard_keys: dict = field(default_factory=dict, repr=False)  # shard -> keys as loaded
    closures_changed: bool = False  # set during a build: the template closures were redone


def doc_tuple(doc) -> tuple:
    """What the cache keeps of a parsed document."""
    lines = {k: v for k, v in doc.lines.items() if len(k) <= 1}
    return (doc.kind, doc.path, lines, doc.body_line, doc.digest)


def document(t: tuple):
    from .load import Document

    kind, path, lines, body_line, digest = t
    return Document(kind, path, {}, lines, "", body_line, digest)


def shard_of(key: tuple) -> int:
    return int(key[0][:4], 16) % SHARDS if key and isinstance(key[0], str) and len(key[0]) >= 4 else 0


def _objects_dir(path: Path) -> Path:
    return path.parent / "objects"


# The state this process last saved (or found unchanged), by cache file: a long-running
# process (the preview server) need not read back what it has just written. Taken out on
# load, so a build that fails half-way never leaves a half-updated state behind.
_MEMORY: dict = {}


def _signature(path: Path) -> tuple | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns, FORMAT)


def remember(path: Path | None, state: CacheState) -> None:
    if path is not None:
        sig = _signature(path)
        if sig is not None:
            _MEMORY[str(path)] = (sig, state)


def load(path: Path | None) -> CacheState:
    if path is None or not path.is_file():
        return CacheState()
    kept = _MEMORY.pop(str(path), None)
    if kept is not None and kept[0] == _signature(path):
        return kept[1]
    try:
        with open(path, "rb") as fh:
            fmt, state = pickle.load(fh)
        if fmt != FORMAT or not isinstance(state, CacheState):
            return CacheState()
    except Exception:  # a damaged cache is ignored, never fatal
        return CacheState()
    state.entities, state.objects, state.shard_keys = {}, {}, {}
    folder = _objects_dir(path)
    for n in range(SHARDS):
        f = folder / f"{n:02d}.pickle"
        try:
            with open(f, "rb") as fh:
                fmt, part = pickle.load(fh)
            if fmt != FORMAT or not isinstance(part, dict):
                continue
            for key, (rel, entity, obj) in part.items():
                state.entities[rel] = entity
                if obj is not None:
                    state.objects[key] = obj
        except Exception:  # a missing or damaged shard: its sources are read again
            continue
        state.shard_keys[n] = frozenset(part)
    return state


def _write(path: Path, payload) -> None:
    tmp = path.with_name(path.name + f".tmp-{os.getpid()}")
    with open(tmp, "wb") as fh:
        pickle.dump(payload, fh, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(tmp, path)


def save(path: Path | None, state: CacheState) -> None:
    """Write the state; only the shards whose contents changed are rewritten (what a shard
    holds for a key is a function of the key)."""
    if path is None:
        return
    folder = _objects_dir(path)
    folder.mkdir(parents=True, exist_ok=True)
    shards: dict = {n: {} for n in range(SHARDS)}
    for rel, entity in state.entities.items():
        key = entity[0]
        shards[shard_of(key)][key] = (rel, entity, state.objects.get(key))
    for n, part in shards.items():
        keys = frozenset(part)
        if state.shard_keys.get(n) == keys:
            continue
        _write(folder / f"{n:02d}.pickle", (FORMAT, part))
        state.shard_keys[n] = keys
    entities, objects, shard_keys = state.entities, state.objects, state.shard_keys
    state.entities, state.objects, state.shard_keys, state.closures_changed = {}, {}, {}, False
    try:
        _write(path, (FORMAT, state))
    finally:
        state.entities, state.objects, state.shard_keys = entities, objects, shard_keys
    remember(path, state)


def invalidate(path: Path | None) -> None:
    """Forget the state before the output folder is changed in place: if the update is
    interrupted, the next build starts from scratch instead of trusting stale digests."""
    if path is None:
        return
    _MEMORY.pop(str(path), None)
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
