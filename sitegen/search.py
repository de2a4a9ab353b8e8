"""Client-side search: Pagefind indexes over the series pages (Indonesian), deterministic
and in parts.

Only series pages carry `data-pagefind-body`, so only they are given to Pagefind (in a
scratch folder of hard links), never the archive, feeds or assets.

**In parts.** The series are spread over `ceil(pages / PAGES_PER_PART)` parts by a hash of
their path, so adding or editing a series changes one part and only that part is indexed
again. Part 1 is the bundle at `pagefind/` (with Pagefind's scripts); part N > 1 lives in
`pagefind/bagian-N/` and the search page merges it in the browser (Pagefind's
`mergeIndex`). A site of up to PAGES_PER_PART series has one part, exactly as before.

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
(PR_SET_PDEATHSIG). Its scratch folder beside the output (`.<name>.search-<pid>`) is
removed by the next build when a build is killed (writer.py).
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
import sys
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

# Pages per part: an edit indexes one part again (Pagefind 1.5.2 takes about 2.5 ms a page
# here and almost no fixed time), while every part costs a query one more chunk per word
# and one more index for the phone to open. Parts of 250 would make an edit of 4,000
# series about 0.9 s faster, but on an emulated slow phone a query took 25.8 s to its first
# result instead of 17.0 s (one index: 9.1 s; `benchmarks/search_transfer.py --phone`).
PAGES_PER_PART = 500
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
class Part:
    number: int  # 1 ..
    folder: str  # output folder of its bundle: "pagefind/" or "pagefind/bagian-N/"
    pages: tuple  # output rel paths of its pages, sorted
    digest: str  # of everything its bundle is made from


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
        h.update(repr((pagefind_version(), language, n, count)).encode())
        for rel in group:
            h.update(f"\0{rel}\0{pages[rel]}".encode())
        parts.append(Part(n, part_folder(n), tuple(group), h.hexdigest()))
    return parts


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
    return stopping.start_program(  # remembered: a stopping preview ends it (stopping.py)
        command(site, out, language), cwd=cwd, env=environment(), stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        preexec_fn=parallel.child_of_this_process() if sys.platform.startswith("linux") else None,  # none on Windows
    )


def build_parts(parts: list[Part], page_file, scratch: Path, language: str, jobs: int,
                problems: Problems) -> dict:
    """Index each part; returns {part number: {output rel path: bytes}} for the files of
    their bundles. `page_file(rel)` is the built file of a page (a path to link, or bytes).
    Parts are indexed side by side in forked workers (parallel.py), each running Pagefind
    and reading its bundle back."""
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    (scratch / "cwd").mkdir()  # stays empty
    try:
        job = IndexJob(parts, page_file, scratch, language, os.getpid())
        results = parallel.run(functools.partial(_index_part, job), list(range(len(parts))), parallel.jobs_for(jobs, len(parts), 1))
        files: dict = {}
        for part, (failure, bundle) in zip(parts, results):
            if failure is not None:
                problems.error("site.yaml", 1, _("search index failed (pagefind exit {code}): {output}").format(code=failure[0], output=failure[1][:500]))
            else:
                files[part.number] = {part.folder + rel: data for rel, data in bundle.items()}
        return files
    finally:
        remove_tree(scratch)  # on SIGTERM, within a budget (stopping.py)


class IndexJob(NamedTuple):
    """What the workers indexing the parts share (bound to `_index_part` before forking)."""

    parts: list
    page_file: Callable  # rel -> the built page (a path to link, or bytes)
    scratch: Path
    language: str
    build: int  # the build's process id (the kill checkpoint kills the build, not the worker)


def _index_part(job: IndexJob, i: int) -> tuple:
    """(None, bundle) for part i, or ((exit code, message), None) when Pagefind failed."""
    part, scratch = job.parts[i], job.scratch
    site, out = scratch / f"site-{part.number}", scratch / f"out-{part.number}"
    _stage(site, part.pages, job.page_file)
    try:
        proc = _start(site, out, scratch / "cwd", job.language)
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
        bundle = normalise(read_bundle(out))
    except Exception:
        # Pagefind reports a full disk only in its output, and may still exit 0 with
        # empty files: the bundle then cannot be read.
        _disk_full(out, said + err, always=True)
        raise
    if part.number > 1:  # merged parts are read with the first part's scripts
        bundle = {rel: data for rel, data in bundle.items() if needed_when_merged(rel)}
    shutil.rmtree(site, ignore_errors=True)
    shutil.rmtree(out, ignore_errors=True)
    return None, bundle


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
    chunks, current, size = [], [], 0
    for i, entry in enumerate(words):
        current.append(entry)
        size += sum(len(page[1]) + 1 for page in entry[1])
        following = words[i + 1][0] if i + 1 < len(words) else None
        if size >= limit and not (following is not None and following.startswith(entry[0])):
            chunks.append(current)
            current, size = [], 0
    if current:
        chunks.append(current)
    return chunks


def rechunk(files: dict, lang: str, meta: list, limit: int) -> None:
    """Cut the word index of a bundle into chunks of about `limit` positions: the index
    files and the metadata's chunk list are replaced (in place)."""
    entries: list = []  # (word entry, its CBOR bytes)
    for _from, _to, h in meta[2]:
        entries.extend(_word_entries(files.pop(f"index/{h}.pf_index")))
    chunks = chunk_words([entry for entry, _raw in entries], limit)
    bounds = [[c[0][0], c[-1][0]] for c in chunks]
    for left, right in zip(bounds, bounds[1:]):
        left[1], right[0] = _prefixes(left[1], right[0])
    names: set = set()
    listed = []
    start = 0
    for chunk, (first, last) in zip(chunks, bounds):
        # [chunk], encoded as cbor2.dumps([chunk]) would encode it: entries keep their bytes.
        encoded = b"".join(raw for _entry, raw in entries[start : start + len(chunk)])
        start += len(chunk)
        data, full = _pack_encoded(_array_head(1) + _array_head(len(chunk)) + encoded, level=6)
        name = _short_name(lang, full, names)
        names.add(name)
        files[f"index/{name}.pf_index"] = data
        listed.append([first, last, name])
    meta[2] = listed


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
