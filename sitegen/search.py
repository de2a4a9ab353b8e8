"""Client-side search: Pagefind indexes over the series pages (Indonesian), deterministic
and in parts.

Only series pages carry `data-pagefind-body`, so only they are given to Pagefind (copied
into a scratch folder in memory, or hard-linked into one beside the output where there is
no /dev/shm: writer.make_ram_twin), never the archive, feeds or assets.

**In parts.** The series are spread over `ceil(pages / PAGES_PER_PART)` parts by a hash of
their path, so adding or editing a series changes one part and only that part is indexed
again. Part 1 is the bundle at `pagefind/` (with Pagefind's scripts); part N > 1 lives in
`pagefind/bagian-N/` and the search page merges it in the browser (Pagefind's
`mergeIndex`). A site of up to PAGES_PER_PART series has one part, exactly as before.

**In slices.** Pagefind indexes each part in SLICES_PER_PART slices (again by a hash of the
path), one run per slice, and `merge` joins the slices into the part's bundle: a page's
words, positions, fragment and filters are what Pagefind makes of that page alone, so the
merged bundle holds what one run over the whole part holds, only numbered in another
order. The build cache keeps each slice's decoded index (buildstate.SearchStore), so an
edit runs Pagefind over the edited page's slice alone and merges the others as they were.
What the merge cannot join (another Pagefind's layout) is indexed in one run, as before.

**Deterministic.** Pagefind 1.5.2 writes its filter files from a hash map whose order
changes from run to run (upstream issue 638): the values inside a filter file, and the
filter list in the metadata file, come out in a different order each time, and the file
names are hashes of those bytes. `normalise` decodes those two kinds of file (gzip around
"pagefind_dcd" + CBOR), sorts the lists, encodes them again, names them by a hash of the
new bytes and rewrites the references (metadata -> filter files, pagefind-entry.json ->
metadata). Pagefind's browser code fetches files by these names and never checks them
against their contents. Everything else Pagefind writes is already byte-stable.

**Small word-index chunks.** A query loads, for each of its words and in every part, the
chunk of the word index that holds the word. Pagefind cuts chunks of about 20,000 word
positions; `rechunk` cuts them again to CHUNK_POSITIONS, with bounds made the way
Pagefind makes them, so that smaller parts (faster to index again after an edit) do not
make a phone load more (benchmarks/search_transfer.py measures it). CBOR is read and
written with cbor2 (its C decoder: the word index is megabytes of small integers).

Pagefind reads settings from a pagefind.yml/.yaml/.toml/.json in the folder it runs in
and from PAGEFIND_* environment variables; either could send its output (or a log file)
anywhere. So it runs in an empty folder, with every PAGEFIND_* variable removed, and is
given every setting that decides what it reads and writes. It dies with the build
(PR_SET_PDEATHSIG). Its scratch folder beside the output (`.<name>.search-<pid>`), and that
folder's twin in /dev/shm, are removed by the next build when a build is killed
(writer.py).
"""

from __future__ import annotations

import functools
import gzip
import errno
import hashlib
import io
import json
import math
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, NamedTuple

import cbor2

from . import parallel
from .config import Config
from .problems import Problems
from .messages import _
from .killpoints import checkpoint
from . import stopping
from .stopping import remove_tree
from . import writer

# Pages per part: every part costs a query one more chunk per word and one more index for
# the phone to open. Parts of 250 on an emulated slow phone took a query 25.8 s to its
# first result instead of 17.0 s (one index: 9.1 s; `benchmarks/search_transfer.py
# --phone`), so parts stay at 500 and an edit is made cheap by slices instead.
PAGES_PER_PART = 500
# Slices per part: an edit runs Pagefind over one slice (about 100 of the part's 500 pages:
# Pagefind 1.5.2 takes about 2 ms a page here, plus about 50 ms a run), and the phone
# still loads parts of 500 pages.
SLICES_PER_PART = 5
BUNDLE = "pagefind/"
SIGNATURE = b"pagefind_dcd"


