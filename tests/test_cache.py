"""The build cache is data, not code: JSON with a header (format, engine code hash, payload
digest); a truncated, garbage, foreign or tampered file is ignored and the build is the
same as a clean one. Also: an in-place rebuild killed half-way leaves a site that the next
build repairs."""

from __future__ import annotations

import datetime as dt
import json
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, copy_repo_project, run_cli, tree_bytes
from sitegen import cache, model
from sitegen.problems import Problem

TODAY = "2026-11-23"


def build(root: Path, out: Path, *extra: str) -> str:
    proc = run_cli("build", "--root", str(root), "--output", str(out), "--no-search", "--today", TODAY, *extra)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def rendered(stdout: str) -> int:
    return int(stdout.split("(")[1].split(" rendered")[0])


def test_values_round_trip_as_plain_data():
    series = model.Series(
        slug="s", title="Judul", program="asn-belajar", date=dt.date(2024, 2, 22), time=dt.time(9, 30),
        speakers=("A", "B"), competency=None, tags=(model.Tag("data", "Data"),), reach=(("zoom", 10),),
        video=None, summary="", draft=False, sample=True, _body="<p>x</p>", path="content/series/s.md",
        fingerprint="f", duration=90, links=(("zoom", "https://example.org/j/1"),),
    )
    value = {("k", 1, None, True): (series, [1, 2.5, "x"], {"a": dt.date(2024, 1, 1)}, {3: "int key"}),
             "problem": Problem("a.md", 3, "pesan", "warning")}
    data = cache.encode_file("objects", value)
    assert cache.decode_file("objects", data) == value
    back = cache.decode_file("objects", data)
    assert type(back[("k", 1, None, True)][1]) is list and type(back[("k", 1, None, True)]) is tuple
    json.loads(data.split(b"\n", 2)[2])  # the payload is plain JSON


def test_values_that_are_not_data_are_refused():
    with pytest.raises(TypeError):
        cache.to_data(object())
    with pytest.raises(TypeError):
        cache.to_data({1, 2})
    # A class name outside the list, or a wrong number of fields, is refused on reading.
    for bad in ({"c": "Path", "v": ["/etc/passwd"]}, {"c": "Tag", "v": ["a"]}, {"x": 1}, {"c": "Tag"},
                {"d": [[[1], 2]]}, {"d": [1]}, {"d": [[1, 2, 3]]}, {"t": "ab"}, {"date": 20240101},
                {"date": "2024-13-01"}, [1, {"a": 1, "b": 2}], {"c": "Tag", "v": ["a", "b"], "x": 1}):
        with pytest.raises(ValueError):
            cache.from_json(json.dumps(bad))


def _good_file() -> bytes:
    return cache.encode_file("state", {"a": (1, 2)})


@pytest.mark.parametrize("damage", [
    "truncated", "garbage", "empty", "wrong version", "wrong kind", "tampered payload", "tampered digest", "pickle",
])
def test_a_bad_cache_file_is_refused(damage):
    data = _good_file()
    magic, header, payload = data.split(b"\n", 2)
    head = json.loads(header)
    if damage == "truncated":
        data = data[:-3]
    elif damage == "garbage":
        data = b"\x80\x04garbage" * 20
    elif damage == "empty":
        data = b""
    elif damage == "wrong version":
        head["format"] = head["format"].replace("sitegen-cache/", "sitegen-cache/0")
        data = b"\n".join([magic, json.dumps(head).encode(), payload])
    elif damage == "wrong kind":
        head["kind"] = "objects"
        data = b"\n".join([magic, json.dumps(head).encode(), payload])
    elif damage == "tampered payload":
        data = b"\n".join([magic, header, payload.replace(b"1", b"7")])
    elif damage == "tampered digest":
        head["blake2b"] = "0" * 64
        data = b"\n".join([magic, json.dumps(head).encode(), payload])
    elif damage == "pickle":
        data = pickle.dumps(("x", {"a": 1}))
    with pytest.raises(Exception):
        cache.decode_file("state", data)


class Boom:
    """Unpickling this runs code: it writes a file."""

    def __init__(self, target: str):
        self.target = target

    def __reduce__(self):
        return (Path.write_text, (Path(self.target), "pickle code ran"))


@pytest.mark.parametrize("damage", ["truncated", "garbage", "wrong version", "tampered digest", "pickle"])
def test_every_damaged_cache_is_rebuilt_never_run(tmp_path, damage):
    root = copy_repo_project(tmp_path / "proj")
    out = tmp_path / "site"
    build(root, out)
    folder = root / ".cache" / "sitegen"
    files = [folder / "state.json", *sorted((folder / "objects").glob("*.json"))]
    assert len(files) > 2
    evidence = tmp_path / "ran.txt"
    for f in files:
        data = f.read_bytes()
        magic, header, payload = data.split(b"\n", 2)
        head = json.loads(header)
        if damage == "truncated":
            data = data[: len(data) // 2]
        elif damage == "garbage":
            data = bytes(range(256)) * 4
        elif damage == "wrong version":
            head["format"] += "-other"
            data = b"\n".join([magic, json.dumps(head).encode(), payload])
        elif damage == "tampered digest":  # the payload edited, its digest left as it was
            data = b"\n".join([magic, header, payload.replace(b"Contoh", b"Palsu") + b" "])
        elif damage == "pickle":
            data = pickle.dumps(Boom(str(evidence)))
        f.write_bytes(data)
    out_again = build(root, out)
    assert rendered(out_again) > 0  # nothing was trusted
    assert not evidence.exists()
    clean = tmp_path / "clean"
    build(root, clean, "--no-cache")
    assert tree_bytes(out) == tree_bytes(clean)
    assert b"Palsu" not in b"".join(tree_bytes(out).values())
    # The rebuilt cache is good again.
    assert rendered(build(root, out)) == 0


def test_no_pickle_or_compiled_template_is_kept(tmp_path):
    root = copy_repo_project(tmp_path / "proj")
    folder = root / ".cache" / "sitegen"
    (folder / "jinja" / "x").mkdir(parents=True)
    (folder / "jinja" / "x" / "__jinja2_y.cache").write_bytes(b"old compiled template")
    (folder / "state.pickle").write_bytes(b"old")
    build(root, tmp_path / "site")
    from sitegen.writer import CACHE_MARKER  # says the folder was made by the build; it holds no data

    kept = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file() and p.name != CACHE_MARKER)
    assert kept and all(k.endswith(".json") for k in kept), kept
    for name in kept:
        assert (folder / name).read_bytes().startswith(cache.MAGIC)


