"""The search index: deterministic (Pagefind's filter files included), split into parts
that are indexed again only when one of their pages changed, and equal to a clean build
after incremental builds. The browser test checks that an index in several parts finds
and filters the same series as one index.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import os
import random
import signal
import sys
import time
from pathlib import Path

import pytest

import contentfacts
from conftest import REPO as REPO_ROOT, SITE_YAML, Tab, copy_repo_project, make_project, needs_chromium, serve_folder, tree_bytes
from sitegen import search, writer
from sitegen.pipeline import Options, build
from sitegen.problems import BuildFailed

TODAY = dt.date(2026, 11, 23)
COMPETENCIES = ["manajerial", "teknis", "sosial-kultural"]
WORDS = ["anggaran", "pelayanan", "digital", "etika", "kepemimpinan", "arsip", "inovasi", "kesehatan"]


def corpus(n: int = 24) -> dict:
    files = {"site.yaml": SITE_YAML.replace("search: false", "search: true")}
    for i in range(n):
        program = "asn-belajar" if i % 3 else "asn-mengaji"
        day = dt.date(2022 + i % 3, 1 + i % 12, 3)
        word = WORDS[i % len(WORDS)]
        files[f"content/series/seri-{i:02d}.md"] = (
            f"---\ntitle: \"Seri {i:02d} tentang {word}\"\nprogram: {program}\ndate: \"{day.isoformat()}\"\n"
            f"speakers: [Narasumber Nomor {i}]\ncompetency: {COMPETENCIES[i % 3]}\n---\n"
            f"Pembahasan {word} untuk aparatur, bagian {i}.\n"
        )
    return files


def built(root: Path, out: Path, **kw) -> object:
    return build(Options(root=root, output=out, today=TODAY, jobs=kw.pop("jobs", 1), **kw))


@pytest.fixture
def small_parts(monkeypatch):
    monkeypatch.setattr(search, "PAGES_PER_PART", 8)


def test_two_clean_builds_with_search_are_byte_identical(tmp_path, small_parts):
    root = make_project(tmp_path, corpus())
    built(root, tmp_path / "a", use_cache=False)
    built(root, tmp_path / "b", use_cache=False, jobs=2)
    a, b = tree_bytes(tmp_path / "a"), tree_bytes(tmp_path / "b")
    assert any(rel.startswith("pagefind/filter/") for rel in a)
    assert any(rel.startswith("pagefind/bagian-3/filter/") for rel in a)  # 25 series pages, 8 per part
    # Merged parts hold only their data; the scripts and WebAssembly come from the first.
    assert "pagefind/pagefind-ui.js" in a and "pagefind/wasm.id.pagefind" in a
    assert not [rel for rel in a if rel.startswith("pagefind/bagian-") and rel.endswith((".js", ".css", ".pagefind"))]
    assert a.keys() == b.keys()
    assert [rel for rel in a if a[rel] != b[rel]] == []


def test_incremental_builds_with_search_equal_clean_ones(tmp_path, small_parts):
    root = make_project(tmp_path, corpus())
    out, cache = tmp_path / "out", tmp_path / "cache"
    first = built(root, out, cache_dir=cache)
    parts_before = {p.relative_to(out).as_posix(): p.stat().st_mtime_ns for p in out.rglob("*.pf_meta")}

    again = built(root, out, cache_dir=cache)
    assert again.rendered == 0
    assert {p.relative_to(out).as_posix(): p.stat().st_mtime_ns for p in out.rglob("*.pf_meta")} == parts_before

    edited = root / "content/series/seri-05.md"
    edited.write_text(edited.read_text().replace("bagian 5.", "bagian 5, dengan kata baru zamrud."))
    built(root, out, cache_dir=cache)
    clean = tmp_path / "clean"
    built(root, clean, use_cache=False)
    a, b = tree_bytes(out), tree_bytes(clean)
    assert a.keys() == b.keys() and [rel for rel in a if a[rel] != b[rel]] == []
    # Only the part holding the edited page was indexed again.
    after = {p.relative_to(out).as_posix(): p.stat().st_mtime_ns for p in out.rglob("*.pf_meta")}
    assert len(after) == len(parts_before) == len(first.site.series) // 8 + 1
    assert sum(after.get(rel) != t for rel, t in parts_before.items()) == 1

    # A new series, a removed one, and search switched off and on again.
    (root / "content/series/baru.md").write_text('---\ntitle: Seri Baru\nprogram: asn-belajar\ndate: "2023-05-04"\n---\nIsi.\n')
    (root / "content/series/seri-01.md").unlink()
    built(root, out, cache_dir=cache)
    built(root, out, cache_dir=cache, search=False)
    assert not (out / "pagefind").exists()
    built(root, out, cache_dir=cache)
    built(root, clean, use_cache=False)
    a, b = tree_bytes(out), tree_bytes(clean)
    assert a.keys() == b.keys() and [rel for rel in a if a[rel] != b[rel]] == []


def _pagefind_alone(tmp_path: Path, name: str, pages: list) -> dict:
    """Pagefind's own bundle of `pages` (built series pages), as it wrote it."""
    job = search.IndexJob([], lambda rel: pages[rel], tmp_path, tmp_path / "cwd", "id", os.getpid(), None)
    (tmp_path / "cwd").mkdir(exist_ok=True)
    failure, bundle = search._pagefind(job, name, tuple(sorted(pages)), lambda b: b)
    assert failure is None, failure
    return bundle