def indexed(rel: str) -> bool:
    """Outputs that carry content to search: the series pages."""
    return rel.startswith("seri/") and rel.endswith("/index.html")


def pagefind_version() -> str:
    try:
        from importlib.metadata import version  # here: a build without search never loads it (tens of ms)

        return version("pagefind")
    except Exception:
        return "unknown"


def needed_when_merged(rel: str) -> bool:
    """A part merged into the first (Pagefind's mergeIndex) uses the first part's scripts
    and WebAssembly: it needs only its entry file and its data."""
    return rel == "pagefind-entry.json" or rel.endswith(".pf_meta") or rel.startswith(("fragment/", "index/", "filter/"))


@dataclass(frozen=True)
class Slice:
    pages: tuple  # output rel paths of its pages, sorted
    digest: str  # of everything Pagefind's index of it is made from


@dataclass(frozen=True)
class Part:
    number: int  # 1 ..
    folder: str  # output folder of its bundle: "pagefind/" or "pagefind/bagian-N/"
    pages: tuple  # output rel paths of its pages, sorted
    digest: str  # of everything its bundle is made from
    slices: tuple = ()  # of its pages, in the order they are merged


def part_folder(number: int) -> str:
    return BUNDLE if number == 1 else f"{BUNDLE}bagian-{number}/"


def part_count(pages: int) -> int:
    return max(1, math.ceil(pages / PAGES_PER_PART))


def bundles(pages: int) -> list[str]:
    """The output folders of the bundles for an index of `pages` pages (the search page
    loads the first and merges the others)."""
    return [part_folder(n) for n in range(1, part_count(pages) + 1)]


def plan(pages: dict, language: str) -> list[Part]:
    """Parts for `pages` (output rel path -> digest of its bytes' making), in order."""
    rels = sorted(pages)
    count = part_count(len(rels))
    groups: list = [[] for _ in range(count)]
    for rel in rels:
        h = int.from_bytes(hashlib.blake2b(rel.encode(), digest_size=8).digest(), "big")
        groups[h % count].append(rel)
    parts = []
    for n, group in enumerate(groups, 1):
        h = hashlib.blake2b(digest_size=16)
        h.update(repr((pagefind_version(), language, n, count, SLICES_PER_PART)).encode())
        for rel in group:
            h.update(f"\0{rel}\0{pages[rel]}".encode())
        parts.append(Part(n, part_folder(n), tuple(group), h.hexdigest(), _slices(group, pages, language)))
    return parts


def _slices(group: list, pages: dict, language: str) -> tuple:
    """A part's pages in SLICES_PER_PART slices, by a hash of their path (another than
    the one that parts them), so that a page stays in its slice while others come and go;
    a slice's digest covers its pages' bytes, not the part it is in. Empty slices are
    left out (a part with no page has one empty slice)."""
    groups: list = [[] for _ in range(SLICES_PER_PART)]
    for rel in group:
        h = int.from_bytes(hashlib.blake2b(rel.encode(), digest_size=8, person=b"slice").digest(), "big")
        groups[h % SLICES_PER_PART].append(rel)
    slices = []
    for members in [g for g in groups if g] or [[]]:
        h = hashlib.blake2b(digest_size=16, person=b"slice")
        h.update(repr((pagefind_version(), language)).encode())
        for rel in members:
            h.update(f"\0{rel}\0{pages[rel]}".encode())
        slices.append(Slice(tuple(members), h.hexdigest()))
    return tuple(slices)


def scripts_key(language: str) -> str:
    """The build cache's name for Pagefind's scripts (the first part's files other than
    its data), the same for every slice of one Pagefind version and language."""
    return hashlib.blake2b(repr(("scripts", pagefind_version(), language)).encode(), digest_size=16).hexdigest()


# ---- running Pagefind ----------------------------------------------------------------------

def environment() -> dict:
    return {k: v for k, v in os.environ.items() if not k.upper().startswith("PAGEFIND")}


