"""A hostile repository: what a pull request, a careless copy or a restored cache can hold
besides Markdown. Symbolic links (out of the project, dangling, looping, inside it),
named pipes, sockets and devices in every folder the build reads; YAML alias bombs, deep
nesting, giant numbers and long values; dates at the end of time; Pagefind settings
planted in the project or the environment; output and cache folders reached through
links; builds killed in every phase.

Every build runs as a subprocess under a memory limit and a timeout, so a regression fails
the test instead of taking the machine down. The only allowed outcomes: a clean list of
`path:line: message` problems (exit 1), a one-line usage error (exit 2), or a valid site;
never a traceback, a hang, or a byte from outside the project in the output.
"""

from __future__ import annotations

import os
import re
import resource
import signal
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from conftest import REPO, make_project, tree_bytes
from sitegen.writer import _recover as recover

MEMORY = 1536 << 20  # bytes of address space for one build
TIMEOUT = 120  # seconds for one build (a shipped-size build takes about one)
SECRET = "RAHASIA-7f3c9e1a-jangan-terbit"
SCALE = max(1, int(os.environ.get("PROPERTY_SCALE", "1") or 1))
PROBLEM_LINE = re.compile(r"^[^\n]+:[1-9][0-9]*: (warning: )?\S")


def _limits() -> None:  # in the child, before exec
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def run(*args: str, env: dict | None = None, timeout: int = TIMEOUT, cwd: Path | None = None) -> subprocess.CompletedProcess:
    full = {k: v for k, v in os.environ.items() if k not in ("SOURCE_DATE_EPOCH",) and not k.startswith(("PAGEFIND", "SITEGEN_TEST"))}
    full.update(env or {})
    return subprocess.run(
        [sys.executable, str(REPO / "build.py"), *args], cwd=cwd or REPO, env=full, capture_output=True,
        text=True, errors="replace", timeout=timeout, preexec_fn=_limits,
    )