def _decoded(bundle: dict) -> dict:
    """What a bundle holds, with every page named by its fragment instead of its number:
    the pages, each word's positions on each page, each filter value's pages, the
    metadata's other lists and the fragments."""
    entry = json.loads(bundle["pagefind-entry.json"])
    (lang, info), = entry["languages"].items()
    meta = search._unpack(bundle[f"pagefind.{info['hash']}.pf_meta"])
    named = [h for h, _count in meta[1]]
    words = set()
    for _from, _to, h in meta[2]:
        for word, pages, extra in (e for e, _raw in search._word_entries(bundle[f"index/{h}.pf_index"])):
            number = 0
            for page in pages:
                number += page[0]
                words.add((word, named[number], tuple(page[1]), tuple(page[2]), tuple(extra)))
    filters = {}
    for name, h in meta[3]:
        found = search._unpack(bundle[f"filter/{h}.pf_filter"])
        for value, numbers in found[1]:
            filters[(found[0], value)] = sorted(named[n] for n in numbers)
    return {"entry": {k: v for k, v in entry.items() if k != "languages"}, "count": info["page_count"],
            "version": meta[0], "pages": sorted(map(tuple, meta[1])), "words": words, "filters": filters,
            "sorts": meta[4], "meta": meta[5], "fragments": {k: v for k, v in bundle.items() if k.startswith("fragment/")}}


def test_merged_slices_hold_what_one_pagefind_index_holds(tmp_path):
    """Pagefind indexes a part's slices one by one; `merge` joins them. Decoded, with pages
    named by their fragment, the merged bundle holds exactly what Pagefind's own index of
    all the pages holds: every word on every page at the same positions, every filter
    value on the same pages, the same fragments. (The browser test below also asks both
    the same queries.)"""
    root = make_project(tmp_path, corpus(30))
    built(root, tmp_path / "site", use_cache=False, search=False)
    pages = {p.relative_to(tmp_path / "site").as_posix(): p for p in (tmp_path / "site").glob("seri/*/index.html")}
    rels = sorted(pages)
    whole = search.normalise(_pagefind_alone(tmp_path, "whole", pages))
    slices = [{rel: pages[rel] for rel in rels[k::3]} for k in range(3)]
    merged = search.merge([search.slice_data(_pagefind_alone(tmp_path, f"s{k}", piece)) for k, piece in enumerate(slices)])
    a, b = _decoded(whole), _decoded(merged)
    assert len(a["pages"]) == len(rels) == 31 and len(a["words"]) > 400 and len(a["filters"]) >= 8
    assert {k: a[k] == b[k] for k in a} == {k: True for k in a}
    # One slice merged alone is the same index too.
    assert _decoded(search.merge([search.slice_data(_pagefind_alone(tmp_path, "one", pages))])) == a


def test_an_edit_indexes_only_its_slice_and_kept_slices_are_checked(tmp_path, monkeypatch):
    """The build cache keeps each slice Pagefind indexed; after an edit only the edited
    page's slice is indexed again, and the result equals a clean build. A kept slice whose
    file changed on disk is not used but indexed again; files no build needs are removed."""
    root = make_project(tmp_path, corpus(40))
    out, cache = tmp_path / "out", tmp_path / "cache"
    runs = []
    real = search._start

    def counted(site, *args):
        runs.append(sorted(p.parent.name for p in site.glob("seri/*/index.html")))
        return real(site, *args)

    monkeypatch.setattr(search, "_start", counted)
    built(root, out, cache_dir=cache)
    store = next(cache.rglob("search"))
    first = len(runs)
    assert first == search.SLICES_PER_PART  # 41 pages: one part
    assert len(os.listdir(store)) == first + 1  # and Pagefind's scripts

    edited = root / "content/series/seri-05.md"
    edited.write_text(edited.read_text().replace("bagian 5.", "bagian 5, dengan kata baru zamrud."))
    runs.clear()
    built(root, out, cache_dir=cache)
    assert len(runs) == 1 and any("seri-05" in slug for slug in runs[0]) and len(runs[0]) < 20

    def equals_clean():
        clean = tmp_path / "clean"
        built(root, clean, use_cache=False)
        a, b = tree_bytes(out), tree_bytes(clean)
        assert a.keys() == b.keys() and [rel for rel in a if a[rel] != b[rel]] == []

    equals_clean()
    assert len(os.listdir(store)) == first + 1  # the edited slice's old file is gone

    # A kept slice's file changed on disk (one byte of a fragment; the file still decodes):
    # not used.
    import cbor2

    def holds_the_edited_page(value) -> bool:
        return any(b"seri-05" in gzip.decompress(data) for data in value["fragments"].values())

    kept = {name: cbor2.loads((store / name).read_bytes()) for name in sorted(os.listdir(store))}
    victim = next(name for name, value in kept.items() if "words" in value and not holds_the_edited_page(value))
    data = (store / victim).read_bytes()
    fragment = next(iter(kept[victim]["fragments"].values()))
    changed = fragment[:20] + bytes([fragment[20] ^ 1]) + fragment[21:]
    (store / victim).write_bytes(data.replace(fragment, changed))
    assert type(cbor2.loads((store / victim).read_bytes())) is dict
    edited.write_text(edited.read_text().replace("zamrud", "zamrud dan safir"))
    runs.clear()
    built(root, out, cache_dir=cache)
    assert changed != fragment, "the tampering changed nothing"
    assert len(runs) == 2, runs  # the edited slice, and the one whose file changed
    equals_clean()

    # The slices' folder replaced by a link to a folder elsewhere: removed, not followed.
    import shutil

    outside = tmp_path / "outside"
    outside.mkdir()
    shutil.rmtree(store)
    store.symlink_to(outside)
    edited.write_text(edited.read_text().replace("safir", "safir lagi"))
    built(root, out, cache_dir=cache)
    assert list(outside.iterdir()) == [] and store.is_dir() and not store.is_symlink()
    equals_clean()


