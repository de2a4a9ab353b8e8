"""The persistent build cache: per source its stat and content hash, its validated record,
the problems found in it and its model object (with the rendered Markdown); per output
the digest of everything it was rendered from.

The cache is only an accelerator: a missing, stale or unreadable cache gives the same
site, just more slowly (tests compare incremental builds with clean ones byte for byte).

**Data, not code.** Every cache file is JSON: plain values, with dates, times, tuples and
the few model classes (`CLASSES`) written as tagged values and rebuilt by calling those
classes with plain values. Nothing read back can name a function or a class outside that
list, so a cache file can never run code (pickle and marshal, which can, are not used;
compiled templates are not kept between builds for the same reason). Each file starts
with a header line naming the format, the engine's code hash (`FORMAT`) and a digest of
the payload; a file that is truncated, damaged, written by other code or edited by hand
fails that check and is ignored, and what it held is computed again.

On disk, in `.cache/sitegen/`: `state.json` (stats, output digests: small enough to save
on every build) and `objects/NN.json`, per source its validated record, problems and model
object, spread over shards by content hash, so that editing one series rewrites one small
shard.

Every value is a named record (`RECORDS`): a source's `Stat` and `SourceEntry` (its
`SourceKey`, `DocRecord`, validated record and problems), an output's `Written`, the
output folder's `Marker`, the templates' `Closures`. Changing a record changes the
engine's signature, so a cache of an older shape is dropped, never misread.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import gc
import hashlib
import json
import os
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import jinja2

from . import ENGINE_VERSION, model
from .load import Document
from .problems import Problem

SHARDS = 64
MAGIC = b"sitegen-cache json 2\n"  # 2: named records (older caches are dropped, not read)
STATE_FILE = "state.json"
PACKAGE = Path(__file__).resolve().parent


def _engine_signature(package: Path = PACKAGE) -> str:
    """A hash of the engine's own files, so that a cache written by other code is never
    trusted: every file of the package, in every subfolder, code and data alike (the
    message catalogs, the fonts of the share images), by relative path and contents.
    Contents, not file times: a fresh checkout of the same code (CI restoring its cache)
    keeps using the cache. Python's bytecode caches are left out (they are made from the
    sources, by whichever Python runs)."""
    h = hashlib.blake2b(digest_size=16)
    try:
        files = sorted(
            path.relative_to(package).as_posix() for path in package.rglob("*")
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
        )
        for rel in files:
            h.update(rel.encode() + b"\0")
            with open(package / rel, "rb") as fh:
                h.update(fh.read())
            h.update(b"\0")
    except OSError:
        h.update(b"unreadable")
    return h.hexdigest()


FORMAT = (
    f"sitegen-cache/{ENGINE_VERSION}/py{sys.version_info.major}.{sys.version_info.minor}"
    f"/jinja{jinja2.__version__}/{_engine_signature()}"
)


class Stat(NamedTuple):
    """A source (or static) file as last read."""

    size: int
    mtime_ns: int
    digest: str  # of its bytes


class SourceKey(NamedTuple):
    """Everything a source's record, problems and model object are made from."""

    digest: str  # of the file's bytes
    context: str | None  # digest of the validation context (channels, program slugs) and the messages' language
    engine: str  # the Markdown engine
    raw_html: bool
    rel: str


class Written(NamedTuple):
    """An output file as written."""

    digest: str  # of everything it was made from ("asset:..." for copies, "search:..." for the index)
    size: int
    mtime_ns: int
    # A page or data output: the digest of what it was made from with each series by its
    # outline (render.Renderer.route_outline_digest), and the paths of the series whose
    # body rendering it read, joined by NUL (a string, not a tuple: most are empty, and a
    # tuple is a tagged value in the file); its digest is made from these (pipeline.made_digest).
    outline: str = ""
    reads: str = ""

    def read_paths(self) -> tuple:
        return tuple(self.reads.split("\0")) if self.reads else ()


class Marker(NamedTuple):
    """The output folder's marker file as the tree that wrote it left it (writer.MARKER)."""

    mtime_ns: int
    size: int


