"""`build.py serve`: a real server in a subprocess on a free loopback port.

Every wait is a bounded poll with a deadline; every server is stopped with SIGTERM in a
finally block and must be gone within STOP_SECONDS (a server that needs SIGKILL fails).
"""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from conftest import REPO, SITE_YAML, make_project, needs_chromium, run_cli
from sitegen.problems import Problem
from sitegen.preview.errorpage import error_page, serve_script
from sitegen.preview.handlers import is_page_path

HOST = "127.0.0.1"
DEADLINE = 60.0  # seconds; a poll that has not succeeded by then fails the test
STOP_SECONDS = 2.0  # a preview told to stop (SIGTERM, SIGINT) is gone within this


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def request(port: int, path: str, method: str = "GET") -> tuple[int, str]:
    """A raw HTTP request: the path is sent exactly as given (no client-side normalising)."""
    conn = http.client.HTTPConnection(HOST, port, timeout=10)
    try:
        conn.putrequest(method, path, skip_accept_encoding=True)
        conn.endheaders()
        resp = conn.getresponse()
        return resp.status, resp.read().decode("utf-8", "replace")
    finally:
        conn.close()


class Served:
    def __init__(self, proc: subprocess.Popen, port: int, log: Path):
        self.proc, self.port, self.log = proc, port, log

    def get(self, path: str) -> tuple[int, str]:
        return request(self.port, path)

    def alive(self) -> bool:
        return self.proc.poll() is None

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def wait_for(self, path: str, check, what: str) -> tuple[int, str]:
        """Poll `path` until check(status, body) holds; fail after DEADLINE seconds."""
        end = time.monotonic() + DEADLINE
        last = None
        while time.monotonic() < end:
            assert self.alive(), f"server exited while waiting for {what}:\n{self.output()}"
            try:
                last = self.get(path)
            except OSError as exc:  # not listening yet
                last = (None, repr(exc))
            else:
                if check(*last):
                    return last
            time.sleep(0.1)
        pytest.fail(f"timed out waiting for {what}; last answer {last[0] if last else None}:\n"
                    f"{(last[1] if last else '')[:2000]}\n--- server output ---\n{self.output()}")


@contextlib.contextmanager
def serving(root: Path, *extra: str):
    port = free_port()
    log = root.parent / f"serve-{port}.log"
    env = dict(os.environ)
    env.pop("SOURCE_DATE_EPOCH", None)
    with open(log, "wb") as fh:
        proc = subprocess.Popen(
            [sys.executable, str(REPO / "build.py"), "serve", "--root", str(root), "--port", str(port), *extra],
            cwd=root, env=env, stdout=fh, stderr=subprocess.STDOUT, start_new_session=True,
        )
    served = Served(proc, port, log)
    try:
        served.wait_for("/", lambda status, body: status is not None, "the server to answer")
        yield served
    finally:
        if proc.poll() is None:
            stop(proc, signal.SIGTERM)


def stop(proc: subprocess.Popen, signum: int, group: bool = False) -> float:
    """Signal the preview (with group=True its whole process group, as a terminal's Ctrl+C
    does); it must leave within STOP_SECONDS with status 0, 130 or 143 and leave no process
    of its group behind. Returns the seconds it took. (A preview that does not stop is
    killed so that the test run goes on, and the test fails.)"""
    started = time.monotonic()
    (os.killpg if group else os.kill)(proc.pid, signum)
    try:
        code = proc.wait(timeout=STOP_SECONDS)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        pytest.fail(f"the preview did not stop within {STOP_SECONDS} s of signal {signum}")
    took = time.monotonic() - started
    assert code in (0, 130, 143), code
    end = time.monotonic() + 0.5
    while time.monotonic() < end:  # nothing of its process group is left running
        if not living_in_group(proc.pid):
            return took
        time.sleep(0.02)
    left = subprocess.run(["ps", "-o", "pid,ppid,stat,etime,args", "-g", str(proc.pid)], capture_output=True, text=True).stdout
    pytest.fail("a process of the preview's group outlived it:\n" + left)


