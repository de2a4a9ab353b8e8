"""`build.py serve`: a live preview for editors.

Builds into its own folder (default .cache/serve-site, never _site, so no published build
ever carries the live-reload script), serves it on 127.0.0.1 with the `livereload`
package, watches content/, templates/, static/ and site.yaml through the operating
system's file events (watchfiles; livereload alone polls every 800 ms), rebuilds through the normal
pipeline and its build cache (only changed outputs are rendered again) and reloads the
browser.

When the input has problems the previous pages stay on disk, but every page URL answers
with an error page listing the `path:line: message` problems; it carries the live-reload
script, so saving the fixed file brings the page back. The search index never delays a
page: rebuilds skip it, and a background thread indexes a hard-linked snapshot of each
good build, served under /pagefind/.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import signal
import sys
import threading
import time
import traceback
from pathlib import Path
from urllib.parse import unquote_to_bytes

from livereload import Server
from livereload.handlers import LiveReloadHandler, LiveReloadJSHandler
from livereload.watcher import Watcher
from tornado import netutil, web
from tornado.httpserver import HTTPServer
from tornado.ioloop import IOLoop
from tornado.websocket import WebSocketHandler

from .load import ADMIN_DIR, CONFIG_FILE, STATIC_DIR, TEMPLATES_DIR
from .messages import _, language
from .problems import BuildFailed, Problem, Problems, UsageError, one_line

WATCHED = ("content", TEMPLATES_DIR, STATIC_DIR, CONFIG_FILE, ADMIN_DIR)
DEFAULT_OUTPUT = Path(".cache") / "serve-site"
WORK_DIR = Path(".cache") / "serve"  # build cache and search index of the preview


def serve_script(port: int) -> str:
    """The live-reload snippet. livereload.js comes from the preview server itself (never a
    CDN); it reads the port from its own URL and opens ws://<page host>:<port>/livereload.
    An external script rather than livereload's inline loader, so that a Content Security
    Policy allowing only 'self' scripts does not block it."""
    return f'<script src="/livereload.js?port={int(port)}"></script>'


def base_url_for(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/"


def is_page_path(path: str) -> bool:
    """A URL path that names a page (folder, .html or no extension) rather than an asset."""
    last = path.rstrip("/").rpartition("/")[2]
    return path == "" or path.endswith("/") or last.endswith(".html") or "." not in last


def error_page(problems: list[Problem], script: str) -> bytes:
    items = "\n".join(
        f'<li class="{p.level}"><code>{html.escape(p.format())}</code></li>' for p in problems
    )
    count = len([p for p in problems if p.level == "error"])
    title = html.escape(_("Preview: problems ({count})").format(count=count))
    heading = html.escape(_("The site could not be rebuilt"))
    intro = _("Fix the problems below, then save the file. This page reloads by itself once the "
              "file is saved. Each line names <strong>file:line: message</strong>.")
    guide = _("What each message means and how to fix it: {guide}.").format(guide="<code>docs/panduan-editor.md</code>")
    return f"""<!doctype html>