def test_only_series_pages_are_indexed(tmp_path):
    root = make_project(tmp_path, corpus(3))
    built(root, tmp_path / "out", use_cache=False)
    entry = json.loads((tmp_path / "out/pagefind/pagefind-entry.json").read_text())
    assert entry["languages"]["id"]["page_count"] == 4  # the shipped base has one series too
    assert not (tmp_path / "out/pagefind/bagian-2").exists()


def _bundle(tmp_path) -> dict:
    root = make_project(tmp_path, corpus(9))
    built(root, tmp_path / "out", use_cache=False)
    return search.read_bundle(tmp_path / "out/pagefind")


def test_normalise_orders_filters_whatever_order_pagefind_wrote(tmp_path):
    files = _bundle(tmp_path)
    meta_rel = next(rel for rel in files if rel.endswith(".pf_meta"))
    meta = search._unpack(files[meta_rel])
    assert sorted(name for name, _ in meta[3]) == ["kompetensi", "program", "tahun"]
    # Shuffle what Pagefind may shuffle: the filter list and the values in each filter file.
    rng = random.Random(7)
    shuffled = dict(files)
    for name, h in meta[3]:
        value = search._unpack(shuffled[f"filter/{h}.pf_filter"])
        rng.shuffle(value[1])
        shuffled[f"filter/{h}.pf_filter"] = search._pack(value)[0]
    rng.shuffle(meta[3])
    del shuffled[meta_rel]
    data, full = search._pack(meta)
    shuffled[f"pagefind.id_{full[:10]}.pf_meta"] = data
    entry = json.loads(shuffled["pagefind-entry.json"])
    entry["languages"]["id"]["hash"] = f"id_{full[:10]}"
    shuffled["pagefind-entry.json"] = json.dumps(entry, separators=(",", ":")).encode()
    assert search.normalise(shuffled) == search.normalise(files) == files


def test_normalised_files_are_what_pagefind_reads(tmp_path):
    files = _bundle(tmp_path)
    entry = json.loads(files["pagefind-entry.json"])
    meta = search._unpack(files[f"pagefind.{entry['languages']['id']['hash']}.pf_meta"])
    for name, h in meta[3]:
        raw = gzip.decompress(files[f"filter/{h}.pf_filter"])
        assert raw.startswith(b"pagefind_dcd")
        value = search._unpack(files[f"filter/{h}.pf_filter"])
        assert value[0] == name and [v for v, _ in value[1]] == sorted(v for v, _ in value[1])


def test_pagefind_ignores_project_config_and_variables(tmp_path, monkeypatch):
    root = make_project(tmp_path, corpus(3))
    (root / "pagefind.yml").write_text("output_subdir: elsewhere\nforce_language: en\n")
    monkeypatch.setenv("PAGEFIND_OUTPUT_SUBDIR", "elsewhere")
    monkeypatch.setenv("PAGEFIND_FORCE_LANGUAGE", "en")
    monkeypatch.chdir(root)
    built(root, tmp_path / "out", use_cache=False)
    entry = json.loads((tmp_path / "out/pagefind/pagefind-entry.json").read_text())
    assert list(entry["languages"]) == ["id"]
    assert not list(tmp_path.rglob("elsewhere"))


def _words(files: dict) -> tuple[list, list]:
    """(every word entry of a bundle's index in order, the metadata's chunk list)."""
    entry = json.loads(files["pagefind-entry.json"])
    meta = search._unpack(files[f"pagefind.{entry['languages']['id']['hash']}.pf_meta"])
    words = [w for _f, _t, h in meta[2] for w in search._unpack(files[f"index/{h}.pf_index"])[0]]
    return words, meta[2]