def living_in_group(pgid: int) -> list:
    """The processes of group `pgid` that have not ended. A zombie has ended: it waits only
    for its new parent, init, to collect its exit status, which on this test machine's
    init can take longer than the wait above (as tests/test_reliability.py's
    `descendants`, zombies are left out)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                state, _ppid, group = fh.read().rsplit(")", 1)[1].split()[:3]
        except (OSError, ValueError):
            continue
        if int(group) == pgid and state != "Z":
            found.append(int(entry))
    return found


def write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


SERIES = """\
---
title: {title}
program: asn-belajar
date: "2023-03-02"
---
{body}
"""


def test_edit_error_page_and_recovery(tmp_path):
    root = make_project(tmp_path)
    write(root, "content/series/satu.md", SERIES.format(title="Seri Satu", body="Isi pertama."))
    with serving(root) as srv:
        status, body = srv.wait_for("/seri/satu/", lambda s, b: s == 200 and "Isi pertama." in b, "the series page")
        soup = BeautifulSoup(body, "lxml")
        assert soup.find("h1").get_text(strip=True) == "Seri Satu"
        assert soup.find("script", src=f"/livereload.js?port={srv.port}") is not None
        status, js = srv.get(f"/livereload.js?port={srv.port}")
        assert status == 200 and "LiveReload" in js  # served by the preview server itself
        status, missing = srv.get("/tidak-ada/")
        assert status == 404 and BeautifulSoup(missing, "lxml").find("h1").get_text(strip=True) == "Halaman tidak ditemukan"

        # An edit is picked up and the new content served.
        write(root, "content/series/satu.md", SERIES.format(title="Seri Satu Diubah", body="Isi kedua."))
        srv.wait_for("/seri/satu/", lambda s, b: s == 200 and "Isi kedua." in b, "the edited page")
        status, body = srv.get("/seri/satu/")
        assert BeautifulSoup(body, "lxml").find("h1").get_text(strip=True) == "Seri Satu Diubah"

        # A broken file: every page URL shows the problems with file and line, escaped.
        write(root, "content/series/satu.md",
              '---\ntitle: Seri Satu\nprogram: asn-belajar\ndate: "<b>2023</b>"\n---\nIsi.\n')
        status, body = srv.wait_for("/seri/satu/", lambda s, b: s == 500, "the error page")
        soup = BeautifulSoup(body, "lxml")
        problems = [li.get_text() for li in soup.select("#masalah li")]
        assert any(p.startswith("content/series/satu.md:4: field 'date'") and "<b>2023</b>" in p for p in problems), problems
        assert soup.find("b") is None  # the value is shown as text, not as markup
        assert soup.find("script", src=f"/livereload.js?port={srv.port}") is not None
        for other in ("/", "/program/asn-belajar/", "/tidak-ada/"):
            st, b = srv.get(other)
            assert st == 500 and "content/series/satu.md:4:" in b, other
        st, css = srv.get("/assets/site.css")
        assert st == 200 and "content/series/satu.md" not in css  # assets still served
        assert srv.alive()

        # Fixing the file brings the page back.
        write(root, "content/series/satu.md", SERIES.format(title="Seri Satu", body="Isi ketiga."))
        srv.wait_for("/seri/satu/", lambda s, b: s == 200 and "Isi ketiga." in b, "the page after the fix")

        # A template error is shown the same way, with the template's file and line.
        write(root, "templates/series.html",
              '{% extends "base.html" %}\n{% block main %}\n<p>{{ series.no_such_field }}</p>\n{% endblock %}\n')
        status, body = srv.wait_for("/seri/satu/", lambda s, b: s == 500, "the template error page")
        problems = [li.get_text() for li in BeautifulSoup(body, "lxml").select("#masalah li")]
        assert any(p.startswith("templates/series.html:3: ") for p in problems), problems
        (root / "templates/series.html").unlink()
        srv.wait_for("/seri/satu/", lambda s, b: s == 200 and "Isi ketiga." in b, "the page after the template fix")
        assert srv.alive()

    out = srv.output()
    assert "content/series/satu.md:4: field 'date'" in out  # problems printed in the terminal too
    assert not (root / "_site").exists()  # the preview never writes the published folder


async def _reload_message(port: int, root: Path) -> tuple[dict, tuple[int, str]]:
    """Connect as livereload.js does, then edit until a reload arrives (bounded)."""
    import asyncio
    import json

    from tornado.httpclient import HTTPRequest
    from tornado.websocket import websocket_connect

    origin = f"http://{HOST}:{port}"
    ws = await asyncio.wait_for(websocket_connect(HTTPRequest(f"ws://{HOST}:{port}/livereload", headers={"Origin": origin})), 10)
    try:
        ws.write_message(json.dumps({"command": "hello", "protocols": ["http://livereload.com/protocols/official-7"]}))
        hello = json.loads(await asyncio.wait_for(ws.read_message(), 10))
        assert hello["command"] == "hello"
        ws.write_message(json.dumps({"command": "info", "url": origin + "/seri/satu/", "plugins": {}}))
        end = time.monotonic() + DEADLINE
        attempt = 0
        while time.monotonic() < end:
            attempt += 1  # the browser is registered asynchronously: edit again until told to reload
            write(root, "content/series/satu.md", SERIES.format(title="Seri Satu", body=f"Versi {attempt}."))
            try:
                message = json.loads(await asyncio.wait_for(ws.read_message(), 5))
            except asyncio.TimeoutError:
                continue
            if message.get("command") == "reload":
                # The rebuild is finished before the reload is sent.
                return message, request(port, "/seri/satu/"), attempt
        raise AssertionError("no reload message before the deadline")
    finally:
        ws.close()


def test_browser_is_told_to_reload_after_the_rebuild(tmp_path):
    import asyncio

    root = make_project(tmp_path)
    with serving(root) as srv:
        srv.wait_for("/seri/satu/", lambda s, b: s == 200, "the series page")
        message, (status, body), attempt = asyncio.run(_reload_message(srv.port, root))
        assert message["command"] == "reload" and message["path"].endswith("content/series/satu.md")
        assert status == 200 and f"Versi {attempt}." in body


def test_reload_socket_refuses_other_origins(tmp_path):
    import asyncio

    from tornado.httpclient import HTTPClientError, HTTPRequest
    from tornado.websocket import websocket_connect

    root = make_project(tmp_path)
    with serving(root) as srv:
        async def connect(origin):
            req = HTTPRequest(f"ws://{HOST}:{srv.port}/livereload", headers={"Origin": origin})
            ws = await asyncio.wait_for(websocket_connect(req), 10)
            ws.close()

        asyncio.run(connect(f"http://{HOST}:{srv.port}"))  # the preview's own pages may connect
        with pytest.raises(HTTPClientError) as info:
            asyncio.run(connect("https://situs-lain.example"))
        assert info.value.code == 403


def test_a_save_reads_only_the_saved_file(tmp_path):
    """The preview keeps its build state in memory: after a save, only the saved source is
    read and parsed again."""
    root = make_project(tmp_path)
    with serving(root) as srv:
        srv.wait_for("/seri/satu/", lambda s, b: s == 200, "the series page")
        write(root, "content/series/satu.md", SERIES.format(title="Seri Satu", body="Isi baru."))
        srv.wait_for("/seri/satu/", lambda s, b: s == 200 and "Isi baru." in b, "the edited page")
        lines = [line for line in srv.output().splitlines() if "] loaded " in line]
    assert len(lines) == 2, lines
    first, second = lines
    sources = int(first.split(" of ")[1].split(" Markdown")[0])
    assert f"({sources} of {sources} Markdown files read)" in first and sources >= 3, first
    assert f"(1 of {sources} Markdown files read)" in second, second


SECRET = "RAHASIA-JANGAN-TAMPIL"


def test_no_file_outside_the_output_folder(tmp_path):
    root = make_project(tmp_path)
    write(root, "site.yaml", (root / "site.yaml").read_text().replace("search: false", "search: true"))
    write(root, ".cache/secret.txt", SECRET)  # next to the output folder .cache/serve-site
    write(root, "secret.txt", SECRET)  # in the project root
    write(root, ".cache/serve-site-x/secret.txt", SECRET)  # a sibling whose name starts alike
    attempts = [
        "/../secret.txt", "/../../secret.txt", "/..%2fsecret.txt", "/..%2f..%2fsecret.txt",
        "/%2e%2e/secret.txt", "/%2e%2e/%2e%2e/secret.txt", "/%2e%2e%2fsecret.txt",
        "/%2E%2E%2F%2E%2E%2Fsecret.txt", "/seri/..%2f..%2f..%2fsecret.txt", "/seri/%2e%2e/%2e%2e/%2e%2e/secret.txt",
        "/%252e%252e/secret.txt", "/..%5csecret.txt", "/.%2e/secret.txt",
        "/../serve-site-x/secret.txt", "/%2e%2e/serve-site-x/secret.txt",
        "/%2f" + str(root).lstrip("/").replace("/", "%2f") + "%2fsecret.txt",
        "//" + str(root / "secret.txt").lstrip("/"),
        "/" + str(root / "secret.txt"),
        "/..%2f..%2fsite.yaml", "/%2e%2e/%2e%2e/site.yaml", "/%2e%2e/%2e%2e/content/series/satu.md",
        "/pagefind/..%2f..%2f..%2f..%2fsecret.txt", "/pagefind/%2e%2e/%2e%2e/%2e%2e/secret.txt",
        "/pagefind/%2e%2e/%2e%2e/%2e%2e/%2e%2e/secret.txt",
    ]
    with serving(root) as srv:
        srv.wait_for("/pagefind/pagefind.js", lambda s, b: s == 200, "the search index")
        for path in attempts:
            status, body = srv.get(path)
            assert SECRET not in body, (path, status)
            assert "schedule_since" not in body and "Isi seri." not in body, (path, status)
            assert status in (400, 403, 404), (path, status)
        # The checks above can fail: the same server does serve files inside the folder.
        status, body = srv.get("/seri/satu/")
        assert status == 200 and "Seri Satu" in body
        assert srv.alive()


def test_search_index_is_built_beside_the_pages(tmp_path):
    root = make_project(tmp_path)
    write(root, "site.yaml", (root / "site.yaml").read_text().replace("search: false", "search: true"))
    with serving(root) as srv:
        srv.wait_for("/seri/satu/", lambda s, b: s == 200, "the series page")
        srv.wait_for("/pagefind/pagefind.js", lambda s, b: s == 200, "the search index")
        status, _ = srv.get("/pagefind/pagefind-entry.json")
        assert status == 200
    # Pages live in memory: the preview's folder holds only its search index.
    assert not (root / ".cache/serve-site/seri").exists()
    assert not (root / "_site").exists()


def test_published_build_has_no_livereload_script(tmp_path):
    root = make_project(tmp_path)
    out = tmp_path / "published"
    proc = run_cli("build", "--root", str(root), "--output", str(out), "--no-cache")
    assert proc.returncode == 0, proc.stderr
    files = [p for p in out.rglob("*") if p.is_file()]
    assert any(p.suffix == ".html" for p in files)
    for p in files:
        assert b"livereload" not in p.read_bytes().lower(), p


def test_published_content_site_has_no_livereload_script(content_site):
    pages = list(content_site.rglob("*.html"))
    assert pages
    for p in pages:
        assert b"livereload" not in p.read_bytes().lower(), p


def test_serve_refuses_the_published_folder(tmp_path):
    root = make_project(tmp_path)
    proc = run_cli("serve", "--root", str(root), "--port", str(free_port()), "--output", str(root / "_site"), timeout=60)
    assert proc.returncode == 2
    assert "_site" in proc.stderr
    assert not (root / "_site").exists()


def test_port_in_use_is_a_usage_error(tmp_path):
    root = make_project(tmp_path)
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as busy:
        busy.bind((HOST, 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        proc = run_cli("serve", "--root", str(root), "--port", str(port), timeout=60)
    assert proc.returncode == 2
    assert "--port" in proc.stderr


# ---- pure helpers -----------------------------------------------------------------------------

@pytest.mark.parametrize("path, page", [
    ("", True), ("seri/x/", True), ("seri/x", True), ("index.html", True), ("404.html", True),
    ("assets/site.css", False), ("feed.xml", False), ("jadwal.ics", False), ("data/seri.json", False),
])
def test_is_page_path(path, page):
    assert is_page_path(path) is page


def test_error_page_escapes_and_reloads(monkeypatch):
    from sitegen import messages

    monkeypatch.setattr(messages, "_language", "id")  # the default language
    page = error_page([Problem("content/series/<x>.md", 3, "got text '<script>alert(1)</script>'")], serve_script(8123))
    soup = BeautifulSoup(page, "lxml")
    assert [li.get_text() for li in soup.select("#masalah li")] == [
        "content/series/<x>.md:3: got text '<script>alert(1)</script>'"
    ]
    scripts = soup.find_all("script")
    assert [s.get("src") for s in scripts] == ["/livereload.js?port=8123"]
    assert soup.html["lang"] == "id"


@needs_chromium
def test_real_browser_reloads_shows_the_problem_and_recovers(tmp_path, tab):
    """livereload.js in Chromium: an edit, a broken file and the fix reach the open page by
    themselves, without navigation by the test."""
    root = make_project(tmp_path)
    write(root, "content/series/satu.md", SERIES.format(title="Seri Satu", body="Isi pertama."))
    with serving(root) as srv:
        srv.wait_for("/seri/satu/", lambda s, b: s == 200 and "Isi pertama." in b, "the series page")
        opened = tab(width=1280, height=720)
        page, errors = opened.page, opened.errors
        timeout_ms = DEADLINE * 1000

        def connected(count: int) -> None:
            """Wait until the page (after each reload) has opened its reload socket."""
            end = time.monotonic() + DEADLINE
            while srv.output().count("browser connected: ") < count and time.monotonic() < end:
                time.sleep(0.1)
            assert srv.output().count("browser connected: ") >= count, srv.output()

        page.goto(f"http://{HOST}:{srv.port}/seri/satu/")
        connected(1)
        write(root, "content/series/satu.md", SERIES.format(title="Seri Satu", body="Isi kedua."))
        page.wait_for_function("document.body && document.body.innerText.includes('Isi kedua.')", timeout=timeout_ms)
        assert errors == []

        connected(2)
        write(root, "content/series/satu.md", '---\ntitle: Seri Satu\nprogram: asn-belajar\ndate: "2023-02-30"\n---\nIsi.\n')
        page.wait_for_selector("#masalah li", timeout=timeout_ms)
        assert "content/series/satu.md:4: field 'date': impossible date" in page.inner_text("#masalah")

        connected(3)
        write(root, "content/series/satu.md", SERIES.format(title="Seri Satu", body="Isi ketiga."))
        page.wait_for_function("document.body && document.body.innerText.includes('Isi ketiga.')", timeout=timeout_ms)
        assert page.query_selector("#masalah") is None
        # The error page is served with status 500 on purpose (the browser may log it too);
        # nothing else may fail.
        assert [e for e in errors if "status of 500" not in e and not e.startswith("HTTP 500 ")] == []


# ---- stopping, recovery, the build state in memory ----------------------------------------------

@pytest.mark.solo  # stop times (STOP_SECONDS): measured with nothing else running (scripts/test.sh)
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_stops_the_preview_at_once(tmp_path, signum):
    """systemd, Docker, CI runners and IDE task runners stop a process with SIGTERM; a
    terminal with SIGINT. Either ends the preview at once, with no request needed to wake
    it, closes its port and leaves no process behind (stop() checks the last two)."""
    root = make_project(tmp_path)
    with serving(root) as srv:
        srv.wait_for("/seri/satu/", lambda s, b: s == 200, "the series page")
        stop(srv.proc, signum)
        with pytest.raises(OSError):
            request(srv.port, "/")  # the port is closed
    assert "preview stopped" in srv.output()


@pytest.mark.solo
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_during_the_first_load_stops_the_preview(tmp_path, signum):
    """The first load of a site this size parses in worker processes; a signal then ends
    the preview and its workers at once, quietly, with 143 or 130."""
    root = make_project(tmp_path, {f"content/series/s{i:04d}.md": SERIES.format(title=f"Seri {i}", body="Isi.")
                                   for i in range(1500)})
    port = free_port()
    log = tmp_path / "serve.log"
    with open(log, "wb") as fh:
        proc = subprocess.Popen(
            [sys.executable, str(REPO / "build.py"), "serve", "--root", str(root), "--port", str(port), "--no-search"],
            cwd=root, stdout=fh, stderr=subprocess.STDOUT, start_new_session=True,
        )
    try:
        end = time.monotonic() + DEADLINE
        while time.monotonic() < end and proc.poll() is None:  # until its workers parse the sources
            if subprocess.run(["pgrep", "-P", str(proc.pid)], capture_output=True).stdout.split():
                break
            time.sleep(0.01)
        stop(proc, signum, group=signum == signal.SIGINT)  # Ctrl+C reaches the workers too
        assert proc.returncode == 128 + signum
        out = log.read_text(encoding="utf-8", errors="replace")
        assert "loaded " not in out and "Traceback" not in out, out  # stopped during the load, quietly
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


@pytest.mark.solo
def test_a_signal_during_a_reload_stops_the_preview(tmp_path):
    root = make_project(tmp_path, {f"content/series/s{i:03d}.md": SERIES.format(title=f"Seri {i}", body="Isi.")
                                   for i in range(300)})
    with serving(root) as srv:
        srv.wait_for("/seri/satu/", lambda s, b: s == 200, "the series page")
        write(root, "templates/series.html", (REPO / "templates/series.html").read_text(encoding="utf-8") + "\n")
        write(root, "content/series/satu.md", SERIES.format(title="Seri Satu", body="Isi baru."))
        time.sleep(0.2)  # the watcher has handed the saves to a load
        stop(srv.proc, signal.SIGTERM)


def test_a_killed_build_is_recovered_before_serving(tmp_path):
    """A build killed while it updates _site in place leaves a mixture of old and new
    files, with its journal beside _site; the preview, like every build, recovers that
    first."""
    from test_hostile_repo import _edit, _leftovers, site_files

    root = make_project(tmp_path)
    assert run_cli("build", "--root", str(root), "--today", "2024-03-01").returncode == 0
    before = site_files(root / "_site")
    _edit(root, 1)
    killed = run_cli("build", "--root", str(root), "--today", "2024-03-01", env={"SITEGEN_TEST_KILL_AT": "swapping"})
    assert killed.returncode == -signal.SIGKILL
    journals = [p / "journal" for p in root.glob("._site.update-*")]  # beside the site, not in it
    assert site_files(root / "_site") != before and journals and journals[0].is_file()
    with serving(root) as srv:
        srv.wait_for("/seri/satu/", lambda s, b: s == 200, "the series page")
        assert site_files(root / "_site") == before
        assert _leftovers(root) == []


def _live_site(root: Path, port: int = 8123):
    from sitegen.preview.command import base_url_for
    from sitegen.preview.livesite import LiveSite

    import datetime as dt

    return LiveSite(root, serve_script(port), base_url_for(HOST, port), today=dt.date(2024, 3, 1))


def _served(live) -> dict:
    out = {}
    for rel, route in live.current.routes.items():
        data, problem = live.render(route)
        assert problem is None, problem
        out[rel] = data
    return out


def test_preview_pages_are_the_clean_build_and_a_save_renders_only_what_depends_on_it(tmp_path):
    """Every output the preview serves is the bytes a clean build writes (with the same
    address and live-reload script); after a save, only the outputs whose inputs changed
    are rendered again, and they equal a clean build of the edited project."""
    import datetime as dt

    from sitegen.pipeline import Options, build

    root = make_project(tmp_path, {f"content/series/s{i:02d}.md": SERIES.format(title=f"Seri {i}", body=f"Isi {i}.")
                                   for i in range(20)})
    live = _live_site(root)

    def clean(name: str) -> dict:
        out = tmp_path / name
        build(Options(root=root, output=out, base_url=live.base_url, today=dt.date(2024, 3, 1), search=False,
                      use_cache=False, serve_script=live.script, jobs=1))
        return {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*")
                if p.is_file() and p.name != ".sitegen"}

    live.accept(live.load())
    first = _served(live)
    built = clean("bersih-1")
    pages = {rel: data for rel, data in built.items() if rel in first}
    assert first == pages and len(pages) == len(first) > 30
    assert live.rendered == len(first)

    write(root, "content/series/s07.md", SERIES.format(title="Seri 7", body="Isi yang diubah."))
    outcome = live.load()
    assert outcome.read == 1
    live.accept(outcome)
    second = _served(live)
    again = live.rendered - len(first)
    built = clean("bersih-2")
    assert second == {rel: data for rel, data in built.items() if rel in second}
    changed = {rel for rel in second if second[rel] != first.get(rel)}
    assert "seri/s07/index.html" in changed
    # Rendered again: what changed, and what depends on the edited series without changing
    # its bytes (a listing that shows only its title); never the whole site.
    assert len(changed) <= again < len(first) / 2, (again, sorted(changed))
    # The static assets are served from their sources as the build copies them.
    for rel, src in live.current.assets.items():
        assert built[rel] == live.read_asset(src), rel


def test_saves_applied_in_memory_end_as_a_clean_build(tmp_path):
    """Saves handed to the preview one after another (as the watcher hands them): body
    edits are applied to the plan in memory (patch.py), every other change loads again;
    after each, every output the preview serves is the bytes of a clean build of the
    project as it then is, and a load that fails reports what a build reports."""
    import datetime as dt

    from sitegen.pipeline import Options, build
    from sitegen.problems import BuildFailed

    def series(title: str, date: str, body: str, program: str = "asn-belajar") -> str:
        return f"---\ntitle: {title}\nprogram: {program}\ndate: \"{date}\"\ntags: [literasi, topik-{date[:4]}]\n---\n{body}\n"

    days = ["2022-03-03", "2022-06-02", "2022-09-01", "2023-01-05", "2023-03-02", "2023-05-04",
            "2023-07-06", "2023-09-07", "2023-11-02", "2024-01-04", "2024-02-01", "2024-03-07", "2024-04-04"]
    files = {f"content/series/s{i:02d}.md": series(f"Seri {i}", day, f"Isi {i}.") for i, day in enumerate(days)}
    files["site.yaml"] = SITE_YAML + "per_page: 3\n"  # several archive pages per year
    root = make_project(tmp_path, files)
    live = _live_site(root)
    builds = iter(range(100))

    def clean() -> dict:
        out = tmp_path / f"bersih-{next(builds)}"
        build(Options(root=root, output=out, base_url=live.base_url, today=dt.date(2024, 3, 1), search=False,
                      use_cache=False, serve_script=live.script, jobs=1))
        return {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*")
                if p.is_file() and p.name != ".sitegen"}

    stamp = iter(range(1, 1000))

    def save(rel: str, text: str | None) -> str:
        path = root / rel
        if text is None:
            path.unlink()
        else:
            path.write_text(text, encoding="utf-8")
            ns = 1_700_000_000_000_000_000 + next(stamp) * 1_000_000_000  # a new time, whatever the clock's step
            os.utime(path, ns=(ns, ns))
        return str(path)

    def apply(*paths: str):
        outcome = live.load(changed=list(paths))
        live.accept(outcome)
        return outcome

    def same_as_clean() -> None:
        served = _served(live)
        built = clean()
        pages = {rel: data for rel, data in built.items() if rel in live.current.routes}
        assert set(pages) == set(served)
        different = sorted(rel for rel in served if served[rel] != pages[rel])
        assert not different, different

    live.accept(live.load())
    same_as_clean()

    # A body edit: patched, and the page, the feed and its neighbours show it as a build does.
    before = live.patched
    outcome = apply(save("content/series/s04.md", series("Seri 4", days[4], "Isi yang diubah *sekali*.")))
    assert live.patched == before + 1 and outcome.read == 1
    assert b"Isi yang diubah" in live.render(live.current.routes["seri/s04/index.html"])[0]
    same_as_clean()

    # Two bodies saved at once, one of them a second time.
    outcome = apply(save("content/series/s04.md", series("Seri 4", days[4], "Isi ketiga.")),
                    save("content/series/s09.md", series("Seri 9", days[9], "Isi sembilan diubah.")))
    assert live.patched == before + 2 and outcome.read == 2
    same_as_clean()

    # A title change (listings, the share image, the feed): loaded again.
    apply(save("content/series/s05.md", series("Seri Lima Berjudul Baru", days[5], "Isi 5.")))
    assert live.patched == before + 2
    same_as_clean()

    # A date that moves a series to another year and another archive page.
    apply(save("content/series/s01.md", series("Seri 1", "2023-12-07", "Isi 1.")))
    same_as_clean()

    # A series added, and one deleted.
    apply(save("content/series/s20.md", series("Seri Baru", "2023-08-03", "Isi baru.")))
    assert "seri/s20/index.html" in live.current.routes
    same_as_clean()
    apply(save("content/series/s07.md", None))
    assert "seri/s07/index.html" not in live.current.routes
    same_as_clean()

    # A mistake: the load fails with the problems a build reports; the pages stay.
    apply(save("content/series/s03.md", series("Seri 3", "2023-02-30", "Isi 3.")))
    assert live.problems is not None
    with pytest.raises(BuildFailed) as failed:
        clean()
    assert [p.format() for p in live.problems] == [p.format() for p in failed.value.problems.sorted()]
    # ... and its fix, after which body edits are patched again.
    apply(save("content/series/s03.md", series("Seri 3", "2023-02-02", "Isi 3 diperbaiki.")))
    assert live.problems is None
    same_as_clean()
    after_fix = live.patched
    apply(save("content/series/s03.md", series("Seri 3", "2023-02-02", "Isi 3 diperbaiki lagi.")))
    assert live.patched == after_fix + 1
    same_as_clean()



def test_a_body_saved_in_the_shipped_project_is_patched_and_as_built(tmp_path):
    """On a copy of the shipped project (its templates, settings and every kind of output
    context), a series' body saved is applied in memory, not loaded again, and every
    page the preview then serves is the bytes of a clean build (share images aside: they
    show no body, and drawing them all is the slow part)."""
    from conftest import CONTENT_TODAY, copy_repo_project
    from sitegen.pipeline import Options, build
    from sitegen.preview.command import base_url_for
    from sitegen.preview.livesite import LiveSite

    root = copy_repo_project(tmp_path / "proj")
    live = LiveSite(root, serve_script(8123), base_url_for(HOST, 8123), today=CONTENT_TODAY)
    live.accept(live.load())
    page = next(r for rel, r in sorted(live.current.routes.items()) if rel.startswith("seri/") and rel.endswith("/index.html"))
    path = root / page.context["series"].path
    path.write_text(path.read_text(encoding="utf-8").rstrip("\n") + "\n\nParagraf yang baru disimpan.\n", encoding="utf-8")
    live.accept(live.load(changed=[str(path)]))
    assert live.patched == 1 and live.problems is None
    out = tmp_path / "bersih"
    build(Options(root=root, output=out, base_url=live.base_url, today=CONTENT_TODAY, search=False,
                  use_cache=False, serve_script=live.script, jobs=1))
    served = {rel: live.render(route)[0] for rel, route in live.current.routes.items() if not rel.endswith(".png")}
    assert b"Paragraf yang baru disimpan." in served[page.output]
    different = sorted(rel for rel, data in served.items() if (out / rel).read_bytes() != data)
    assert not different, different