def build(root: Path, *extra: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return run("build", "--root", str(root), "--no-search", "--today", "2024-03-01", *extra, env=env)


def assert_clean_problems(proc: subprocess.CompletedProcess) -> list[str]:
    """Exit 1, every line but the summary a `path:line: message`, no traceback."""
    assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout, proc.stderr[-3000:]
    assert proc.returncode == 1, (proc.returncode, proc.stderr[-3000:])
    lines = proc.stderr.splitlines()
    assert lines and lines[-1].startswith("build failed:") or lines[-1].startswith("check failed:"), lines[-3:]
    for line in lines[:-1]:
        assert PROBLEM_LINE.match(line), line
    return lines[:-1]


def assert_usage_error(proc: subprocess.CompletedProcess, start: str) -> str:
    assert proc.returncode == 2, (proc.returncode, proc.stderr[-2000:])
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert lines[0].startswith(start), lines[0]
    return lines[0]


def no_secret_anywhere(folder: Path) -> None:
    for path in folder.rglob("*"):
        if path.is_file() and not path.is_symlink():
            assert SECRET.encode() not in path.read_bytes(), path


@pytest.fixture
def secret(tmp_path) -> Path:
    """A file outside the project that must never be read into the site."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text(SECRET + "\n", encoding="utf-8")
    (outside / "secret.md").write_text(f"---\ntitle: {SECRET}\nprogram: asn-belajar\ndate: 2024-01-04\n---\n{SECRET}\n", encoding="utf-8")
    (outside / "secret.html").write_text(f"<p>{SECRET}</p>\n", encoding="utf-8")
    return outside


# ---- links and special files in every folder the build reads ----------------------------------

FOLDERS = ["content/series", "content/pages", "content/programs", "content/series/sub", "templates", "templates/partials", "static", "static/img"]


def _name(folder: str) -> str:
    if folder.startswith("templates"):
        return "x.html"
    if folder.startswith("static"):
        return "x.txt"
    return "x.md"


def _plant(root: Path, rel: str, kind: str, secret: Path) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    ext = Path(rel).suffix or ".txt"
    if kind == "link-outside":
        os.symlink(secret / f"secret{ext if ext in ('.md', '.html') else '.txt'}", path)
    elif kind == "link-outside-relative":
        os.symlink(os.path.relpath(secret / "secret.txt", path.parent), path)
    elif kind == "link-git-config":
        git = root / ".git"
        git.mkdir(exist_ok=True)
        (git / "config").write_text(f"[http]\n\textraheader = AUTHORIZATION: basic {SECRET}\n", encoding="utf-8")
        os.symlink(os.path.relpath(git / "config", path.parent), path)
    elif kind == "link-dangling":
        os.symlink("tidak-ada/di-mana-mana", path)
    elif kind == "link-loop":
        os.symlink(path.name, path)
    elif kind == "link-inside":
        os.symlink(os.path.relpath(root / "site.yaml", path.parent), path)
    elif kind == "link-folder-outside":
        os.symlink(secret, path)
    elif kind == "fifo":
        os.mkfifo(path)
    elif kind == "socket":
        s = socket.socket(socket.AF_UNIX)
        try:
            s.bind(str(path))
        except OSError as exc:  # a path too long for a socket address
            pytest.skip(f"cannot make a socket here: {exc}")
        finally:
            s.close()
    elif kind == "device":
        try:
            os.mknod(path, stat.S_IFCHR | 0o600, os.makedev(1, 3))  # like /dev/null
        except PermissionError:
            pytest.skip("making a device needs root")
    else:
        raise AssertionError(kind)


KINDS = {
    "link-outside": "a symbolic link that leads outside the project (to ",
    "link-outside-relative": "a symbolic link that leads outside the project (to ",
    "link-git-config": "a symbolic link (to ",
    "link-dangling": "a symbolic link that leads nowhere (to 'tidak-ada/di-mana-mana')",
    "link-loop": "a symbolic link loop (to 'x.",
    "link-inside": "a symbolic link (to ",
    "link-folder-outside": "a symbolic link that leads outside the project (to ",
    "fifo": "a named pipe (FIFO) is not read: the build reads only regular files; remove it",
    "socket": "a socket is not read: the build reads only regular files; remove it",
    "device": "a device is not read: the build reads only regular files; remove it",
}


@pytest.mark.parametrize("kind", list(KINDS))
def test_links_and_special_files_are_reported_never_read(tmp_path, secret, kind):
    """One of a kind in every folder the build reads: each is reported on its own line (all
    at once), none is read, nothing is written."""
    root = make_project(tmp_path)
    planted = [f"{folder}/{_name(folder)}" for folder in FOLDERS]
    for rel in planted:
        _plant(root, rel, kind, secret)
    started = time.monotonic()
    for command in (["check"], ["build"]):
        proc = run(*command, "--root", str(root), "--today", "2024-03-01", *(["--no-search"] if command == ["build"] else []))
        lines = assert_clean_problems(proc)
        for rel in planted:
            mine = [line for line in lines if line.startswith(f"{rel}:1: ")]
            assert len(mine) == 1 and KINDS[kind] in mine[0], (rel, lines)
        assert all(line.split(":1: ", 1)[0] in planted for line in lines), lines
        if kind.startswith("link"):
            assert all(line.endswith("is not followed: the build reads only regular files inside the project, never links; put the file itself here")
                       for line in lines), lines
        assert SECRET not in proc.stderr + proc.stdout
    assert not (root / "_site").exists()
    assert time.monotonic() - started < TIMEOUT  # a pipe never stalled the build


@pytest.mark.parametrize("rel", ["site.yaml", "content/figures.yaml", "content", "content/series", "templates", "static"])
@pytest.mark.parametrize("kind", ["link-outside", "link-dangling", "link-inside-copy", "fifo"])
def test_settings_files_and_folders_themselves(tmp_path, secret, rel, kind):
    root = make_project(tmp_path, {"templates/page.html": None})
    path = root / rel
    if kind == "link-inside-copy":  # a link to a real copy inside the project
        copy = root / "docs" / path.name
        copy.parent.mkdir()
        os.rename(path, copy) if path.exists() else copy.mkdir()
        os.symlink(os.path.relpath(copy, path.parent), path)
    else:
        if path.is_dir():
            import shutil

            shutil.copytree(path, secret / path.name, dirs_exist_ok=True)
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()
        path.parent.mkdir(parents=True, exist_ok=True)
        if kind == "link-outside":
            os.symlink(secret / path.name if (secret / path.name).exists() else secret / "secret.txt", path)
        elif kind == "link-dangling":
            os.symlink("tidak-ada", path)
        else:
            os.mkfifo(path)
    lines = assert_clean_problems(build(root))
    assert any(line.startswith(f"{rel}:1: ") for line in lines), lines
    assert not (root / "_site").exists()


def test_links_with_hidden_names_are_never_looked_at(tmp_path, secret):
    """Editors' tools leave links with hidden names (Emacs's `.#file.md` lock is a dangling
    link): such names are skipped, as before, and never opened."""
    root = make_project(tmp_path)
    os.symlink("budi@laptop.1234:1700000000", root / "content/series/.#satu.md")
    (root / "static").mkdir()
    os.symlink(secret / "secret.txt", root / "static/.rahasia")
    os.mkfifo(root / "content/series/_draf.md")
    proc = build(root)
    assert proc.returncode == 0, proc.stderr
    no_secret_anywhere(root / "_site")


# ---- bounded work: YAML and sizes -------------------------------------------------------------

BOMB = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]\n" for i in range(8)
)

YAML_CASES = [
    ("alias bomb", "---\ntitle: T\nprogram: asn-belajar\ndate: 2024-01-04\n" + BOMB + "tags: *i\n---\n",
     "content/series/x.md:5: YAML anchors and aliases ('&name', '*name') are not allowed in content: write each value out in full"),
    ("one alias", "---\ntitle: &t Judul\nprogram: asn-belajar\ndate: 2024-01-04\nsummary: *t\n---\n",
     "content/series/x.md:2: YAML anchors and aliases ('&name', '*name') are not allowed in content: write each value out in full"),
    ("python tag", "---\ntitle: !!python/object/apply:os.system [echo]\nprogram: asn-belajar\ndate: 2024-01-04\n---\n",
     "content/series/x.md:2: YAML tags such as 'tag:yaml.org,2002:python/object/apply:os.system' are not allowed in content: write the value plainly (text in quotes)"),
    ("hex int tag", "---\ntitle: T\nprogram: asn-belajar\ndate: 2024-01-04\nreach: {zoom: !!int 0x" + "f" * 5000 + "}\n---\n",
     "content/series/x.md:5: YAML tags such as 'tag:yaml.org,2002:int' are not allowed in content: write the value plainly (text in quotes)"),
    ("deep flow nesting", "---\ntitle: T\nprogram: asn-belajar\ndate: 2024-01-04\ntags: " + "[" * 200_000 + "]" * 200_000 + "\n---\n",
     "content/series/x.md:5: values nested more than 20 levels deep, over the limit (check the indentation and the brackets)"),
    ("deep block nesting", "---\ntitle: T\nprogram: asn-belajar\ndate: 2024-01-04\ntags:\n" + "- " * 50_000 + "x\n---\n",
     "content/series/x.md:6: values nested more than 20 levels deep, over the limit (check the indentation and the brackets)"),
    ("giant integer", "---\ntitle: T\nprogram: asn-belajar\ndate: 2024-01-04\nreach: {zoom: 1" + "0" * 5000 + "}\n---\n",
     "content/series/x.md:5: a whole number of 5,001 digits, over the limit of 18 (no count comes near it; check the value)"),
    ("19 digits", "---\ntitle: T\nprogram: asn-belajar\ndate: 2024-01-04\nreach: {zoom: 1000000000000000000}\n---\n",
     "content/series/x.md:5: a whole number of 19 digits, over the limit of 18 (no count comes near it; check the value)"),
    ("long value", "---\ntitle: T\nprogram: asn-belajar\ndate: 2024-01-04\nsummary: " + "panjang " * 2000 + "\n---\n",
     "content/series/x.md:5: a value of 15,999 characters, over the limit of 10,000 (shorten it; long text belongs in the body, below the front matter)"),
    ("many values", "---\ntitle: T\nprogram: asn-belajar\ndate: 2024-01-04\ntags: [" + ", ".join(f"t{i}" for i in range(25_000)) + "]\n---\n",
     "content/series/x.md:5: more than 20,000 values in one file, over the limit (split the file)"),
    ("deep quotes in the body", "---\ntitle: T\nprogram: asn-belajar\ndate: 2024-01-04\n---\nAwal.\n\n" + ">" * 500_000 + "\n",
     "content/series/x.md:8: the text is nested more than 100 levels deep (quotes, lists or HTML tags inside one another), over the limit: check the '>' and '-' at the start of the line"),
    ("deep lists in the body", "---\ntitle: T\nprogram: asn-belajar\ndate: 2024-01-04\n---\n" + "- " * 400_000 + "x\n",
     "content/series/x.md:6: the text is nested more than 100 levels deep (quotes, lists or HTML tags inside one another), over the limit: check the '>' and '-' at the start of the line"),
    ("deep HTML in the body", "---\ntitle: T\nprogram: asn-belajar\ndate: 2024-01-04\n---\n" + "<div>\n" * 150_000,
     "content/series/x.md:106: the text is nested more than 100 levels deep (quotes, lists or HTML tags inside one another), over the limit: check the '>' and '-' at the start of the line"),
    ("end of time", "---\ntitle: T\nprogram: asn-belajar\ndate: 9999-12-31\n---\n",
     "content/series/x.md:4: field 'date': expected a date from 1900-01-01 to 2999-12-31, got '9999-12-31'"),
    ("start of time", "---\ntitle: T\nprogram: asn-belajar\ndate: 0001-01-01\n---\n",
     "content/series/x.md:4: field 'date': expected a date from 1900-01-01 to 2999-12-31, got '0001-01-01'"),
]


@pytest.mark.parametrize("name,text,message", YAML_CASES, ids=[c[0] for c in YAML_CASES])
def test_bounded_work_in_front_matter(tmp_path, name, text, message):
    root = make_project(tmp_path, {"content/series/x.md": text})
    assert assert_clean_problems(build(root)) == [message]


def test_file_over_the_size_limit(tmp_path):
    body = ("Baris isi yang panjang. " * 40 + "\n") * 1200  # about 1.1 MB
    root = make_project(tmp_path, {"content/series/x.md": "---\ntitle: T\nprogram: asn-belajar\ndate: 2024-01-04\n---\n" + body})
    size = (root / "content/series/x.md").stat().st_size
    assert assert_clean_problems(build(root)) == [
        f"content/series/x.md:1: file is too large: {size:,} bytes, over the limit of 1,048,576 bytes "
        "(no honest page comes near it; split the file or shrink it)"
    ]


@pytest.mark.parametrize("rel,text,message", [
    ("content/figures.yaml", BOMB + "figures: *i\n", "content/figures.yaml:1: YAML anchors and aliases"),
    ("content/figures.yaml", "figures:\n  - program: asn-belajar\n    year: 2022\n    series: 0\n    reach: 0\n",
     "content/figures.yaml:4: figures[1]: field 'series': expected 1 or more (a period without series has nothing to declare; remove the entry)"),
    ("content/figures.yaml", "figures:\n  - program: asn-belajar\n    from: 2024-01-01\n    as_of: 9999-12-31\n    series: 1\n    reach: 1\n",
     "content/figures.yaml:4: figures[1]: field 'as_of': expected a date from 1900-01-01 to 2999-12-31, got '9999-12-31'"),
    ("site.yaml", "title: T\norganisation: O\nbase_url: https://example.org/\nschedule_since: 9999-12-31\n",
     "site.yaml:4: setting 'schedule_since': expected a date from 1900-01-01 to 2999-12-31, got '9999-12-31'"),
    ("site.yaml", "title: " + "[" * 100_000 + "\n", "site.yaml:1: values nested more than 20 levels deep"),
    ("content/programs/asn-belajar.md", "---\ntitle: A\nweekday: kamis\nsince: 9999-12-31\n---\n",
     "content/programs/asn-belajar.md:4: field 'since': expected a date from 1900-01-01 to 2999-12-31, got '9999-12-31'"),
])
def test_bounded_work_in_data_files(tmp_path, rel, text, message):
    root = make_project(tmp_path, {rel: text})
    lines = assert_clean_problems(build(root))
    assert any(line.startswith(message) for line in lines), lines


def test_extreme_values_that_pass_validation_build(tmp_path):
    """The limits themselves build: the latest and earliest dates, 18-digit figures, a
    program since 1900; nothing fails later in a template."""
    root = make_project(tmp_path, {
        "content/series/akhir.md": "---\ntitle: Akhir\nprogram: asn-belajar\ndate: 2999-12-31\ntime: \"23:59\"\n"
                                   "reach: {zoom: 999999999999999999, youtube: 999999999999999999}\n---\nx\n",
        "content/series/awal.md": "---\ntitle: Awal\nprogram: asn-belajar\ndate: 1900-01-01\n---\nx\n",
        "content/programs/asn-mengaji.md": "---\ntitle: M\nweekday: rabu\nsince: 1900-01-01\n---\nx\n",
        "content/figures.yaml": "figures:\n  - program: asn-belajar\n    year: 2999\n    as_of: 2999-12-31\n"
                                "    series: 999999999999999999\n    reach: 999999999999999999\n"
                                "  - program: asn-belajar\n    from: null\n    as_of: 1900-01-01\n    series: 1\n    reach: 0\n",
    })
    for today in ("2999-12-31", "1900-01-01"):
        proc = run("build", "--root", str(root), "--no-search", "--no-cache", "--today", today)
        assert proc.returncode == 0, proc.stderr[-3000:]
    assert (root / "_site/seri/akhir/index.html").is_file()


def test_pure_python_yaml_loader_has_the_same_limits(monkeypatch):
    """Where PyYAML has no C extension, the pure-Python parser is used: the same limits,
    no RecursionError."""
    import yaml

    from sitegen import yamlfile
    from sitegen.problems import Problems

    class PureLoader(yaml.SafeLoader):
        pass

    PureLoader.yaml_implicit_resolvers = yamlfile.StrictLoader.yaml_implicit_resolvers
    monkeypatch.setattr(yamlfile, "StrictLoader", PureLoader)
    for text, start in [
        ("a: " + "[" * 100_000 + "]" * 100_000, "values nested more than 20 levels deep"),
        ("a:\n" + "  " + "- " * 5000 + "x\n", "values nested more than 20 levels deep"),
        (BOMB, "YAML anchors and aliases"),
        ("a: 1" + "0" * 5000, "a whole number of 5,001 digits"),
        ("a: 10:00\nb: no\nc: 12\n", None),
    ]:
        problems = Problems()
        parsed = yamlfile.parse_yaml(text, "x.yaml", problems)
        if start is None:
            assert parsed.data == {"a": "10:00", "b": "no", "c": 12} and not problems.items
        else:
            assert parsed is None and [p.message[: len(start)] for p in problems.items] == [start]


# ---- nothing written outside: output and cache folders -----------------------------------------

def test_output_folder_through_a_link(tmp_path):
    root = make_project(tmp_path)
    elsewhere = tmp_path / "kosong"
    elsewhere.mkdir()
    os.symlink(elsewhere, root / "_site")
    line = assert_usage_error(build(root), "build.py: output folder ")
    assert line.endswith("is reached through the symbolic link _site; the build writes only into real folders: remove the link")
    assert list(elsewhere.iterdir()) == []


@pytest.mark.parametrize("target", ["content", ".git", "templates", "static/x"])
def test_output_folder_through_a_link_into_the_sources(tmp_path, target):
    root = make_project(tmp_path, {"static/x/a.txt": "a", ".git/HEAD": "ref: refs/heads/main\n", "templates/page.html": None})
    (root / "templates").mkdir(exist_ok=True)
    os.symlink(root / target, tmp_path / "jalan")  # a link outside the project, named by the user
    proc = build(root, "--output", str(tmp_path / "jalan" / "situs"))
    assert_usage_error(proc, "build.py: output folder ")
    assert "inside the source folder" in proc.stderr
    assert not (root / target / "situs").exists()


def test_output_folder_inside_a_worktrees_git_folder(tmp_path):
    root = make_project(tmp_path)
    gitdir = tmp_path / "repo.git" / "worktrees" / "proj"
    gitdir.mkdir(parents=True)
    (root / ".git").write_text(f"gitdir: {gitdir}\n", encoding="utf-8")
    assert_usage_error(build(root, "--output", str(gitdir / "situs")), "build.py: output folder ")
    assert not (gitdir / "situs").exists()


def test_cache_folder_through_a_link(tmp_path):
    root = make_project(tmp_path)
    elsewhere = tmp_path / "lain"
    elsewhere.mkdir()
    os.symlink(elsewhere, root / ".cache")
    line = assert_usage_error(build(root), "build.py: cache folder ")
    assert "is reached through the symbolic link .cache;" in line
    assert list(elsewhere.iterdir()) == [] and not (root / "_site").exists()


@pytest.mark.parametrize("where,message", [
    ("content/cache", "is inside the source folder content"),
    (".git/cache", "is inside the source folder .git"),
    ("_site/cache", "overlaps the output folder"),
    (".", "is or contains the project"),
])
def test_cache_folder_in_a_forbidden_place(tmp_path, where, message):
    root = make_project(tmp_path, {".git/HEAD": "ref: refs/heads/main\n"})
    before = tree_bytes(root)
    line = assert_usage_error(build(root, "--cache-dir", str(root / where)), "build.py: cache folder ")
    assert message in line
    assert tree_bytes(root) == before


def test_cache_folder_not_made_by_the_build(tmp_path):
    root = make_project(tmp_path)
    other = tmp_path / "dokumen"
    (other / "jinja" / "penting").mkdir(parents=True)
    (other / "jinja" / "penting" / "a.txt").write_text("jangan dihapus")
    line = assert_usage_error(build(root, "--cache-dir", str(other)), "build.py: cache folder ")
    assert "is not empty and was not made by build.py" in line
    assert (other / "jinja" / "penting" / "a.txt").read_text() == "jangan dihapus"
    # A new folder is made and marked; the next build accepts it.
    fresh = tmp_path / "cache-baru"
    assert build(root, "--cache-dir", str(fresh)).returncode == 0
    assert (fresh / ".sitegen-cache").is_file()
    assert build(root, "--cache-dir", str(fresh)).returncode == 0


def test_a_link_planted_in_the_previous_output_is_not_carried_over(tmp_path, secret):
    """A restored `_site` (CI caches it) with a file swapped for a link: the next build,
    incremental or with search, never publishes what the link points to."""
    root = make_project(tmp_path)
    assert build(root).returncode == 0
    target = root / "_site/assets/site.css"
    target.unlink()
    os.symlink(secret / "secret.txt", target)
    page = root / "_site/seri/satu/index.html"
    page.unlink()
    os.symlink(secret / "secret.html", page)
    assert build(root).returncode == 0
    for path in (target, page):
        assert not path.is_symlink() and SECRET not in path.read_text(encoding="utf-8")
    no_secret_anywhere(root / "_site")


# ---- tools: Pagefind ignores its own settings ---------------------------------------------------

def test_pagefind_ignores_config_files_and_environment(tmp_path):
    evil = tmp_path / "jahat"
    evil.mkdir()
    settings_ = {
        "pagefind.yml": f"output_path: {evil}/yml\nlogfile: {evil}/yml.log\nsite: {evil}\n",
        "pagefind.yaml": f"output_path: {evil}/yaml\n",
        "pagefind.toml": f'output_path = "{evil}/toml"\nlogfile = "{evil}/toml.log"\n',
        "pagefind.json": f'{{"output_path": "{evil}/json", "logfile": "{evil}/json.log"}}\n',
    }
    root = make_project(tmp_path, {**settings_, "site.yaml": (REPO / "tests/conftest.py").read_text().split('SITE_YAML = """\\\n')[1].split('"""')[0].replace("search: false", "search: true")})
    env = {"PAGEFIND_OUTPUT_PATH": str(evil / "env"), "PAGEFIND_SITE": str(evil), "PAGEFIND_LOGFILE": str(evil / "env.log"),
           "PAGEFIND_OUTPUT_SUBDIR": "../../jahat/sub", "PAGEFIND_GLOB": "nothing"}
    proc = run("build", "--root", str(root), "--today", "2024-03-01", env=env, cwd=root)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert list(evil.iterdir()) == []
    assert (root / "_site/pagefind/pagefind.js").is_file()
    assert list((root / "_site/pagefind").glob("pagefind-entry.json"))
    assert sorted(p.name for p in root.iterdir()) == sorted([".cache", "_site", "content", "site.yaml", *settings_])


# ---- environment and options --------------------------------------------------------------------

@pytest.mark.parametrize("args,env,start", [
    (["build"], {"SOURCE_DATE_EPOCH": "kemarin"}, "build.py: SOURCE_DATE_EPOCH must be a whole number of seconds since 1970-01-01"),
    (["build"], {"SOURCE_DATE_EPOCH": "-1"}, "build.py: SOURCE_DATE_EPOCH must be"),
    (["check"], {"SOURCE_DATE_EPOCH": "1" + "0" * 30}, "build.py: SOURCE_DATE_EPOCH must be"),
    (["build"], {"SOURCE_DATE_EPOCH": "1e9"}, "build.py: SOURCE_DATE_EPOCH must be"),
    (["serve", "--port", "70000"], {}, "build.py serve: argument --port: expected a port number from 0 to 65535"),
    (["serve", "--port", "-1"], {}, "build.py serve: argument --port: expected a port number"),
    (["build", "--base-url", "ftp://example.org/"], {}, "build.py build: argument --base-url: expected an absolute address"),
    (["build", "--base-url", "https:///tanpa-host/"], {}, "build.py build: argument --base-url: expected an absolute address"),
    (["build", "--base-url", "javascript:alert(1)//"], {}, "build.py build: argument --base-url: expected an absolute address"),
    (["check", "--base-url", "https://example.org:99999/"], {}, "build.py check: argument --base-url: expected an absolute address"),
    (["build", "--today", "9999-12-31"], {}, "build.py build: argument --today: expected a date from 1900-01-01 to 2999-12-31"),
    (["build", "--jobs", "-3"], {}, "build.py build: argument --jobs: expected a number of worker processes"),
])
def test_environment_and_options_are_one_line_usage_errors(tmp_path, args, env, start):
    root = make_project(tmp_path)
    assert_usage_error(run(*args, "--root", str(root), env=env, timeout=60), start)
    assert not (root / "_site").exists() and not (root / ".cache").exists()


def test_preview_answers_malformed_paths_with_400(tmp_path, secret):
    import http.client

    from test_serve import serving

    root = make_project(tmp_path)
    with serving(root, "--no-search") as srv:
        srv.wait_for("/seri/satu/", lambda s, b: s == 200, "the series page")
        # Planted in the preview's own folder (which holds only its search index): pages are
        # served from memory, so nothing there is ever served by its name.
        (root / ".cache/serve-site").mkdir(parents=True, exist_ok=True)
        os.symlink(secret / "secret.txt", root / ".cache/serve-site/bocor.txt")
        for path, expected in [
            ("/%00", 400), ("/seri/%00/", 400), ("/assets/site.css%00.html", 400), ("/%zz", 400),
            ("/%", 400), ("/%0a", 400), ("/%c0%ae%c0%ae/", 400), ("/" + "a" * 5000, 400),
            ("/pagefind/%00", 400), ("/bocor.txt", 404), ("/%2e%2e/%2e%2e/secret.txt", 404), ("/seri/satu/", 200),
        ]:
            conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=30)
            conn.putrequest("GET", path)
            conn.endheaders()
            response = conn.getresponse()
            body = response.read()
            conn.close()
            assert response.status == expected, (path, response.status)
            assert SECRET.encode() not in body
        assert srv.alive()
        assert "Traceback" not in srv.output()


# ---- clean after a crash ------------------------------------------------------------------------

# Before "staged" nothing is written: one phase of that stretch stands for the others
# (cache-load, find, validate, markdown, model, plan, digest).
PHASES = ["parse", "staged", "render", "write", "search", "indexing", "swap", "swapping", "swapped", "cache-save"]


TEMPORARY = re.compile(r"(^|/)(\.[^/]+\.tmp-[0-9]+|\.[^/]+\.bak-sitegen|\.sitegen-update)$")


def site_files(folder: Path) -> dict:
    """tree_bytes without the temporary names an incremental update writes beside its
    targets (the next build removes them; `_leftovers` checks that), and with the search
    index reduced to its file list: Pagefind writes a different index for the same pages
    from run to run (its own doing, not the build's)."""
    files = {k: v for k, v in tree_bytes(folder).items() if not TEMPORARY.search(k)}
    index = sorted(k for k in files if k.startswith("pagefind/"))
    if index:
        assert "pagefind/pagefind-entry.json" in index and "pagefind/pagefind.js" in index
    return {k: v for k, v in files.items() if not k.startswith("pagefind/")} | {"pagefind/": bool(index)}


def _leftovers(root: Path) -> list[str]:
    found = [p.name for p in root.iterdir() if p.name.startswith("._site")]
    found += [p.relative_to(root).as_posix() for p in (root / "_site").rglob("*") if TEMPORARY.search(p.name) or ".old-" in p.name]
    found += [p.relative_to(root).as_posix() for p in (root / "_site").rglob("*") if p.is_dir() and not any(p.iterdir())]
    return found


def _edit(root: Path, n: int) -> None:
    (root / "content/series/satu.md").write_text(
        f"---\ntitle: Seri Satu versi {n}\nprogram: asn-belajar\ndate: \"2023-03-02\"\n---\nIsi {n}.\n", encoding="utf-8")
    (root / f"content/series/baru-{n}.md").write_text(
        f"---\ntitle: Baru {n}\nprogram: asn-belajar\ndate: \"2023-04-0{n % 9 + 1}\"\n---\nIsi.\n", encoding="utf-8")
    old = root / f"content/series/baru-{n - 1}.md"
    if old.exists():
        old.unlink()  # an output to remove


@pytest.mark.parametrize("mode", ["incremental", "clean"])
def test_killed_in_every_phase_leaves_the_site_and_the_next_build_cleans_up(tmp_path, mode):
    """With search on, a build passes through every phase a build without search passes
    through, and two more (search, indexing); test_kills.py kills builds without search at
    each step of an incremental update."""
    site_yaml = (REPO / "tests/conftest.py").read_text().split('SITE_YAML = """\\\n')[1].split('"""')[0]
    root = make_project(tmp_path, {"site.yaml": site_yaml.replace("search: false", "search: true")})
    extra = ["--today", "2024-03-01"] + (["--no-cache"] if mode == "clean" else [])
    first = run("build", "--root", str(root), *extra)
    assert first.returncode == 0, first.stderr
    reached = set()
    for n, phase in enumerate(PHASES, start=1):
        before = site_files(root / "_site")
        _edit(root, n)
        killed = run("build", "--root", str(root), *extra, env={"SITEGEN_TEST_KILL_AT": phase})
        if killed.returncode == -signal.SIGKILL:
            reached.add(phase)
        else:  # a phase this kind of build does not pass through
            assert killed.returncode == 0, killed.stderr
        middle = site_files(root / "_site")
        if phase == "swapping" and killed.returncode == -signal.SIGKILL:
            # Killed between two renames of an in-place update: a mixture, until the next
            # build (which starts by reading the journal) puts the previous site back.
            assert middle != before, phase
            recover(root / "_site")
            assert site_files(root / "_site") == before and _leftovers(root) == [], phase
            middle = before
        after = run("build", "--root", str(root), *extra)
        assert after.returncode == 0, (phase, after.stderr)
        assert _leftovers(root) == [], phase
        new = site_files(root / "_site")
        # Killed before the swap: the previous site, byte for byte; after it: the new one, whole.
        assert middle == before or middle == new, phase
    # What the builds after the kills made is what a clean build makes.
    clean = run("build", "--root", str(root), "--today", "2024-03-01", "--no-cache", "--output", str(tmp_path / "bersih"))
    assert clean.returncode == 0
    assert site_files(root / "_site") == site_files(tmp_path / "bersih")
    must = {"parse", "render", "write", "swap", "swapped", "cache-save"}
    must |= {"staged"} if mode == "clean" else {"swapping"}  # incremental builds update in place, with search too
    must |= {"indexing", "search"}
    assert must <= reached, sorted(must - reached)
    assert not [p for p in (tmp_path).iterdir() if p.name.startswith("._")]


def test_killed_at_random_moments(tmp_path):
    """The same, with SIGKILL from outside at random moments of an incremental build. An
    incremental update renames its few changed files into place one by one: a kill in
    those milliseconds leaves each file whole, old or new, until the journal is read (the
    first thing the next build does), which puts the previous site back; at any other
    moment, the previous site or the new one."""
    import random

    rng = random.Random(20240301)
    root = make_project(tmp_path, {f"content/series/s{i:03d}.md": f"---\ntitle: Seri {i}\nprogram: asn-belajar\ndate: \"2023-05-{i % 28 + 1:02d}\"\n---\nIsi {i}.\n" for i in range(150)})
    assert build(root).returncode == 0
    started = time.monotonic()
    assert build(root, "--no-cache").returncode == 0
    duration = time.monotonic() - started
    for n in range(1, 9 * SCALE):
        before = site_files(root / "_site")
        _edit(root, n)
        env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
        proc = subprocess.Popen([sys.executable, str(REPO / "build.py"), "build", "--root", str(root), "--no-search", "--today", "2024-03-01"],
                                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, preexec_fn=_limits)
        time.sleep(rng.uniform(0.05, duration))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=TIMEOUT)
        recover(root / "_site")  # what the next build does first
        middle = site_files(root / "_site")
        assert build(root).returncode == 0
        assert _leftovers(root) == []
        new = site_files(root / "_site")
        assert middle == before or middle == new, n
    clean = run("build", "--root", str(root), "--today", "2024-03-01", "--no-cache", "--no-search", "--output", str(tmp_path / "bersih"))
    assert clean.returncode == 0 and site_files(root / "_site") == site_files(tmp_path / "bersih")