class DocRecord(NamedTuple):
    """What the cache keeps of a parsed document: enough to point at its lines. Its
    front matter lives on in the validated record, its body in the model object."""

    kind: str
    path: str
    lines: dict  # top-level field name (None for the document itself) -> line
    body_line: int
    digest: str

    @classmethod
    def of(cls, doc: Document) -> "DocRecord":
        # By name, not by key path: a tuple would be a tagged value each (cache.to_data),
        # and these are most of the values a cache file holds.
        return cls(doc.kind, doc.path, {(k[0] if k else None): v for k, v in doc.lines.items() if len(k) <= 1}, doc.body_line,
                   doc.digest)

    def document(self) -> Document:
        return Document(self.kind, self.path, {}, {(() if k is None else (k,)): v for k, v in self.lines.items()}, "", self.body_line,
                        self.digest)


class SourceEntry(NamedTuple):
    """What reading a source gave, as of its key."""

    key: SourceKey
    doc: DocRecord | None  # None: it could not be parsed
    record: dict | None  # the validated front matter; None: it did not validate
    problems: list  # [Problem] found in it


class CachedSource(NamedTuple):
    """One source in an objects shard: its entry and its model object (None without a record)."""

    rel: str
    entry: SourceEntry
    obj: object


class Closures(NamedTuple):
    """Which templates each template can load, and the templates they were found in."""

    templates: tuple  # ((name, hash of its bytes), ...)
    closures: dict  # template name -> names of every template it can load


@dataclass
class CacheState:
    """What a build recorded, for the next one (buildstate.py reads and fills it)."""

    stats: dict = field(default_factory=dict)  # source rel path -> Stat
    entities: dict = field(default_factory=dict)  # source rel path -> SourceEntry
    objects: dict = field(default_factory=dict)  # SourceKey -> model object
    outputs: dict = field(default_factory=dict)  # output rel path -> Written
    output_dir: str = ""
    marker: Marker | None = None  # of the output folder these outputs are in
    search_parts: dict = field(default_factory=dict)  # search part digest -> its output files
    search_slices: dict = field(default_factory=dict)  # search slice digest -> sha256 of its kept file
    contents: dict = field(default_factory=dict)  # page the search index reads -> digest of its bytes
    closures: Closures | None = None  # of the last build's templates
    assets: dict = field(default_factory=dict)  # static source path -> Stat
    plan_key: str = ""  # digest of everything the outputs were planned from (pipeline._plan_key)
    outline_key: str = ""  # the same, with each series by its outline (pipeline._outline_key)
    shard_keys: dict = field(default_factory=dict, repr=False)  # shard -> keys as on disk


# What state.json holds (the entities and objects are in the shards).
_STATE_FIELDS = ("stats", "outputs", "output_dir", "marker", "search_parts", "search_slices", "contents", "closures",
                 "assets", "plan_key", "outline_key")


def shard_of(key: SourceKey) -> int:
    return int(key.digest[:4], 16) % SHARDS


# ---- plain data -----------------------------------------------------------------------------

# The only classes a cache file may name; each is rebuilt from its fields' values.
RECORDS = (Stat, SourceKey, Written, Marker, DocRecord, SourceEntry, CachedSource, Closures)
CLASSES = {cls.__name__: cls for cls in (model.Tag, model.Program, model.Series, model.Page, Problem) + RECORDS}
_FIELDS = {
    name: cls._fields if cls in RECORDS else tuple(f.name for f in dataclasses.fields(cls))
    for name, cls in CLASSES.items()
}


def to_data(v):
    """A value as JSON-ready plain data. Strings, numbers, booleans, null and lists are
    themselves; everything else is a one-key object naming its kind (tuples, dicts, dates,
    times) or a class object or named record ({"c": name, "v": fields}). So every JSON object in a cache
    file is a tag, and reading it back (`from_json`) is one pass of the C JSON parser with
    a hook per tag, not a Python call per value."""
    t = type(v)
    if t is str or t is int or t is bool or v is None or t is float:
        return v
    if t is list:
        return [to_data(x) for x in v]
    if t is tuple:
        return {"t": [to_data(x) for x in v]}
    if t is dict:
        return {"d": [[to_data(k), to_data(x)] for k, x in v.items()]}
    if t is dt.date:
        return {"date": v.isoformat()}
    if t is dt.time:
        return {"time": v.isoformat()}
    if t is dt.datetime:
        return {"datetime": v.isoformat()}
    name = t.__name__
    if CLASSES.get(name) is t:
        return {"c": name, "v": [to_data(getattr(v, f)) for f in _FIELDS[name]]}
    raise TypeError(f"cannot cache a {name}")