def _raw_pagefind(tmp_path, n: int = 24) -> dict:
    """Pagefind's own bundle for a corpus, as it wrote it."""
    root = make_project(tmp_path, corpus(n))
    built(root, tmp_path / "site", use_cache=False, search=False)
    out = tmp_path / "raw"
    import subprocess

    subprocess.run(search.command(tmp_path / "site", out, "id"), check=True, cwd=tmp_path, env=search.environment())
    return search.read_bundle(out)


def test_pagefind_data_files_are_read_and_written_back_byte_for_byte(tmp_path):
    """cbor2 encodes what it decoded exactly as Pagefind encoded it: re-cutting the word
    index and re-ordering the filters change only what they mean to change."""
    files = _raw_pagefind(tmp_path)
    data = [rel for rel in files if rel.endswith((".pf_meta", ".pf_index", ".pf_filter"))]
    assert any(rel.startswith("index/") for rel in data) and any(rel.startswith("filter/") for rel in data)
    for rel in data:
        raw = gzip.decompress(files[rel])
        assert search.SIGNATURE + search.cbor2.dumps(search._unpack(files[rel])) == raw, rel
    for bad in (raw + b"\x01", raw[len(search.SIGNATURE):], raw[:-1]):
        with pytest.raises(Exception):
            search._unpack(gzip.compress(bad))


def test_the_word_index_is_cut_smaller_and_holds_the_same_words(tmp_path, monkeypatch):
    files = _raw_pagefind(tmp_path)
    monkeypatch.setattr(search, "CHUNK_POSITIONS", None)
    as_pagefind = search.normalise(files)
    monkeypatch.setattr(search, "CHUNK_POSITIONS", 40)
    small = search.normalise(files)
    before, pagefind_chunks = _words(as_pagefind)
    after, chunks = _words(small)
    assert after == before and len(before) > 50  # the same entries, in the same order
    assert len(pagefind_chunks) == 1 < len(chunks)
    assert not [rel for rel in as_pagefind if rel.startswith("index/") and rel in small]  # all index files new
    # The bounds: in order, each chunk's words between them, neighbours told apart.
    position = 0
    for i, (first, last, name) in enumerate(chunks):
        words = [w[0] for w in search._unpack(small[f"index/{name}.pf_index"])[0]]
        assert words == [w[0] for w in after[position : position + len(words)]]
        position += len(words)
        assert words[0].startswith(first) or i > 0 and first <= words[0]
        assert words[-1][: len(last)] <= last
        if i + 1 < len(chunks):
            assert last < chunks[i + 1][0]
            size = sum(len(page[1]) + 1 for w in search._unpack(small[f"index/{name}.pf_index"])[0] for page in w[1])
            assert size >= 40
    assert position == len(after)
    assert search.normalise(files) == small  # deterministic


def test_chunks_never_part_a_word_from_its_extension():
    entry = lambda word, positions: [word, [[0, list(range(positions)), []]], [[]]]
    words = [entry("pela", 1), entry("pelayan", 5), entry("pelayanan", 5), entry("pelayananan", 1), entry("peta", 5), entry("zona", 5)]
    chunks = search.chunk_words(words, 5)
    assert [[w[0] for w in c] for c in chunks] == [["pela", "pelayan", "pelayanan", "pelayananan"], ["peta"], ["zona"]]
    assert search.chunk_words([], 5) == []
    assert search._prefixes("pelayananan", "peta") == ("pel", "pet")