def executable() -> str:
    """The Pagefind binary of the package in requirements.txt (pagefind[extended]), run
    directly: `python -m pagefind` only starts a Python to find it and exec it, a tenth of
    a second for each part. Neither PAGEFIND_BINARY_PATH nor PATH is consulted."""
    try:  # here, not at the top: which of the two packages is installed is only known by trying
        from pagefind_bin_extended import get_executable
    except ImportError:  # the plain package, without the extended languages
        try:
            from pagefind_bin import get_executable
        except ImportError:
            raise FileNotFoundError("pagefind_bin_extended (pip install -r requirements.txt)") from None
    return str(get_executable().absolute())


def command(site: Path, out: Path, language: str) -> list:
    """Every setting that decides what Pagefind reads and writes, given explicitly."""
    return [
        executable(),
        "--site", os.path.abspath(site),
        "--output-path", os.path.abspath(out),
        "--glob", "**/*.{html}",
        "--root-selector", "html",
        "--force-language", language,
        "--quiet",
    ]


def _start(site: Path, out: Path, cwd: Path, language: str) -> subprocess.Popen:
    """Pagefind in an empty folder (it reads pagefind.yml/.toml/.json from where it runs),
    without PAGEFIND_* variables; it dies with the build (PR_SET_PDEATHSIG)."""
    run = command(site, out, language)
    if not os.access(run[0], os.X_OK):  # as Popen would say, before a launcher hides it
        raise FileNotFoundError(errno.ENOENT, "no Pagefind program to run", run[0])
    run, preexec = parallel.dying_with_this_process(run)
    return stopping.start_program(  # remembered: a stopping preview ends it (stopping.py)
        run, cwd=cwd, env=environment(), stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=preexec,
    )


def build_parts(parts: list[Part], page_file, scratch: Path, language: str, jobs: int,
                problems: Problems, store=None) -> dict:
    """Index each part; returns {part number: {output rel path: bytes}} for the files of
    their bundles. `page_file(rel)` is the built file of a page (a path to link, or bytes).
    Parts are indexed side by side in forked workers (parallel.py), each running Pagefind
    over the slices of its part that `store` (buildstate.SearchStore, the build cache's
    slices; None: none kept) does not hold, and merging the slices."""
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    (scratch / "cwd").mkdir()  # stays empty
    ram = writer.make_ram_twin(scratch)
    try:
        job = IndexJob(parts, page_file, ram or scratch, scratch / "cwd", language, os.getpid(), store)
        results = parallel.run(functools.partial(_index_part, job), list(range(len(parts))), parallel.jobs_for(jobs, len(parts), 1))
        files: dict = {}
        for part, (failure, bundle, kept) in zip(parts, results):
            if failure is not None:
                problems.error("site.yaml", 1, _("search index failed (pagefind exit {code}): {output}").format(code=failure[0], output=failure[1][:500]))
            else:
                files[part.number] = {part.folder + rel: data for rel, data in bundle.items()}
                if store is not None:
                    store.record(kept)
        return files
    finally:
        if ram is not None:
            remove_tree(ram)
        remove_tree(scratch)  # on SIGTERM, within a budget (stopping.py)


class IndexJob(NamedTuple):
    """What the workers indexing the parts share (bound to `_index_part` before forking)."""

    parts: list
    page_file: Callable  # rel -> the built page (a path to link, or bytes)
    scratch: Path  # where each slice's pages are staged and its bundle written (in memory where it can be)
    cwd: Path  # the empty folder Pagefind runs in
    language: str
    build: int  # the build's process id (the kill checkpoint kills the build, not the worker)
    store: object  # buildstate.SearchStore, or None