<html lang="{language()}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body {{ font: 16px/1.5 system-ui, sans-serif; margin: 2rem auto; max-width: 60rem; padding: 0 1rem; color: #1b1b1b; background: #fff; }}
h1 {{ color: #a4000f; font-size: 1.5rem; }}
ul {{ padding-left: 1.2rem; }}
li {{ margin: .5rem 0; }}
code {{ white-space: pre-wrap; overflow-wrap: anywhere; font-size: .95rem; }}
li.warning code {{ color: #6b4e00; }}
</style>
</head>
<body>
<main>
<h1>{heading}</h1>
<p>{intro}</p>
<ul id="masalah">
{items}
</ul>
<p>{guide}</p>
</main>
{script}
</body>
</html>
""".encode("utf-8")


def _stamp() -> str:
    return time.strftime("%H:%M:%S")


def _log(message: str) -> None:
    print(f"[{_stamp()}] {message}", file=sys.stderr, flush=True)


def sources_fingerprint(root: Path) -> tuple:
    """(path, size, mtime) of every watched file: equal fingerprints need no rebuild."""
    found = []
    for name in WATCHED:  # lstat: links are never followed, only noticed (the build refuses them)
        base = root / name
        try:
            st = os.lstat(base)
        except OSError:
            continue
        if not os.path.isdir(base) or base.is_symlink():
            found.append((name, st.st_mode, st.st_size, st.st_mtime_ns))
            continue
        for dirpath, dirnames, filenames in os.walk(base):
            dirnames.sort()
            for fn in sorted(filenames) + sorted(d for d in dirnames if os.path.islink(os.path.join(dirpath, d))):
                full = os.path.join(dirpath, fn)
                try:
                    st = os.lstat(full)
                except OSError:
                    continue
                found.append((full, st.st_mode, st.st_size, st.st_mtime_ns))
    return tuple(found)


class SearchIndexer:
    """Pagefind in a background thread, on a hard-linked snapshot of a finished build, so
    pages are served (and rebuilt) without waiting for the index."""

    def __init__(self, work: Path):
        self.work = work
        self.current: Path | None = None  # the folder served under /pagefind/
        self._pending: tuple | None = None  # (generation, snapshot folder, config)
        self._gen = 0
        self._cond = threading.Condition()
        self._stop = False
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True, exist_ok=True)
        self._thread = threading.Thread(target=self._run, name="search-index", daemon=True)
        self._thread.start()

    def submit(self, output: Path, config) -> None:
        """Snapshot `output` (hard links: milliseconds) and index it in the background."""
        self._gen += 1
        snap = self.work / f"snapshot-{self._gen}"
        for dirpath, dirnames, filenames in os.walk(output):
            dirnames[:] = [d for d in dirnames if d != "pagefind"]
            rel = Path(dirpath).relative_to(output)
            (snap / rel).mkdir(parents=True, exist_ok=True)
            for fn in filenames:
                if not os.path.isfile(os.path.join(dirpath, fn)) or os.path.islink(os.path.join(dirpath, fn)):
                    continue  # only regular files: never a link planted in the output folder
                try:
                    os.link(os.path.join(dirpath, fn), snap / rel / fn)
                except OSError:
                    shutil.copyfile(os.path.join(dirpath, fn), snap / rel / fn)
        with self._cond:
            if self._pending is not None:
                shutil.rmtree(self._pending[1], ignore_errors=True)
            self._pending = (self._gen, snap, config)
            self._cond.notify()

    def stop(self) -> None:
        with self._cond:
            self._stop = True
            self._cond.notify()

    def _run(self) -> None:
        from . import search

        while True:
            with self._cond:
                while self._pending is None and not self._stop:
                    self._cond.wait()
                if self._stop:
                    return
                gen, snap, config = self._pending
                self._pending = None
            problems = Problems()
            try:
                search.index(snap, config, problems)
                if not problems.errors and (snap / "pagefind").is_dir():
                    target = self.work / f"pagefind-{gen}"
                    os.rename(snap / "pagefind", target)
                    old, self.current = self.current, target
                    if old is not None:
                        shutil.rmtree(old, ignore_errors=True)
                    _log(_("search index updated ({n})").format(n=gen))
                else:
                    for p in problems.sorted():
                        _log(_("search index not updated: {reason}").format(reason=p.format()))
            except Exception as exc:  # the preview goes on without a fresh index
                _log(_("search index not updated: {reason}").format(reason=f"{type(exc).__name__}: {exc}"))
            finally:
                shutil.rmtree(snap, ignore_errors=True)


class Preview:
    """The state of a preview: how to build, and the problems of the last build (if any)."""

    def __init__(self, args, output: Path, work: Path, port: int):
        self.args = args
        self.root = args.root.resolve()
        self.output = output
        self.work = work
        self.script = serve_script(port)
        self.base_url = base_url_for(args.host, port)
        self.problems: list[Problem] | None = None  # None: the last build succeeded
        self.fingerprint: tuple | None = None
        self.search: SearchIndexer | None = None
        self._error_page = b""

    def options(self):
        from .pipeline import Options

        a = self.args
        return Options(
            root=self.root, output=self.output, base_url=self.base_url, drafts=a.drafts,
            today=a.today, strict=a.strict, search=False, use_cache=True,
            cache_dir=self.work / "cache", serve_script=self.script,
        )

    def failed_page(self) -> bytes | None:
        return self._error_page if self.problems is not None else None

    def _fail(self, problems: list[Problem], note: str) -> None:
        self.problems = problems
        self._error_page = error_page(problems, self.script)
        for p in problems:
            print(p.format(), file=sys.stderr)
        _log(_("{note}; the browser shows the problems until they are fixed").format(note=note))

    def rebuild(self) -> None:
        """Build once; never raises (the server keeps running whatever happens)."""
        fingerprint = sources_fingerprint(self.root)
        if fingerprint == self.fingerprint:
            return
        self.fingerprint = fingerprint
        from .pipeline import build

        started = time.perf_counter()
        try:
            result = build(self.options())
        except BuildFailed as exc:
            self._fail(exc.problems.sorted(), _("build failed: {summary}").format(summary=exc.problems.summary()))
            return
        except UsageError as exc:
            self._fail([Problem("build.py", 1, str(exc))], _("build failed"))
            return
        except Exception as exc:  # an engine bug: report it like a problem, keep serving
            traceback.print_exc()
            self._fail([Problem("build.py", 1, f"internal error: {type(exc).__name__}: {exc}")], _("build failed"))
            return
        was_failing = self.problems is not None
        self.problems = None
        for p in result.problems.sorted():
            print(p.format(), file=sys.stderr)
        _log(
            _("built {pages} pages in {seconds} s ({rendered} rendered, {reused} unchanged)").format(
                pages=len(result.routes), seconds=f"{time.perf_counter() - started:.2f}",
                rendered=result.rendered, reused=result.reused)
            + (_("; problems fixed") if was_failing else "")
        )
        config = result.site.config
        if self.search is not None and config.search:
            try:
                self.search.submit(self.output, config)
            except OSError as exc:
                _log(_("search index not updated: {reason}").format(reason=exc))


class EventWatcher(Watcher):
    """livereload's watcher driven by the operating system's file events (watchfiles:
    inotify on Linux, FSEvents on macOS, ReadDirectoryChangesW on Windows) instead of a
    scan of every watched file each 800 ms, so a save is seen within milliseconds.

    Threads wait for events and hand them to the server's loop, which runs the watched
    task (the rebuild) and then tells the browsers to reload. The threads start before the
    first build, so an edit made during it is not lost. Watched folders are watched
    recursively; the watched names themselves (site.yaml, and a folder such as templates/
    that may not exist yet) through their parent folder, not recursively, because editors
    often save by renaming a new file over the old one."""

    # Events are collected until this long passes without a new one (watchfiles' default):
    # a save that truncates and then writes a file is seen as one change, not as an empty
    # file followed by the full one.
    STEP_MS = 50

    def __init__(self):
        super().__init__()
        self._pending: set[str] = set()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._folders_stop: threading.Event | None = None
        self._callback = None
        self._loop: IOLoop | None = None
        self._started = False

    def begin(self) -> None:
        """Start listening for events (call after every watch(), before the first build)."""
        if self._started:
            return
        self._started = True
        self._loop = IOLoop.current()
        names = {os.path.abspath(p) for p in self._tasks}
        self._watch_folders()
        parents = sorted({os.path.dirname(p) for p in names})
        only = lambda change, path: os.path.abspath(path) in names  # noqa: E731
        threading.Thread(
            target=self._run, args=(parents, False, only, self._stop, self._top_changed),
            name="file-events-top", daemon=True,
        ).start()

    def _watch_folders(self) -> None:
        """(Re)start the recursive watch of the watched folders that exist now."""
        if self._folders_stop is not None:
            self._folders_stop.set()
        folders = sorted(os.path.abspath(p) for p in self._tasks if os.path.isdir(p))
        self._folders_stop = stop = threading.Event()
        if folders:
            threading.Thread(
                target=self._run, args=(folders, True, None, stop, self._queue),
                name="file-events", daemon=True,
            ).start()

    def _top_changed(self, changes) -> None:
        import watchfiles

        if any(c == watchfiles.Change.added and os.path.isdir(p) for c, p in changes):
            # A watched folder appeared: watch inside it too. Files written into it before
            # that watch is in place are caught by the rebuild, which compares every file.
            self._watch_folders()
            time.sleep(0.05)
        self._queue(changes)

    def _queue(self, changes) -> None:
        with self._lock:
            self._pending.update(path for _, path in changes)
        self._loop.add_callback(self._notify)

    def _run(self, paths, recursive, only, stop, handle) -> None:
        import watchfiles

        polling = False
        while not (stop.is_set() or self._stop.is_set()):
            try:
                for changes in watchfiles.watch(
                    *paths, watch_filter=only or watchfiles.DefaultFilter(), recursive=recursive,
                    step=self.STEP_MS, stop_event=stop, force_polling=polling,
                    raise_interrupt=False, ignore_permission_denied=True,
                ):
                    if self._stop.is_set():
                        return
                    handle(changes)
                return
            except Exception as exc:  # e.g. the system's limit of watched folders is reached
                if polling:
                    _log(_("file watcher stopped: {reason}").format(reason=f"{type(exc).__name__}: {exc}"))
                    return
                _log(_("file events unavailable ({reason}); polling instead").format(reason=f"{type(exc).__name__}: {exc}"))
                polling = True

    def _notify(self) -> None:
        if self._callback is not None:
            self._callback()

    def start(self, callback) -> bool:
        """Called by livereload when the server starts: True means "no polling needed"."""
        self.begin()
        self._callback = callback
        callback()  # whatever arrived before the server was ready
        return True

    def stop(self) -> None:
        self._stop.set()
        if self._folders_stop is not None:
            self._folders_stop.set()

    def examine(self):
        """Run the task of every watched path that changed; (a changed path, delay) or
        (None, None). livereload's own queued messages come first."""
        if self._changes:
            return self._changes.pop()
        with self._lock:
            changed, self._pending = sorted(self._pending), set()
        self.filepath = None
        if not changed:
            return None, None
        funcs = []
        for path, task in self._tasks.items():
            path = os.path.abspath(path)
            hits = [c for c in changed if c == path or c.startswith(path + os.sep)]
            if hits:
                self.filepath = self.filepath or hits[0]
                if task["func"] is not None and task["func"] not in funcs:
                    funcs.append(task["func"])
        for func in funcs:  # one rebuild for a save that touched several watched paths
            func()
        return self.filepath, None


MAX_URL_PATH = 2048  # characters of a request path; the site's longest is under 200

_PERCENT_OK = re.compile(r"%(?![0-9A-Fa-f]{2})")


def bad_request_path(raw: str) -> bool:
    """A request path no page of the site can have: too long, a stray or malformed
    percent-escape, or (once decoded) a NUL or another control character, or bytes that
    are not UTF-8. Answered with 400 before any file is looked at."""
    if len(raw) > MAX_URL_PATH or _PERCENT_OK.search(raw):
        return True
    try:
        decoded = unquote_to_bytes(raw).decode("utf-8")
    except UnicodeDecodeError:
        return True
    return any(ord(c) < 32 or ord(c) == 127 for c in decoded)


class _NoCache:
    def prepare(self):
        if bad_request_path(self.request.path):
            self.quiet_log = False
            raise web.HTTPError(400)

    def set_extra_headers(self, path):
        self.set_header("Cache-Control", "no-store")

    def should_return_304(self):
        return False

    def validate_absolute_path(self, root, absolute_path):
        found = super().validate_absolute_path(root, absolute_path)
        if found is not None:
            real_root = os.path.realpath(root)
            if os.path.commonpath([real_root, os.path.realpath(found)]) != real_root:
                raise web.HTTPError(403)
        return found


class SiteHandler(_NoCache, web.StaticFileHandler):
    """The built site; the error page for every page URL while the input has problems."""

    def initialize(self, preview: Preview):
        self.preview = preview
        super().initialize(path=str(preview.output), default_filename="index.html")

    async def get(self, path, include_body=True):
        page = self.preview.failed_page()
        if page is not None and is_page_path(path):
            self._send_page(500, page, include_body)
            return
        await super().get(path, include_body)

    def _send_page(self, status: int, body: bytes, include_body: bool = True, quiet: bool = True) -> None:
        self.clear()
        self.set_status(status)
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        if include_body:
            self.write(body)
        self.quiet_log = quiet  # the problems were printed once, after the build
        self.finish()

    def write_error(self, status_code, **kwargs):
        page = self.preview.failed_page()
        if page is not None and status_code == 404:
            self._send_page(500, page)
            return
        not_found = self.preview.output / "404.html"
        if status_code == 404 and not_found.is_file():
            self._send_page(404, not_found.read_bytes(), quiet=False)
            return
        super().write_error(status_code, **kwargs)


class SearchHandler(_NoCache, web.StaticFileHandler):
    """/pagefind/: the latest finished search index."""

    def initialize(self, preview: Preview):
        current = preview.search.current if preview.search else None
        self.available = current is not None
        super().initialize(path=str(current or preview.work / "no-index"))

    async def get(self, path, include_body=True):
        if not self.available:
            raise web.HTTPError(404)
        await super().get(path, include_body)


class SameOriginReload(LiveReloadHandler):
    """livereload's WebSocket, but only for pages of the preview itself (tornado's own
    same-origin check instead of accepting every web page)."""

    def check_origin(self, origin):
        return WebSocketHandler.check_origin(self, origin)


def _log_request(handler) -> None:
    """Tornado's request log, without the error page (its problems are already printed)
    and without successful requests."""
    status = handler.get_status()
    if status < 400 or getattr(handler, "quiet_log", False):
        return
    uri = handler.request.uri
    shown = uri if len(uri) <= 200 else uri[:197] + "..."
    _log(f"{status} {handler.request.method} {one_line(shown)}")


class PreviewServer(Server):
    """livereload's Server with our handlers on sockets bound before the first build."""

    def __init__(self, preview: Preview, sockets: list):
        # SITEGEN_WATCH=poll: livereload's scan every 800 ms, for folders whose changes the
        # system does not report (some network drives, WSL's /mnt/c).
        polling = os.environ.get("SITEGEN_WATCH", "").strip().lower() == "poll"
        super().__init__(watcher=Watcher() if polling else EventWatcher())
        self.preview = preview
        self.sockets = sockets
        self.http_server: HTTPServer | None = None

    def application(self, port, host, liveport=None, debug=None, live_css=True):
        LiveReloadHandler.watcher = self.watcher
        LiveReloadHandler.live_css = live_css
        # livereload skips a reload that follows the previous one within 3 s; a rebuild is
        # finished before the reload is sent, so every change may reload the page.
        LiveReloadHandler.DEFAULT_RELOAD_TIME = 0
        app = web.Application(
            [
                (r"/livereload", SameOriginReload),
                (r"/livereload\.js", LiveReloadJSHandler),
                (r"/pagefind/(.*)", SearchHandler, {"preview": self.preview}),
                (r"/(.*)", SiteHandler, {"preview": self.preview}),
            ],
            debug=False,
            log_function=_log_request,
        )
        self.http_server = HTTPServer(app)
        self.http_server.add_sockets(self.sockets)


def cmd_serve(args) -> int:
    root = args.root.resolve()
    if not (root / CONFIG_FILE).is_file():
        raise UsageError(_("{root} has no site.yaml; run serve in the project folder or pass --root").format(root=root))
    if args.base_url:
        print(_("note: serve ignores --base-url; the preview lives at http://HOST:PORT/"), file=sys.stderr)
    output = args.output if args.output is not None else root / DEFAULT_OUTPUT
    if not output.is_absolute():
        output = Path.cwd() / output
    from .writer import check_cache_location, check_output_location

    output = check_output_location(root, output)
    if output == (root / "_site").resolve():
        raise UsageError(_("serve never writes into _site (published builds must not carry the live-reload script); choose another --output"))
    try:
        sockets = netutil.bind_sockets(args.port, args.host)
    except OSError as exc:
        raise UsageError(_("cannot listen on {host}:{port} ({reason}); choose another --port").format(
            host=args.host, port=args.port, reason=exc.strerror or exc)) from None
    port = sockets[0].getsockname()[1]
    work = check_cache_location(root, root / WORK_DIR, output)
    preview = Preview(args, output, work, port)
    if not args.no_search:
        preview.search = SearchIndexer(work / "search")
    # The watcher starts before the first build, so an edit made during it is not missed.
    server = PreviewServer(preview, sockets)
    for name in WATCHED:
        server.watch(str(root / name), preview.rebuild)
    if isinstance(server.watcher, EventWatcher):
        server.watcher.begin()
    preview.rebuild()
    # A file edited during the first build is seen here and rebuilt. (For livereload's
    # polling watcher this scan also records every file, which its first scan would
    # otherwise treat as new, sending the browser a reload for nothing.)
    server.watcher.examine()

    loop = IOLoop.current()
    signal.signal(signal.SIGTERM, lambda *_: loop.add_callback(loop.stop))
    print(_("preview: {url}  (Ctrl+C to stop; files in {output})").format(url=preview.base_url, output=output), flush=True)
    try:
        # restart_delay="forever": no reload is sent for the server's own start.
        server.serve(port=port, host=args.host, root=str(output), restart_delay="forever")
    finally:
        if isinstance(server.watcher, EventWatcher):
            server.watcher.stop()
        if preview.search is not None:
            preview.search.stop()
    return 0