# ---- random trees of files, links and special files ---------------------------------------------

ENTRY = st.tuples(
    st.sampled_from(["content/series", "content/pages", "content/series/sub", "static", "static/img", "templates"]),
    st.sampled_from(["a", "b", "c", "satu", "d.e"]),
    st.sampled_from(["page", "junk", "link-inside", "link-outside", "link-outside-folder", "link-dangling", "link-loop", "fifo", "dir-link-to-sibling"]),
)


@settings(max_examples=12 * SCALE, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(entries=st.lists(ENTRY, min_size=1, max_size=8))
def test_random_trees_never_leak_or_crash(tmp_path_factory, entries):
    tmp = tmp_path_factory.mktemp("acak")
    outside = tmp / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text(SECRET, encoding="utf-8")
    (outside / "secret.md").write_text(f"---\ntitle: {SECRET}\nprogram: asn-belajar\ndate: 2024-01-04\n---\n{SECRET}\n", encoding="utf-8")
    root = make_project(tmp)
    for folder, stem, kind in entries:
        ext = ".md" if folder.startswith("content") else (".html" if folder == "templates" else ".txt")
        path = root / folder / (stem + ext)
        path.parent.mkdir(parents=True, exist_ok=True)
        if os.path.lexists(path) or os.path.lexists(path.with_suffix("")):
            continue
        if kind == "page":
            path.write_text(f"---\ntitle: Halaman {stem}\nprogram: asn-belajar\ndate: 2024-01-04\n---\nIsi.\n" if ext == ".md" else f"isi {stem}\n", encoding="utf-8")
        elif kind == "junk":
            path.write_bytes(b"\x00\xff---\n" + stem.encode())
        elif kind == "link-inside":
            os.symlink(os.path.relpath(root / "site.yaml", path.parent), path)
        elif kind == "link-outside":
            os.symlink(outside / ("secret.md" if ext == ".md" else "secret.txt"), path)
        elif kind == "link-outside-folder":
            os.symlink(outside, path.with_suffix(""))
        elif kind == "link-dangling":
            os.symlink(outside / "tidak-ada", path)
        elif kind == "link-loop":
            os.symlink(path.name, path)
        elif kind == "fifo":
            os.mkfifo(path)
        elif kind == "dir-link-to-sibling":
            os.symlink(".", path.with_suffix(""))
    proc = build(root, "--no-cache")
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    assert SECRET not in proc.stderr + proc.stdout
    if proc.returncode == 0:
        no_secret_anywhere(root / "_site")
        for path in (root / "_site").rglob("*"):
            assert not path.is_symlink() and (path.is_dir() or path.is_file()), path
    else:
        assert_clean_problems(proc)
        assert not (root / "_site").exists()