def _index_part(job: IndexJob, i: int) -> tuple:
    """(None, bundle, {slice or scripts key: digest of its kept file}) for part i, or
    ((exit code, message), None, {}) when Pagefind failed."""
    part, store = job.parts[i], job.store
    kept: dict = {}
    scripts = None
    if part.number == 1 and store is not None:
        scripts = store.load(scripts_key(job.language))
        if scripts is not None:
            kept[scripts_key(job.language)] = store.trusted[scripts_key(job.language)]
    slices = []
    for k, piece in enumerate(part.slices):
        data = store.load(piece.digest) if store is not None and not (part.number == 1 and scripts is None) else None
        if data is not None:
            kept[piece.digest] = store.trusted[piece.digest]
            slices.append(data)
            continue
        try:
            failure, made = _pagefind(job, f"{part.number}-{k}", piece.pages, _slice_and_scripts)
        except Unmergeable:
            return _whole_part(job, part)
        if failure is not None:
            return failure, None, {}
        data, others = made
        if part.number == 1 and scripts is None:
            scripts = {"scripts": others}
            if store is not None:
                kept[scripts_key(job.language)] = store.save(scripts_key(job.language), scripts)
        if store is not None:
            kept[piece.digest] = store.save(piece.digest, data)
        slices.append(data)
    try:
        bundle = merge(slices)
    except Unmergeable:
        return _whole_part(job, part)
    if part.number == 1:
        bundle.update(scripts["scripts"])
    return None, dict(sorted(bundle.items())), kept


def _slice_and_scripts(bundle: dict) -> tuple:
    return slice_data(bundle), {rel: data for rel, data in bundle.items() if not needed_when_merged(rel)}


def _whole_part(job: IndexJob, part: Part) -> tuple:
    """A part Pagefind indexes in one run, for what `merge` cannot join (nothing is kept)."""
    failure, bundle = _pagefind(job, f"{part.number}", part.pages, normalise)
    if failure is not None:
        return failure, None, {}
    if part.number > 1:  # merged parts are read with the first part's scripts
        bundle = {rel: data for rel, data in bundle.items() if needed_when_merged(rel)}
    return None, bundle, {}


def _pagefind(job: IndexJob, name: str, pages: tuple, read: Callable) -> tuple:
    """(None, read(Pagefind's bundle of `pages`)), or ((exit code, message), None)."""
    scratch = job.scratch
    site, out = scratch / f"site-{name}", scratch / f"out-{name}"
    _stage(site, pages, job.page_file)
    try:
        proc = _start(site, out, job.cwd, job.language)
    except OSError as exc:  # no Pagefind binary, or one that cannot run
        return ("-", str(exc)), None
    checkpoint("indexing", job.build)  # a test kills the build while Pagefind runs
    try:
        said, err = proc.communicate()
    finally:
        stopping.program_done(proc)
    if proc.returncode != 0:
        _disk_full(out, err)
        return (proc.returncode, err.strip()), None
    try:
        result = read(read_bundle(out))
    except Unmergeable:
        raise
    except Exception:
        # Pagefind reports a full disk only in its output, and may still exit 0 with
        # empty files: the bundle then cannot be read.
        _disk_full(out, said + err, always=True)
        raise
    shutil.rmtree(site, ignore_errors=True)
    shutil.rmtree(out, ignore_errors=True)
    return None, result


# How Rust's standard library names the errors of a disk that takes no more ("os error N").
_DISK_ERRORS = re.compile(r"\(os error (28|30|122|13)\)|No space left on device|Disk quota exceeded|Read-only file system")


def _disk_full(folder: Path, said: str, always: bool = False) -> None:
    """Raise the OSError (ENOSPC, EDQUOT, EROFS, EACCES) that stopped Pagefind writing into
    `folder`, as the build reports it for its own writes; with `always`, a full disk
    found by looking at it counts too."""
    m = _DISK_ERRORS.search(said or "")
    code = None
    if m:
        code = int(m.group(1)) if m.group(1) else {"No space left on device": errno.ENOSPC, "Disk quota exceeded": errno.EDQUOT,
                                                    "Read-only file system": errno.EROFS}[m.group(0)]
    elif always:
        try:
            st = os.statvfs(folder if folder.exists() else folder.parent)
            if st.f_bavail * st.f_frsize < (1 << 20):
                code = errno.ENOSPC
        except OSError:
            pass
    if code is not None:
        raise OSError(code, os.strerror(code), str(folder))