_TIMES = {"date": dt.date.fromisoformat, "time": dt.time.fromisoformat, "datetime": dt.datetime.fromisoformat}


_ARITY = {name: len(fields) for name, fields in _FIELDS.items()}


def _tagged(pairs: list):
    """The value of one tag object, from its (key, value) pairs as the JSON parser gives
    them (innermost first; no dict is made for the tag itself); raises ValueError on
    anything to_data does not write."""
    if len(pairs) == 1:
        tag, body = pairs[0]
        t = type(body)
        if tag == "t":
            if t is list:
                return tuple(body)
        elif tag == "d":
            if t is list:
                try:
                    return dict(body)
                except TypeError:  # a key that cannot be one (a list)
                    raise ValueError("unexpected value") from None
        elif t is str:
            parse = _TIMES.get(tag)
            if parse is not None:
                return parse(body)
    elif len(pairs) == 2:
        (first, name), (second, fields) = pairs
        if first == "c" and second == "v" and type(name) is str:
            cls = CLASSES.get(name)
            if cls is not None and type(fields) is list and len(fields) == _ARITY[name]:
                return cls(*fields)
    raise ValueError("unexpected value")


def from_json(payload: bytes | str):
    """The inverse of to_data, from JSON text; raises ValueError on anything to_data does
    not write."""
    return json.loads(payload, object_pairs_hook=_tagged)


def _digest(payload: bytes) -> str:
    return hashlib.blake2b(payload, digest_size=32, person=b"sitegen-cache").hexdigest()


def encode_file(kind: str, value) -> bytes:
    payload = json.dumps(to_data(value), ensure_ascii=False, separators=(",", ":")).encode("utf-8", "surrogatepass")
    header = {"format": FORMAT, "kind": kind, "length": len(payload), "blake2b": _digest(payload)}
    return MAGIC + json.dumps(header, separators=(",", ":")).encode() + b"\n" + payload


def decode_file(kind: str, data: bytes):
    """The value in a cache file, or ValueError when it is not one this code wrote for
    `kind`: wrong magic, format or kind, wrong length, wrong digest, or bad data."""
    if not data.startswith(MAGIC):
        raise ValueError("not a cache file")
    end = data.find(b"\n", len(MAGIC), len(MAGIC) + 4096)
    if end < 0:
        raise ValueError("no header")
    header = json.loads(data[len(MAGIC) : end])
    payload = data[end + 1 :]
    if type(header) is not dict or header.get("format") != FORMAT or header.get("kind") != kind:
        raise ValueError("written by other code")
    if header.get("length") != len(payload) or header.get("blake2b") != _digest(payload):
        raise ValueError("damaged")
    return from_json(payload)


# ---- files ----------------------------------------------------------------------------------

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


def _remember(path: Path, state: CacheState) -> None:
    sig = _signature(path)
    if sig is not None:
        _MEMORY[str(path)] = (sig, state)


def _read(path: Path, kind: str):
    with open(path, "rb") as fh:
        return decode_file(kind, fh.read())


def _valid_state(saved) -> bool:
    """state.json holds exactly what `save` writes, with its records of the right kinds."""
    return (
        type(saved) is dict and set(saved) == set(_STATE_FIELDS)
        and type(saved["stats"]) is dict and all(type(v) is Stat for v in saved["stats"].values())
        and type(saved["outputs"]) is dict and all(type(v) is Written for v in saved["outputs"].values())
        and type(saved["assets"]) is dict and all(type(v) is Stat for v in saved["assets"].values())
        and type(saved["search_parts"]) is dict and type(saved["contents"]) is dict and type(saved["output_dir"]) is str
        and type(saved["search_slices"]) is dict
        and all(type(k) is str and type(v) is str for k, v in saved["search_slices"].items())
        and type(saved["plan_key"]) is str and type(saved["outline_key"]) is str
        and (saved["marker"] is None or type(saved["marker"]) is Marker)
        and (saved["closures"] is None or type(saved["closures"]) is Closures)
    )


