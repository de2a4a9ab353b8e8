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

Pagefind reads settings from a pagefind.yml/.yaml/.toml/.json in the folder it runs in
and from PAGEFIND_* environment variables; either could send its output (or a log file)
anywhere. So it runs in an empty folder, with every PAGEFIND_* variable removed, and is
given every setting that decides what it reads and writes. It dies with the build
(PR_SET_PDEATHSIG). Its scratch folder beside the output (`.<name>.search-<pid>`) is
removed by the next build when a build is killed (writer.py).
"""

from __future__ import annotations

import ctypes
import gzip
import hashlib
import json
import math
import os
import shutil
import signal
import struct
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from .config import Config
from .problems import Problems
from .messages import _
from .writer import checkpoint

PAGES_PER_PART = 1000
BUNDLE = "pagefind/"
SIGNATURE = b"pagefind_dcd"


def indexed(rel: str) -> bool:
    """Outputs that carry content to search: the series pages."""
    return rel.startswith("seri/") and rel.endswith("/index.html")


def pagefind_version() -> str:
    try:
        from importlib.metadata import version

        return version("pagefind")
    except Exception:
        return "unknown"


def named_by_content(rel: str) -> bool:
    """Pagefind names its data files after a hash of their contents: the same name in the
    same place is the same bytes."""
    name = rel.rpartition("/")[2]
    return name.endswith((".pf_fragment", ".pf_index", ".pf_filter", ".pf_meta"))


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

_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:  # runs in the child, between fork and exec
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        pass


def environment() -> dict:
    return {k: v for k, v in os.environ.items() if not k.upper().startswith("PAGEFIND")}


def executable() -> str:
    """The Pagefind binary of the package in requirements.txt (pagefind[extended]), run
    directly: `python -m pagefind` only starts a Python to find it and exec it, a tenth of
    a second for each part. Neither PAGEFIND_BINARY_PATH nor PATH is consulted."""
    try:
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
    return subprocess.Popen(
        command(site, out, language), cwd=cwd, env=environment(), stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,
    )


def build_parts(parts: list[Part], page_file, scratch: Path, language: str, jobs: int,
                problems: Problems) -> dict:
    """Index each part; returns {part number: {output rel path: bytes}} for the files of
    their bundles. `page_file(rel)` is the built file of a page (a path to link, or bytes)."""
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    cwd = scratch / "cwd"  # stays empty
    cwd.mkdir()
    running: list = []  # (part, its output folder, the Pagefind process)
    queue = list(parts)
    files: dict = {}
    try:
        while queue or running:
            while queue and len(running) < max(1, jobs):
                part = queue.pop(0)
                site, out = scratch / f"site-{part.number}", scratch / f"out-{part.number}"
                _stage(site, part.pages, page_file)
                try:
                    running.append((part, out, _start(site, out, cwd, language)))
                except OSError as exc:  # no Pagefind binary, or one that cannot run
                    problems.error("site.yaml", 1, _("search index failed (pagefind exit {code}): {output}").format(code="-", output=str(exc)[:500]))
                    return {}
            checkpoint("indexing")
            part, out, proc = running.pop(0)
            _out, err = proc.communicate()
            if proc.returncode != 0:
                problems.error("site.yaml", 1, _("search index failed (pagefind exit {code}): {output}").format(code=proc.returncode, output=err.strip()[:500]))
                continue
            bundle = normalise(read_bundle(out))
            if part.number > 1:  # merged parts are read with the first part's scripts
                bundle = {rel: data for rel, data in bundle.items() if needed_when_merged(rel)}
            files[part.number] = {part.folder + rel: data for rel, data in bundle.items()}
        return files
    finally:
        for _part, _files, proc in running:  # only after a failure: stop the other parts
            proc.kill()
            proc.wait()
        shutil.rmtree(scratch, ignore_errors=True)


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


# ---- a stable byte form for Pagefind's filter and metadata files ---------------------------

def _cbor_decode(b: bytes, i: int = 0):
    first = b[i]
    major, info = first >> 5, first & 31
    i += 1
    if info < 24:
        n = info
    elif info in (24, 25, 26, 27):
        size = 1 << (info - 24)
        n = int.from_bytes(b[i : i + size], "big")
        i += size
    else:
        raise ValueError(f"unsupported CBOR item {first:#x}")
    if major == 0:
        return n, i
    if major == 3:
        return b[i : i + n].decode("utf-8"), i + n
    if major == 4:
        out = []
        for _ in range(n):
            v, i = _cbor_decode(b, i)
            out.append(v)
        return out, i
    raise ValueError(f"unsupported CBOR major type {major}")


def _cbor_head(major: int, n: int) -> bytes:
    if n < 24:
        return bytes([major << 5 | n])
    for info, fmt in ((24, ">B"), (25, ">H"), (26, ">I"), (27, ">Q")):
        if n < 1 << (8 * struct.calcsize(fmt)):
            return bytes([major << 5 | info]) + struct.pack(fmt, n)
    raise ValueError("integer too large for CBOR")


def _cbor_encode(v) -> bytes:
    if isinstance(v, bool) or v is None:
        raise ValueError("unsupported value")
    if isinstance(v, int):
        return _cbor_head(0, v)
    if isinstance(v, str):
        raw = v.encode("utf-8")
        return _cbor_head(3, len(raw)) + raw
    if isinstance(v, list):
        return _cbor_head(4, len(v)) + b"".join(_cbor_encode(x) for x in v)
    raise ValueError(f"unsupported value {type(v).__name__}")


def _unpack(data: bytes):
    raw = gzip.decompress(data)
    if not raw.startswith(SIGNATURE):
        raise ValueError("not a Pagefind data file")
    value, end = _cbor_decode(raw, len(SIGNATURE))
    if end != len(raw):
        raise ValueError("trailing bytes")
    return value


def _pack(value) -> tuple[bytes, str]:
    """(file bytes, hex hash of the decoded bytes)."""
    raw = SIGNATURE + _cbor_encode(value)
    return gzip.compress(raw, compresslevel=9, mtime=0), hashlib.sha256(raw).hexdigest()


def normalise(files: dict) -> dict:
    """A Pagefind bundle (rel path -> bytes) with its filter files and metadata in a stable
    order and named after their new bytes."""
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
            new_hash, length = f"{lang}_{full}", len(lang) + 8
            while new_hash[:length] in renamed.values() and length < len(new_hash):
                length += 1
            renamed[old_hash] = new_hash[:length]
            files[f"filter/{new_hash[:length]}.pf_filter"] = data
        meta[3] = sorted([name, renamed[h]] for name, h in meta[3])
        meta[4] = sorted(meta[4], key=lambda s: s[0])
        data, full = _pack(meta)
        info["hash"] = f"{lang}_{full[:10]}"
        files[f"pagefind.{info['hash']}.pf_meta"] = data
    files["pagefind-entry.json"] = json.dumps(entry, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return dict(sorted(files.items()))