def _stage(site: Path, pages: tuple, page_file) -> None:
    made: set = set()
    for rel in pages:
        target = site / rel
        if target.parent not in made:
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)
        source = page_file(rel)
        if isinstance(source, bytes):
            target.write_bytes(source)
            continue
        try:
            os.link(source, target)
        except OSError:
            shutil.copyfile(source, target)


def read_bundle(folder: Path) -> dict:
    files = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            files[path.relative_to(folder).as_posix()] = path.read_bytes()
    return files


def index(site_dir: Path, config: Config, problems: Problems) -> None:
    """One whole index of the series pages under `site_dir`, written to site_dir/pagefind/
    (the preview server's background index)."""
    pages = {p.relative_to(site_dir).as_posix(): "" for p in site_dir.glob("seri/*/index.html")}
    parts = plan(pages, config.language)
    files = build_parts(parts, lambda rel: site_dir / rel, site_dir.parent / f".{site_dir.name}.search-{os.getpid()}",
                        config.language, 1, problems)
    if problems.errors:
        return
    for rel, data in (item for part in files.values() for item in part.items()):
        path = site_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


# ---- Pagefind's data files: a stable byte form, and smaller word-index chunks ----------------

# Word positions per chunk of the word index. Pagefind cuts its index into chunks of about
# 20,000 positions (about 25 KB gzipped), and a query loads, for each word, the chunk that
# holds it in every part: with eight parts, eight such chunks per word. Cut into chunks of
# this size, a word costs a phone about a tenth of that (a very common word, whose
# positions alone fill more than a chunk, still has a chunk to itself).
CHUNK_POSITIONS = 2000


def _unpack(data: bytes):
    raw = gzip.decompress(data)
    if not raw.startswith(SIGNATURE):
        raise ValueError("not a Pagefind data file")
    stream = io.BytesIO(raw)
    stream.seek(len(SIGNATURE))
    value = cbor2.load(stream)
    if stream.tell() != len(raw):
        raise ValueError("trailing bytes")
    return value


def _pack(value, level: int = 9) -> tuple[bytes, str]:
    """(file bytes, hex hash of the decoded bytes, as Pagefind names its files)."""
    return _pack_encoded(cbor2.dumps(value), level)


def _pack_encoded(payload: bytes, level: int) -> tuple[bytes, str]:
    """_pack of a value already encoded as CBOR (`payload`)."""
    raw = SIGNATURE + payload
    return gzip.compress(raw, compresslevel=level, mtime=0), hashlib.sha256(raw).hexdigest()


def _cbor_head(raw: bytes, pos: int) -> tuple[int, int | None, int]:
    """(major type, argument, position after it) of the head of the CBOR item at `pos`; the
    argument is None for an indefinite length."""
    first = raw[pos]
    major, info = first >> 5, first & 31
    if info < 24:
        return major, info, pos + 1
    size = {24: 1, 25: 2, 26: 4, 27: 8}.get(info)
    if size is None:
        return major, None, pos + 1
    return major, int.from_bytes(raw[pos + 1 : pos + 1 + size], "big"), pos + 1 + size


def _array_head(count: int) -> bytes:
    """The head of a CBOR array of `count` items (the shortest, as every encoder writes it)."""
    for limit, info, size in ((24, count, 0), (1 << 8, 24, 1), (1 << 16, 25, 2), (1 << 32, 26, 4)):
        if count < limit:
            return bytes([0x80 | info]) + (count.to_bytes(size, "big") if size else b"")
    return bytes([0x80 | 27]) + count.to_bytes(8, "big")