def _valid_shard(part) -> bool:
    return type(part) is list and all(
        type(c) is CachedSource and type(c.entry) is SourceEntry and type(c.entry.key) is SourceKey
        and (c.entry.doc is None or type(c.entry.doc) is DocRecord)
        for c in part
    )


def load(path: Path | None) -> CacheState:
    """What the last build recorded; an empty state when there is none, or when it was
    written by other code, damaged or edited."""
    if path is None or not path.is_file():
        return CacheState()
    kept = _MEMORY.pop(str(path), None)
    if kept is not None and kept[0] == _signature(path):
        return kept[1]
    try:
        saved = _read(path, "state")
    except Exception:  # a damaged or foreign cache is ignored, never fatal
        return CacheState()
    if not _valid_state(saved):
        return CacheState()
    state = CacheState(**saved)
    folder = _objects_dir(path)
    for n in range(SHARDS):
        try:
            part = _read(folder / f"{n:02d}.json", "objects")
        except Exception:  # a missing or damaged shard: its sources are read again
            continue
        if not _valid_shard(part):
            continue
        for cached in part:
            state.entities[cached.rel] = cached.entry
            if cached.obj is not None:
                state.objects[cached.entry.key] = cached.obj
        state.shard_keys[n] = frozenset(c.entry.key for c in part)
    return state


def _write(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + f".tmp-{os.getpid()}")
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:  # a full disk: no half-written file is left behind
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def _state_json(state: CacheState) -> dict:
    return {name: getattr(state, name) for name in _STATE_FIELDS}


def save(path: Path | None, state: CacheState, previous: CacheState | None = None) -> None:
    """Write the state. Only what differs from `previous` (the state loaded from `path`,
    when the file is still there) is written: the shards whose sources changed (what a
    shard holds for a key is a function of the key), and state.json when its contents
    changed; a build that changed nothing writes nothing."""
    if path is None:
        return
    # Converting makes hundreds of thousands of small acyclic containers: with the cyclic
    # collector on, each batch of them would set off a scan of the whole (large) heap.
    collecting = gc.isenabled()
    gc.disable()
    try:
        _save(path, state, previous)
    except OSError:  # a full or read-only disk: a cache partly written is not trusted
        try:
            invalidate(path)
        except OSError:
            pass
        raise
    finally:
        if collecting:
            gc.enable()


def _save(path: Path, state: CacheState, previous: CacheState | None) -> None:
    folder = _objects_dir(path)
    folder.mkdir(parents=True, exist_ok=True)
    _drop_code_caches(path.parent)
    shards: dict = {n: [] for n in range(SHARDS)}
    for rel, entry in state.entities.items():
        shards[shard_of(entry.key)].append(CachedSource(rel, entry, state.objects.get(entry.key)))
    for n, part in shards.items():
        keys = frozenset(c.entry.key for c in part)
        if state.shard_keys.get(n) == keys:
            continue
        try:
            data = encode_file("objects", part)
        except TypeError:  # a value the cache cannot hold as data: this shard is not kept
            data = encode_file("objects", [])
            keys = frozenset()
        _write(folder / f"{n:02d}.json", data)
        state.shard_keys[n] = keys
    if previous is None or not path.is_file() or _state_json(state) != _state_json(previous):
        _write(path, encode_file("state", _state_json(state)))
    _remember(path, state)


def _drop_code_caches(folder: Path) -> None:
    """Remove what older versions kept as pickles and compiled templates (code)."""
    for old in [folder / "state.pickle", folder / "jinja"] + list(_objects_dir(folder / STATE_FILE).glob("*.pickle")):
        if old.is_dir() and not old.is_symlink():
            shutil.rmtree(old, ignore_errors=True)
        elif old.exists() or old.is_symlink():
            try:
                old.unlink()
            except OSError:
                pass


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
