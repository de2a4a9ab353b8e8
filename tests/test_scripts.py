"""The README's scripts on a machine that lacks things: scripts/test.sh names what to install
in one line when it cannot install it itself, and scripts/fresh-machine.sh refuses unknown
options. (Their full runs are described in README, "Two commands".)"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from conftest import REPO

# What a bare system has: a shell, python3 and coreutils; no node, npm, browser, Java, apt or sudo.
BASICS = ("bash", "python3", "mktemp", "rm", "cat", "sha256sum", "cut", "dirname", "id", "env", "tail", "sed")


def bare_path(tmp_path: Path) -> Path:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name in BASICS:
        found = shutil.which(name, path="/usr/bin:/bin")
        assert found, name
        (bin_dir / name).symlink_to(found)
    return bin_dir


def test_test_sh_names_what_to_install_in_one_line(tmp_path):
    bin_dir = bare_path(tmp_path)
    proc = subprocess.run(["/bin/bash", str(REPO / "scripts" / "test.sh")], capture_output=True, text=True, timeout=60,
                          env={"PATH": str(bin_dir), "HOME": str(tmp_path)})
    assert proc.returncode == 1, proc.stdout + proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    for package in ("chromium", "default-jre-headless", "nodejs", "npm"):
        assert package in lines[0]
    assert lines[0].startswith("ERROR: please install ")
    assert "Traceback" not in proc.stderr and proc.stdout == ""


def test_test_sh_wants_python_311(tmp_path):
    bin_dir = bare_path(tmp_path)
    (bin_dir / "python3").unlink()
    (bin_dir / "python3").write_text("#!/bin/bash\n[ \"$1\" = -V ] && echo 'Python 3.9.2' && exit 0\nexit 1\n")
    os.chmod(bin_dir / "python3", 0o755)
    proc = subprocess.run(["/bin/bash", str(REPO / "scripts" / "test.sh")], capture_output=True, text=True, timeout=60,
                          env={"PATH": str(bin_dir), "HOME": str(tmp_path)})
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines() == ["ERROR: please install Python 3.11 or newer as python3 (found Python 3.9.2), then run 'bash scripts/test.sh' again"]


def test_fresh_machine_refuses_unknown_options():
    proc = subprocess.run(["/bin/bash", str(REPO / "scripts" / "fresh-machine.sh"), "--nope"], capture_output=True, text=True, timeout=30)
    assert proc.returncode == 2 and proc.stderr.strip() == "usage: bash scripts/fresh-machine.sh [--tests] [--keep]"


def test_readme_first_command_uses_the_venv_and_no_python_binary():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Two commands"):]
    first = section[section.index("```sh\n") + 6:].splitlines()[0].split("  #")[0].strip()
    assert first.startswith("python3 -m venv .venv && .venv/bin/pip install -r requirements.txt")
    assert first.endswith(".venv/bin/python build.py")
    assert "/.venv" in (REPO / ".gitignore").read_text(encoding="utf-8").splitlines()  # a folder or a link
    assert "scripts/fresh-machine.sh" in section and "docs/testing.md" in section
    assert "Debian GNU/Linux 12" in (REPO / "docs" / "testing.md").read_text(encoding="utf-8")