def _word_entries(data: bytes) -> list[tuple[list, bytes]]:
    """The word entries of a word-index file ([[entry, ...]]), each decoded and with its own
    CBOR bytes as Pagefind wrote them: a chunk of them is then written by joining those
    bytes, without encoding the entries again (which cost more than Pagefind's indexing of
    the part: cbor2 asks of every list whether it is a Mapping)."""
    raw = gzip.decompress(data)
    if not raw.startswith(SIGNATURE):
        raise ValueError("not a Pagefind data file")
    major, count, pos = _cbor_head(raw, len(SIGNATURE))
    major2, n, pos2 = _cbor_head(raw, pos) if major == 4 and count == 1 else (None, None, pos)
    if major2 != 4 or n is None:  # not the shape Pagefind 1.5 writes: decode and encode again
        return [(entry, cbor2.dumps(entry)) for entry in _unpack(data)[0]]
    stream = io.BytesIO(raw)
    stream.seek(pos2)
    decoder = cbor2.CBORDecoder(stream)
    entries = []
    for _ in range(n):
        start = stream.tell()
        entries.append((decoder.decode(), raw[start : stream.tell()]))
    if stream.tell() != len(raw):
        raise ValueError("trailing bytes")
    return entries


def _short_name(lang: str, full: str, taken) -> str:
    """Pagefind's file name for data hashed `full`: the language and 8 hex digits, more
    while the name is taken by other data."""
    name, length = f"{lang}_{full}", len(lang) + 8
    while name[:length] in taken and length < len(name):
        length += 1
    return name[:length]


def _prefixes(a: str, b: str) -> tuple[str, str]:
    """The shortest prefixes that still tell two neighbouring chunk bounds apart (as
    Pagefind's own chunks are bounded)."""
    n = 0
    while n < len(a) and n < len(b) and a[n] == b[n]:
        n += 1
    return a[: n + 1], b[: n + 1]


def chunk_words(words: list, limit: int) -> list:
    """Sorted word entries ([word, [[page, positions, ...], ...], ...]) cut into chunks of
    about `limit` positions (Pagefind counts a page's positions plus one). A word is never
    parted from the next when that one extends it ("pelayan", "pelayanan"): the browser
    looks a query word up in one chunk only (the first whose bounds could hold the word or
    a longer word starting with it), so the longer word would be out of its reach."""
    chunks, start = [], 0
    for length in _cut([e[0] for e in words], [sum(len(page[1]) + 1 for page in e[1]) for e in words], limit):
        chunks.append(words[start : start + length])
        start += length
    return chunks


def _cut(words: list, sizes: list, limit: int) -> list:
    """The lengths of the chunks `chunk_words` cuts sorted words of these sizes into."""
    lengths, count, size = [], 0, 0
    for i, word in enumerate(words):
        count += 1
        size += sizes[i]
        following = words[i + 1] if i + 1 < len(words) else None
        if size >= limit and not (following is not None and following.startswith(word)):
            lengths.append(count)
            count, size = 0, 0
    if count:
        lengths.append(count)
    return lengths


def rechunk(files: dict, lang: str, meta: list, limit: int) -> None:
    """Cut the word index of a bundle into chunks of about `limit` positions: the index
    files and the metadata's chunk list are replaced (in place)."""
    entries: list = []  # (word, positions, its CBOR bytes)
    for _from, _to, h in meta[2]:
        entries.extend((e[0], sum(len(page[1]) + 1 for page in e[1]), raw)
                       for e, raw in _word_entries(files.pop(f"index/{h}.pf_index")))
    meta[2] = _write_chunks(files, lang, entries, limit)


def _write_chunks(files: dict, lang: str, entries: list, limit: int) -> list:
    """Word entries ((word, positions, its CBOR bytes), sorted by word) written as index
    files of about `limit` positions each; returns the metadata's chunk list."""
    lengths = _cut([word for word, _size, _raw in entries], [size for _word, size, _raw in entries], limit)
    starts = [0]
    for n in lengths[:-1]:
        starts.append(starts[-1] + n)
    bounds = [[entries[a][0], entries[a + n - 1][0]] for a, n in zip(starts, lengths)]
    for left, right in zip(bounds, bounds[1:]):
        left[1], right[0] = _prefixes(left[1], right[0])
    names: set = set()
    listed = []
    for a, n, (first, last) in zip(starts, lengths, bounds):
        # [chunk], encoded as cbor2.dumps([chunk]) would encode it: entries keep their bytes.
        encoded = b"".join(raw for _word, _size, raw in entries[a : a + n])
        data, full = _pack_encoded(_array_head(1) + _array_head(n) + encoded, level=6)
        name = _short_name(lang, full, names)
        names.add(name)
        files[f"index/{name}.pf_index"] = data
        listed.append([first, last, name])
    return listed