KILLER = """
import os, sys
sys.path.insert(0, {repo!r})
from sitegen import writer
from sitegen.cli import main
real, calls = os.replace, [0]
def replace(a, b):
    if str(b).endswith("index.html"):
        calls[0] += 1
        if calls[0] == 2:
            os._exit(137)  # killed half-way through the renames
    return real(a, b)
writer.os.replace = replace
sys.exit(main(sys.argv[1:]))
"""


def test_a_killed_in_place_rebuild_is_followed_by_a_clean_one(tmp_path):
    root = copy_repo_project(tmp_path / "proj")
    out = tmp_path / "site"
    build(root, out)
    before = tree_bytes(out)
    for path in sorted((root / "content" / "series").glob("*.md")):
        path.write_text(path.read_text(encoding="utf-8") + "\nParagraf baru.\n", encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-c", KILLER.format(repo=str(REPO)), "build", "--root", str(root), "--output", str(out),
         "--no-search", "--today", TODAY],
        capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 137, proc.stderr
    half = tree_bytes(out)
    assert half != before  # one page was replaced before the kill
    assert not (root / ".cache" / "sitegen" / "state.json").exists()  # dropped before the renames
    # The next build first reads the update's journal and puts the previous site back.
    from sitegen.writer import _recover

    _recover(out)
    assert tree_bytes(out) == before
    again = build(root, out)
    assert rendered(again) > 0
    clean = tmp_path / "clean"
    build(root, clean, "--no-cache")
    assert tree_bytes(out) == tree_bytes(clean)
    assert not [p for p in out.parent.iterdir() if ".tmp-" in p.name]


def test_a_failed_in_place_rebuild_leaves_the_previous_site(tmp_path, monkeypatch):
    from sitegen import writer
    from sitegen.pipeline import Options, build as build_in_process

    root = copy_repo_project(tmp_path / "proj")
    out = tmp_path / "site"
    opts = dict(root=root, output=out, search=False, today=dt.date(2026, 11, 23))
    build_in_process(Options(**opts))
    before = tree_bytes(out)
    for path in sorted((root / "content" / "series").glob("*.md")):
        path.write_text(path.read_text(encoding="utf-8") + "\nParagraf baru.\n", encoding="utf-8")
    real, calls = writer.InPlaceTree.write_file, [0]

    def write_file(self, rel, data):
        calls[0] += 1
        if calls[0] == 3:
            raise OSError(28, "No space left on device")
        return real(self, rel, data)

    monkeypatch.setattr(writer.InPlaceTree, "write_file", write_file)
    with pytest.raises(OSError):
        build_in_process(Options(**opts))
    assert calls[0] == 3
    assert tree_bytes(out) == before  # no temporary file left, nothing replaced
    monkeypatch.undo()
    build_in_process(Options(**opts))
    clean = tmp_path / "clean"
    build_in_process(Options(**dict(opts, output=clean, use_cache=False)))
    assert tree_bytes(out) == tree_bytes(clean)


def test_the_engine_signature_covers_the_whole_package(tmp_path):
    """A module moved into a subfolder, an edited message catalog or a changed font gives
    another signature, so the cache written by the earlier code is not trusted."""
    import shutil as sh

    package = tmp_path / "sitegen"
    sh.copytree(cache.PACKAGE, package, ignore=sh.ignore_patterns("__pycache__"))
    first = cache._engine_signature(package)
    assert first == cache._engine_signature(cache.PACKAGE) and first == cache.FORMAT.rsplit("/", 1)[1]
    (package / "__pycache__").mkdir()
    (package / "__pycache__" / "x.cpython-311.pyc").write_bytes(b"bytecode")
    assert cache._engine_signature(package) == first  # made from the sources by whichever Python runs
    catalog = package / "locale" / "id" / "LC_MESSAGES" / "sitegen.po"
    catalog.write_bytes(catalog.read_bytes() + b"\n")
    second = cache._engine_signature(package)
    assert second != first
    font = next((package / "fonts").iterdir())
    font.write_bytes(font.read_bytes()[:-1])
    third = cache._engine_signature(package)
    assert third not in (first, second)
    (package / "sub").mkdir()
    sh.move(package / "gctune.py", package / "sub" / "gctune.py")
    assert cache._engine_signature(package) not in (first, second, third)