def _processes_using(marker: str) -> list:
    """Processes whose command line or working folder names `marker`."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().decode("utf-8", "replace")
            cwd = os.readlink(f"/proc/{pid}/cwd")
        except OSError:
            continue
        if marker in cmdline or marker in cwd:
            found.append((pid, cmdline.replace("\0", " ")))
    return found


@pytest.mark.skipif(not Path("/proc/self/cmdline").exists(), reason="needs /proc")
def test_a_build_killed_while_its_workers_index_leaves_nothing_running(tmp_path, monkeypatch):
    """Parts are indexed in forked workers, each running Pagefind. Killing the build
    there (SIGKILL, from a worker) takes the workers and their Pagefind with it, and the
    next build removes the scratch folder and makes the same index as a clean build."""
    import subprocess

    root = make_project(tmp_path, corpus(24))
    out = tmp_path / "out"
    script = (
        "import sys, datetime as dt; from pathlib import Path; sys.path.insert(0, sys.argv[1]);"
        "from sitegen import search; from sitegen.pipeline import Options, build;"
        "search.PAGES_PER_PART = 4;"
        "build(Options(root=Path(sys.argv[2]), output=Path(sys.argv[3]), today=dt.date(2026, 11, 23), use_cache=False, jobs=2))"
    )
    env = dict(os.environ, SITEGEN_TEST_KILL_AT="indexing")
    proc = subprocess.run([sys.executable, "-c", script, str(REPO_ROOT), str(root), str(out)], env=env, timeout=120)
    assert proc.returncode == -9
    scratch = [p for p in tmp_path.iterdir() if p.name.startswith(".out.search-")]
    assert scratch, "killed before the scratch folder was made"
    twin = writer.ram_twin(scratch[0])
    if _ram_usable():  # the slices were staged in memory, and the killed build left them there
        assert twin.is_dir() and any(twin.iterdir())
        assert sorted(p.name for p in scratch[0].iterdir()) == ["cwd"]
    deadline = time.monotonic() + 10
    while _processes_using(scratch[0].name) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _processes_using(scratch[0].name) == []
    assert not out.exists()  # a clean build is swapped in whole, or not at all
    del env["SITEGEN_TEST_KILL_AT"]
    assert subprocess.run([sys.executable, "-c", script, str(REPO_ROOT), str(root), str(out)], env=env, timeout=120).returncode == 0
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out.")]
    assert not twin.exists()  # removed with the scratch folder it belonged to
    assert len([p for p in (out / "pagefind").rglob("pagefind-entry.json")]) == 7  # 25 pages, 4 per part
    monkeypatch.setattr(search, "PAGES_PER_PART", 4)
    built(root, tmp_path / "clean", use_cache=False, jobs=1)
    assert tree_bytes(out) == tree_bytes(tmp_path / "clean")


def _ram_usable() -> bool:
    try:
        st = os.statvfs(writer.RAM_FOLDER)
    except OSError:
        return False
    return os.access(writer.RAM_FOLDER, os.W_OK) and st.f_bavail * st.f_frsize >= writer.RAM_FREE


def _pagefind_runs(monkeypatch) -> list:
    """(site folder, output folder, its pages, the owner of their folder) of every Pagefind
    run from now on (workers: jobs=1)."""
    runs = []
    start = search._start

    def recording(site, out, cwd, language):
        runs.append((Path(site), Path(out), sorted(p.relative_to(site).as_posix() for p in Path(site).rglob("*.html")),
                     Path(site).parent.stat().st_uid))
        return start(site, out, cwd, language)

    monkeypatch.setattr(search, "_start", recording)
    return runs


@pytest.mark.skipif(not _ram_usable(), reason="needs a writable /dev/shm")
def test_slices_are_staged_and_indexed_in_memory_not_on_the_sites_disk(tmp_path, small_parts, monkeypatch):
    """Each slice's pages and Pagefind's bundle of them are short-lived files, hundreds a
    slice: they are made in memory (/dev/shm), in a folder of this user's named after the
    scratch folder beside the output, and nothing of them is left once the build is done.
    Without /dev/shm they are made beside the output as before, and the site's pages and
    its index hold the same (the index numbers the pages in the order the folder lists
    them, which differs between file systems)."""
    root = make_project(tmp_path, corpus())
    runs = _pagefind_runs(monkeypatch)
    built(root, tmp_path / "out", use_cache=False)
    series = sorted(p.relative_to(tmp_path / "out").as_posix() for p in (tmp_path / "out").glob("seri/*/index.html"))
    assert len(series) == 25 and len(runs) > 4  # 4 parts of 8 pages, each in slices
    assert sorted(rel for _site, _out, pages, _uid in runs for rel in pages) == series
    for site, out, _pages, uid in runs:
        assert site.parent == out.parent and site.parent.parent == writer.RAM_FOLDER, (site, out)
        assert site.parent.name.startswith("sitegen-") and uid == os.getuid()
        assert not site.exists() and not out.exists()
    assert not runs[0][0].parent.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out.")]

    runs.clear()
    monkeypatch.setattr(writer, "RAM_FOLDER", tmp_path / "no-such-folder")
    built(root, tmp_path / "disk", use_cache=False)
    assert len(runs) > 4 and all(site.parent.name.startswith(".disk.search-") for site, _out, _pages, _uid in runs)
    a, b = tree_bytes(tmp_path / "out"), tree_bytes(tmp_path / "disk")
    outside = sorted(rel for rel in a if not rel.startswith("pagefind/"))
    assert outside == sorted(rel for rel in b if not rel.startswith("pagefind/")) and [rel for rel in outside if a[rel] != b[rel]] == []
    entries = sorted(rel for rel in a if rel.endswith("pagefind-entry.json"))
    assert len(entries) == 4 and entries == sorted(rel for rel in b if rel.endswith("pagefind-entry.json"))
    for entry in entries:
        folder = entry[: -len("pagefind-entry.json")]
        one = {rel[len(folder):]: data for rel, data in a.items() if rel.startswith(folder) and "/bagian-" not in rel[len(folder):]}
        two = {rel[len(folder):]: data for rel, data in b.items() if rel.startswith(folder) and "/bagian-" not in rel[len(folder):]}
        assert _decoded(one) == _decoded(two)


@pytest.mark.skipif(not _ram_usable() or os.getuid() != 0, reason="needs a writable /dev/shm and root (to make another user's folder)")
def test_a_memory_folder_name_another_user_holds_is_not_used(tmp_path, small_parts, monkeypatch):
    """The folder's name in /dev/shm can be guessed; one made first by another user (to read
    or swap the pages) is left alone and the slices are made beside the output instead."""
    root = make_project(tmp_path, corpus(6))
    scratch = tmp_path / ".out.search-123"
    twin = writer.ram_twin(scratch)
    twin.mkdir()
    try:
        os.chown(twin, 65534, 65534)
        assert writer.make_ram_twin(scratch) is None
        assert twin.is_dir() and twin.stat().st_uid == 65534
    finally:
        os.rmdir(twin)
    made = writer.make_ram_twin(scratch)
    assert made == twin and twin.is_dir() and twin.stat().st_uid == os.getuid()
    (twin / "left").write_text("by a killed build")
    assert writer.make_ram_twin(scratch) == twin and list(twin.iterdir()) == []  # this user's leftover: emptied
    os.rmdir(twin)
    runs = _pagefind_runs(monkeypatch)
    monkeypatch.setattr(writer, "RAM_FREE", 1 << 60)  # no /dev/shm has that much: the disk is used
    built(root, tmp_path / "out", use_cache=False)
    assert runs and all(site.parent.name.startswith(".out.search-") for site, _out, _pages, _uid in runs)


def _death_signal(_i: int) -> int:
    import ctypes

    value = ctypes.c_int(-1)
    ctypes.CDLL(None, use_errno=True).prctl(2, ctypes.byref(value))  # PR_GET_PDEATHSIG
    return value.value


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_workers_and_their_pagefind_die_with_the_build():
    """A killed build cannot leave a worker indexing (or writing pages) into a folder the
    next build is cleaning: workers are told to die with their parent, and so is every
    Pagefind a worker starts."""
    from sitegen import parallel

    assert parallel.run(_death_signal, [0, 1, 2, 3], 2) == [signal.SIGKILL] * 4
    import subprocess

    # A program started as Pagefind is keeps the setting through exec: through setpriv
    # (then Python starts it with vfork), or, where there is none, with a preexec_fn.
    show = [sys.executable, "-c", "import ctypes; v = ctypes.c_int(-1); ctypes.CDLL(None).prctl(2, ctypes.byref(v)); print(v.value)"]
    found = []
    for setpriv in ([], [None]):
        parallel._SETPRIV[:] = setpriv
        command, preexec = parallel.dying_with_this_process(show)
        found.append((command[0], preexec is None))
        started = subprocess.run(command, preexec_fn=preexec, capture_output=True, text=True)
        assert started.stdout.strip() == str(int(signal.SIGKILL)), started.stderr
    parallel._SETPRIV[:] = []
    assert found[1] == (sys.executable, False)
    if os.path.exists("/usr/bin/setpriv"):  # util-linux, on every Debian and Ubuntu
        assert found[0] == ("/usr/bin/setpriv", True)
    assert subprocess.run(show, capture_output=True, text=True).stdout.strip() == "0"


def test_pagefind_is_the_pinned_binary_run_directly(tmp_path, monkeypatch):
    """Pagefind's binary from the installed package, not `python -m pagefind`, and never
    one named by PAGEFIND_BINARY_PATH or found on PATH."""
    fake = tmp_path / "bin" / "pagefind_extended"
    fake.parent.mkdir()
    fake.write_text("#!/bin/sh\necho ran > \"$(dirname \"$0\")/ran\"\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(fake))
    monkeypatch.setenv("PATH", f"{fake.parent}:{os.environ['PATH']}")
    cmd = search.command(tmp_path / "site", tmp_path / "out", "id")
    assert Path(cmd[0]).name.startswith("pagefind") and Path(cmd[0]).parent != fake.parent
    assert "-m" not in cmd and cmd[cmd.index("--force-language") + 1] == "id"
    root = make_project(tmp_path, corpus(3))
    built(root, tmp_path / "out", use_cache=False)
    assert not (fake.parent / "ran").exists()
    assert (tmp_path / "out/pagefind/pagefind-entry.json").is_file()


def test_a_missing_pagefind_is_a_problem_not_a_crash(tmp_path, monkeypatch):
    def missing():
        raise FileNotFoundError("pagefind_bin_extended (pip install -r requirements.txt)")

    monkeypatch.setattr(search, "executable", missing)
    root = make_project(tmp_path, corpus(3))
    with pytest.raises(BuildFailed) as failed:
        built(root, tmp_path / "out", use_cache=False)
    [problem] = failed.value.problems.errors
    assert problem.path == "site.yaml" and "pip install -r requirements.txt" in problem.message
    assert not (tmp_path / "out").exists()  # nothing written


# ---- in the browser ----------------------------------------------------------------------

def _results(page, query: str, program: str | None = None) -> list:
    """Every result of a query (optionally with one program ticked), as hrefs."""
    page.locator("#cari .pagefind-ui__search-input").fill(query)
    message = page.locator(".pagefind-ui__message").filter(has_text=f"cocok dengan {query}")
    message.wait_for(timeout=20000)
    if program:
        before = message.inner_text()
        # Opened, not toggled: a click on the group's name closed it again when an earlier
        # query of the same page had left it open (seen once on a loaded machine).
        page.locator(".pagefind-ui__filter-block", has=page.locator(".pagefind-ui__filter-name", has_text="program")) \
            .first.evaluate("block => { block.open = true; }")
        page.locator(f"input[name=program][value='{program}']").check()
        page.wait_for_function("t => document.querySelector('.pagefind-ui__message').textContent.trim() != t", arg=before.strip())
        message.wait_for(timeout=20000)
    text = message.inner_text()
    if text.split()[0] == "Tidak":  # "Tidak ada hasil ..."
        return []
    total = int(text.split()[0])
    links = page.locator(".pagefind-ui__result-link")
    while links.count() < total:
        more = page.locator(".pagefind-ui__button", has_text="Tampilkan")
        if more.count():
            more.click()
        page.wait_for_timeout(200)
    return sorted(a.get_attribute("href") for a in links.all())


@needs_chromium
def test_an_index_in_parts_finds_and_filters_like_one_index(tmp_path, monkeypatch, tab):
    root = make_project(tmp_path, corpus())
    www = tmp_path / "www"
    found = {}
    with serve_folder(www) as origin:
        # One index as Pagefind cuts it, against parts of 8 pages whose word index is cut
        # into chunks of 6 positions (only the series text is indexed: title, speakers, competency,
        # program and date are metadata, so each page holds few words).
        # The one index is a single Pagefind run (one slice); each part of the other is
        # merged from slices of its pages, each indexed by Pagefind on its own.
        monkeypatch.setattr(search, "CHUNK_POSITIONS", None)
        monkeypatch.setattr(search, "SLICES_PER_PART", 1)
        build(Options(root=root, output=www / "one", today=TODAY, use_cache=False, base_url=origin + "/one/"))
        monkeypatch.setattr(search, "PAGES_PER_PART", 8)
        monkeypatch.setattr(search, "SLICES_PER_PART", 3)
        monkeypatch.setattr(search, "CHUNK_POSITIONS", 6)
        build(Options(root=root, output=www / "parts", today=TODAY, use_cache=False, base_url=origin + "/parts/"))
        assert len(list((www / "parts/pagefind/index").iterdir())) > 10 > len(list((www / "one/pagefind/index").iterdir()))
        assert (www / "parts/pagefind/bagian-4/pagefind-entry.json").is_file()
        for site in ("one", "parts"):
            opened = tab(f"{origin}/{site}/cari/", width=1280, height=900)
            found[site] = [
                [h.removeprefix(f"/{site}") for h in _results(opened.page, q, prog)]
                for q, prog in (("pelayanan", None), ("kesehatan", None), ("etika", None), ("seri", None),
                                ("seri", "ASN Mengaji"))
            ]
            assert opened.errors == []
    one = found["one"]
    assert [len(hrefs) for hrefs in one] == [3, 3, 3, 25, 8]
    assert found["parts"] == one


# ---- the search page on a phone (the shipped site) ---------------------------------------

@pytest.fixture(scope="module")
def phone_search(content, tmp_path_factory, browser):
    """The content's site with its search index, in Chromium at 360 px: (query, the number of
    series, page errors, the words to search for, taken from the content)."""
    tmp = tmp_path_factory.mktemp(f"phone-{content.name}")
    root = copy_repo_project(tmp / "proj", content.root)
    www = tmp / "www"
    with serve_folder(www) as origin:
        result = build(Options(root=root, output=www / "s", today=content.today, use_cache=False, base_url=origin + "/s/"))
        words = contentfacts.search_words(content.facts)
        opened = Tab(browser, width=360, height=800)
        page = opened.page

        def query(text: str):
            page.goto(f"{origin}/s/cari/")
            page.locator("#cari .pagefind-ui__search-input").fill(text)
            page.locator(".pagefind-ui__message").filter(has_text=text).wait_for(timeout=20000)
            page.wait_for_timeout(300)
            return page

        yield query, len(result.site.series), opened.errors, words
        opened.close()


def test_results_are_body_size_and_the_first_is_on_the_first_screen(phone_search):
    query, _, errors, words = phone_search
    page = query(words.common)
    body = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    sizes = page.evaluate("""() => [...document.querySelectorAll(
        '.pagefind-ui__result-title, .pagefind-ui__result-excerpt, .pagefind-ui__message, .pagefind-ui__filter-name')]
        .map(e => parseFloat(getComputedStyle(e).fontSize))""")
    assert sizes and min(sizes) >= body
    first = page.locator(".pagefind-ui__result").first.bounding_box()
    assert first["y"] + 60 <= 800, "the first result is not on the first screen at 360 px"
    assert errors == []


def test_touch_targets_are_at_least_24_px(phone_search):
    query, _, _, words = phone_search
    page = query(words.common)
    page.locator(".pagefind-ui__filter-name").first.click()
    boxes = page.evaluate("""() => [...document.querySelectorAll(
        '.pagefind-ui__filter-checkbox, .pagefind-ui__filter-name, .pagefind-ui__search-clear, .pagefind-ui__result-link')]
        .filter(e => e.offsetParent).map(e => { const r = e.getBoundingClientRect(); return [e.className, r.width, r.height]; })""")
    assert boxes
    assert [b for b in boxes if b[1] < 24 or b[2] < 24] == []
    # A title that fits on one line (a short one, as editors write) is the smallest a result
    # link gets: shorten the first one and measure it again.
    short = page.evaluate("""() => { const a = document.querySelector('.pagefind-ui__result-link');
        a.textContent = 'Etika ASN'; const r = a.getBoundingClientRect(); return [r.width, r.height]; }""")
    assert short[0] >= 24 and short[1] >= 24, short


def test_field_labels_are_not_indexed_and_stay_apart_from_values(phone_search):
    query, series_count, _, words = phone_search
    page = query("narasumber")
    message = page.locator(".pagefind-ui__message").inner_text()
    matched = int(message.split()[0]) if message.split()[0].isdigit() else 0
    assert matched < series_count  # the label "Narasumber" no longer matches every series
    page = query(words.month)
    excerpts = " ".join(page.locator(".pagefind-ui__result-excerpt").all_inner_texts())
    assert excerpts
    import re

    assert not re.search(r"(Tanggal|Narasumber|Kompetensi|Topik|Program)(Senin|Selasa|Rabu|Kamis|Jumat|[A-Z])", excerpts)


def test_filter_options_without_a_match_are_hidden(phone_search, content):
    from playwright.sync_api import TimeoutError as PlaywrightTimeout  # as phone_search loads it

    query, _, _, words = phone_search
    page = query(words.rare)
    for name in page.locator(".pagefind-ui__filter-name").all():
        name.click()
    # Pagefind's UI draws the options after its filters load, and the page hides the "(0)"
    # ones as they appear: wait (bounded) for options on screen, none of them "(0)", then
    # look. A page that never hides them fails below.
    try:
        page.wait_for_function("""() => {
            const shown = [...document.querySelectorAll('.pagefind-ui__filter-value label')]
                .filter(e => e.offsetParent).map(e => e.innerText.trim());
            return shown.length > 0 && shown.every(t => !t.endsWith('(0)'));
        }""", timeout=10_000)
    except PlaywrightTimeout:
        pass
    shown = [t.strip() for t in page.locator(".pagefind-ui__filter-value:visible label").all_inner_texts()]
    hidden = page.locator(".pagefind-ui__filter-value[hidden]").count()
    # No option the visitor sees says "(0)": a program none of whose series holds the word
    # is not offered. Pagefind's UI sometimes leaves such an option out by itself and
    # sometimes draws it with "(0)", which the page then hides; either way it is not shown.
    assert shown and all(not t.endswith("(0)") for t in shown)
    if {s.program for s in content.facts.series} - words.rare_programs:
        drawn = [t.strip() for t in page.locator(".pagefind-ui__filter-value label").all_inner_texts()]
        assert hidden == sum(1 for t in drawn if t.endswith("(0)")), drawn


def test_no_results_says_what_to_try(phone_search):
    query, _, _, words = phone_search
    page = query("zzqxv")
    hint = page.locator("[data-search-empty]")
    hint.wait_for(state="visible", timeout=5000)
    text = hint.inner_text()
    assert "ejaan" in text and "lebih sedikit kata" in text
    assert hint.locator("a").get_attribute("href").endswith("/s/arsip/")
    page = query(words.common)
    assert not hint.is_visible()


def test_word_index_chunks_keep_pagefinds_bytes_and_equal_a_fresh_encoding(tmp_path, monkeypatch):
    """The smaller chunks are written by joining the entries' bytes as Pagefind wrote them
    (search._word_entries), not by encoding the entries again: each chunk file must decode
    to its entries and be byte for byte what cbor2 makes of them, for chunks of few and of
    many entries (array heads of one, two and three bytes)."""
    files = _raw_pagefind(tmp_path)
    for limit in (40, 2000, None):
        monkeypatch.setattr(search, "CHUNK_POSITIONS", limit)
        small = search.normalise(files)
        index = [rel for rel in small if rel.startswith("index/")]
        assert index
        for rel in index:
            raw = gzip.decompress(small[rel])
            value = search._unpack(small[rel])
            assert search.SIGNATURE + search.cbor2.dumps(value) == raw, (limit, rel)
            entries = search._word_entries(small[rel])
            assert [e for e, _b in entries] == value[0] and [b for _e, b in entries] == [search.cbor2.dumps(e) for e in value[0]]
    for count in (0, 1, 23, 24, 255, 256, 65535, 65536):
        assert search._array_head(count) == search.cbor2.dumps([0] * count)[: len(search._array_head(count))]
        assert search.cbor2.loads(search._array_head(count) + b"\x00" * count) == [0] * count
    # A file of another shape (an indefinite-length array) is decoded and encoded again.
    entries = [["kata", [[0, [1, 2], []]]], ["lain", [[1, [3], []]]]]
    odd = gzip.compress(search.SIGNATURE + b"\x81\x9f" + b"".join(search.cbor2.dumps(e) for e in entries) + b"\xff")
    assert search._word_entries(odd) == [(e, search.cbor2.dumps(e)) for e in entries]
    with pytest.raises(Exception):
        search._word_entries(gzip.compress(search.SIGNATURE + search.cbor2.dumps([entries]) + b"\x00"))