def normalise(files: dict) -> dict:
    """A Pagefind bundle (rel path -> bytes) with its filter files and metadata in a stable
    order and named after their new bytes, and its word index in smaller chunks."""
    files = dict(files)
    entry = json.loads(files["pagefind-entry.json"])
    for lang, info in entry["languages"].items():
        meta_rel = f"pagefind.{info['hash']}.pf_meta"
        meta = _unpack(files.pop(meta_rel))
        renamed: dict = {}
        for name, old_hash in meta[3]:
            value = _unpack(files.pop(f"filter/{old_hash}.pf_filter"))
            value[1].sort(key=lambda v: v[0])
            data, full = _pack(value)
            renamed[old_hash] = _short_name(lang, full, set(renamed.values()))
            files[f"filter/{renamed[old_hash]}.pf_filter"] = data
        meta[3] = sorted([name, renamed[h]] for name, h in meta[3])
        meta[4] = sorted(meta[4], key=lambda s: s[0])
        if CHUNK_POSITIONS:
            rechunk(files, lang, meta, CHUNK_POSITIONS)
        data, full = _pack(meta)
        info["hash"] = f"{lang}_{full[:10]}"
        files[f"pagefind.{info['hash']}.pf_meta"] = data
    files["pagefind-entry.json"] = json.dumps(entry, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return dict(sorted(files.items()))


# ---- slices merged into a part -------------------------------------------------------------

# About the size Pagefind cuts its own word-index chunks to: a merged bundle is cut so when
# CHUNK_POSITIONS is unset.
PAGEFIND_CHUNK_POSITIONS = 20000


class Unmergeable(ValueError):
    """Pagefind wrote something the merge does not know how to join (another version's
    layout, sorting, several languages): the part is indexed in one run instead."""


def _word_record(entry: list, raw: bytes) -> list:
    """A word entry as a merge needs it: [word, number of pages, first page number, last
    page number, positions (for cutting chunks), the bytes of its first page after the
    page number, the bytes of its other pages]. The pages' bytes are cut out of `raw`, the
    entry as Pagefind wrote it ([word, [[page, positions, meta positions], ...], []]);
    refused (Unmergeable) unless raw is the shortest encoding, the one cbor2 writes too, so
    that every cut falls where an item begins or ends. Pagefind numbers a word's pages by
    their difference from the page before (the first from 0)."""
    if len(entry) != 3 or entry[2] != [] or not entry[1]:
        raise Unmergeable(f"word entry {entry[0]!r}")
    word, pages = entry[0], entry[1]
    head = b"\x83" + cbor2.dumps(word) + _array_head(len(pages))
    first = cbor2.dumps(pages[0])
    number = cbor2.dumps(pages[0][0])
    if raw[-1:] != b"\x80" or not raw.startswith(head) or raw[len(head) : len(head) + len(first)] != first \
            or not first.startswith(b"\x83" + number):
        raise Unmergeable(f"word entry {word!r}")
    return [word, len(pages), pages[0][0], sum(p[0] for p in pages), sum(len(p[1]) + 1 for p in pages),
            first[1 + len(number):], raw[len(head) + len(first) : -1]]


def slice_data(bundle: dict) -> dict:
    """What a merge needs of Pagefind's output for some pages (a slice of a part), decoded
    once: kept in the build cache (buildstate.SearchStore) so that an edit indexes only the
    slice it changed, and merges the others as they were."""
    entry = json.loads(bundle["pagefind-entry.json"])
    if len(entry.get("languages", {})) != 1:
        raise Unmergeable("languages")
    ((lang, info),) = entry["languages"].items()
    meta = _unpack(bundle[f"pagefind.{info['hash']}.pf_meta"])
    if len(meta) != 6 or meta[4]:
        raise Unmergeable("metadata")
    filters: dict = {}
    for name, h in meta[3]:
        found = _unpack(bundle[f"filter/{h}.pf_filter"])
        if found[0] != name:
            raise Unmergeable(f"filter {name!r}")
        filters[name] = {value: numbers for value, numbers in found[1]}
    words = [_word_record(e, raw) for _from, _to, h in meta[2] for e, raw in _word_entries(bundle[f"index/{h}.pf_index"])]
    return {"lang": lang, "entry": {k: (None if k == "languages" else v) for k, v in entry.items()}, "wasm": info.get("wasm"),
            "version": meta[0], "pages": meta[1], "metas": meta[5], "filters": filters, "words": words,
            "fragments": {rel: data for rel, data in bundle.items() if rel.startswith("fragment/")}}


def merge(slices: list[dict]) -> dict:
    """One normalised bundle of the pages of `slices` (slice_data of each, in order): their
    pages are numbered on from one slice to the next; each word's pages, each filter
    value's pages and the page list are joined; fragments are kept as they are (named by
    their contents). A page's words, positions, fragment and filters are what Pagefind made
    of that page alone, so the merged bundle holds what Pagefind's own index of all the
    pages holds, the pages in another order (tests/test_search.py compares them decoded,
    and the answers to queries in a browser). Only the first page number of each slice's
    share of a word is written again; the rest keeps Pagefind's bytes."""
    first = slices[0]
    lang = first["lang"]
    if any((s["lang"], s["entry"], s["wasm"], s["version"]) != (lang, first["entry"], first["wasm"], first["version"])
           for s in slices):
        raise Unmergeable("slices of different kinds")
    files: dict = {}
    pages: list = []
    offsets = []
    for s in slices:
        offsets.append(len(pages))
        pages.extend(s["pages"])
        files.update(s["fragments"])

    values: dict = {}  # filter name -> value -> page numbers
    for s, offset in zip(slices, offsets):
        for name, found in s["filters"].items():
            named = values.setdefault(name, {})
            for value, numbers in found.items():
                named.setdefault(value, []).extend(n + offset for n in numbers)
    filters: list = []
    for name in sorted(values):
        data, full = _pack([name, [[value, values[name][value]] for value in sorted(values[name])]])
        short = _short_name(lang, full, {f[1] for f in filters})
        files[f"filter/{short}.pf_filter"] = data
        filters.append([name, short])

    words: dict = {}  # word -> [(offset of its slice, its record)]
    for s, offset in zip(slices, offsets):
        for record in s["words"]:
            words.setdefault(record[0], []).append((offset, record))
    joined = []  # (word, positions, the entry's bytes)
    for word in sorted(words):
        shares = words[word]
        body, count, size, last = [], 0, 0, 0
        for offset, (_w, n, page, end, positions, first_rest, others) in shares:
            body.append(b"\x83" + cbor2.dumps(offset + page - last) + first_rest + others)
            last = offset + end
            count += n
            size += positions
        joined.append((word, size, b"\x83" + cbor2.dumps(word) + _array_head(count) + b"".join(body) + b"\x80"))
    chunks = _write_chunks(files, lang, joined, CHUNK_POSITIONS or PAGEFIND_CHUNK_POSITIONS)

    meta = [first["version"], pages, chunks, filters, [], sorted(set().union(*(s["metas"] for s in slices)))]
    data, full = _pack(meta)
    info = {"hash": f"{lang}_{full[:10]}", "wasm": first["wasm"], "page_count": len(pages)}
    files[f"pagefind.{info['hash']}.pf_meta"] = data
    entry = {k: ({lang: info} if k == "languages" else v) for k, v in first["entry"].items()}
    files["pagefind-entry.json"] = json.dumps(entry, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return dict(sorted(files.items()))
