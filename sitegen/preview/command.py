"""`build.py serve`: start the preview, load the site, serve it, reload on every save, and
stop cleanly when told.

Order of the start: the port is bound first (a busy port is a usage error before any
work), a killed build's leftovers in the published folder are recovered (writer.recover,
as every build does first), then the site is loaded (with worker processes: no thread runs
yet), the watcher starts, and the server answers. An edit made during the first load is
found by comparing the files before and after it.

Loads after a save run in a background thread, so the server keeps answering (from the
previous load) and a signal is handled at once. SIGTERM or SIGINT stops the loop through
asyncio's signal handling (a self-pipe: the sleeping loop wakes whichever thread received
the signal), closes the listening sockets and the browsers' sockets, stops the watcher and
the search indexer, and the process leaves with status 0 at once (cli.run), without
waiting for a load in progress: the preview writes nothing that a kill could leave half
done except its cache, which is written atomically. A signal during the first load ends
the process with 130 (SIGINT) or 143 (SIGTERM); its worker processes die with it.
"""

from __future__ import annotations

import asyncio
import signal
import sys
import threading
import time
import traceback
from pathlib import Path

from tornado import netutil
from tornado.httpserver import HTTPServer
from tornado.ioloop import IOLoop

from .. import cache, stopping
from ..load import ADMIN_DIR, CONFIG_FILE, STATIC_DIR, TEMPLATES_DIR
from ..messages import _
from ..problems import Problem, UsageError
from ..writer import MARKER, MARKER_TEXT, check_cache_location, check_output_location, recover
from .errorpage import serve_script
from .handlers import Browsers, application
from .indexer import SearchIndexer
from .livesite import LiveSite, Outcome
from .log import log
from .watcher import FileEvents, fingerprint

WATCHED = ("content", TEMPLATES_DIR, STATIC_DIR, CONFIG_FILE, ADMIN_DIR)
DEFAULT_OUTPUT = Path(".cache") / "serve-site"  # the preview's search index (pages are in memory)
WORK_DIR = Path(".cache") / "serve"  # the preview's build cache
SAVE_EVERY = 60.0  # seconds between two saves of the build cache while editing
AFTER_START = 0.5  # seconds from the start of serving to the background work of the first load


def base_url_for(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/"


def report(outcome: Outcome, was_failing: bool) -> None:
    for p in outcome.problems:
        print(p.format(), file=sys.stderr)
    if outcome.snapshot is None:
        log(_("{note}; the browser shows the problems until they are fixed").format(
            note=_("build failed: {summary}").format(summary=outcome.summary)))
        return
    log(_("loaded {pages} pages in {seconds} s ({read} of {sources} Markdown files read)").format(
        pages=len(outcome.snapshot.routes), seconds=f"{outcome.seconds:.2f}", read=outcome.read, sources=outcome.sources)
        + (_("; problems fixed") if was_failing else ""))


def safe_load(live: LiveSite, jobs: int = 1, changed=None) -> Outcome:
    """A load that never raises: an engine bug is reported like a problem."""
    try:
        return live.load(jobs, changed)
    except UsageError as exc:
        return Outcome(None, [Problem("build.py", 1, str(exc))], summary=str(exc))
    except Exception as exc:
        traceback.print_exc()
        message = f"internal error: {type(exc).__name__}: {exc}"
        return Outcome(None, [Problem("build.py", 1, message)], summary=message)


class Reloads:
    """Loads after saves, one at a time in a background thread; changes that arrive
    during a load start the next one when it ends. Lives on the server's loop."""

    def __init__(self, live: LiveSite, browsers: Browsers, indexer: SearchIndexer | None, loop: IOLoop):
        self.live, self.browsers, self.indexer, self.loop = live, browsers, indexer, loop
        self.pending: set = set()
        self.busy = False
        self.saved_at = 0.0

    def changed(self, paths: set) -> None:
        self.pending |= paths
        if not self.busy:
            self._next()

    def save_cache(self) -> None:
        """Keep the build cache for the next start, in the background."""
        if not self.busy:
            self.busy = True
            self._thread(self._save_only)

    def _thread(self, target) -> None:
        threading.Thread(target=target, name="preview-load", daemon=True).start()

    def _next(self) -> None:
        if not self.pending:
            self.busy = False
            return
        paths, self.pending = sorted(self.pending), set()
        self.busy = True
        self._thread(lambda: self._load(paths))

    def _load(self, paths: list) -> None:
        patched = self.live.patched
        outcome = safe_load(self.live, changed=paths)
        self.loop.add_callback(self._loaded, outcome, paths)
        # Between loads, in this thread: what the next save needs, and what a patched load
        # did not read (the commit times; when they changed, everything is loaded again).
        if self.live.patched != patched and self.live.history_changed():
            self.loop.add_callback(self.changed, {str(self.live.root / CONFIG_FILE)})
        self._prepare()
        if outcome.snapshot is not None and time.monotonic() - self.saved_at > SAVE_EVERY:
            self.saved_at = time.monotonic()
            self.live.save_cache()
        self.loop.add_callback(self._next)

    def _prepare(self) -> None:
        try:
            self.live.prepare()
        except Exception:  # only the next save's speed depends on it
            traceback.print_exc()

    def _save_only(self) -> None:
        self.saved_at = time.monotonic()
        self.live.save_cache()
        self._prepare()
        self.loop.add_callback(self._next)

    def _loaded(self, outcome: Outcome, paths: list) -> None:
        was_failing = self.live.problems is not None
        self.live.accept(outcome)
        report(outcome, was_failing)
        if outcome.snapshot is not None and self.indexer is not None and outcome.snapshot.config.search:
            self.indexer.submit(outcome.snapshot)
        self.browsers.reload(paths[0] if paths else "*")


def _prepare_output(root: Path, args) -> Path:
    output = args.output if args.output is not None else root / DEFAULT_OUTPUT
    if not output.is_absolute():
        output = Path.cwd() / output
    output = check_output_location(root, output)
    if output == (root / "_site").resolve():
        raise UsageError(_("serve never writes into _site (published builds must not carry the live-reload script); choose another --output"))
    return output


def cmd_serve(args) -> int:
    root = args.root.resolve()
    if not (root / CONFIG_FILE).is_file():
        raise UsageError(_("{root} has no site.yaml; run serve in the project folder or pass --root").format(root=root))
    if args.base_url:
        print(_("note: serve ignores --base-url; the preview lives at http://HOST:PORT/"), file=sys.stderr)
    output = _prepare_output(root, args)
    try:
        sockets = netutil.bind_sockets(args.port, args.host)
    except OSError as exc:
        raise UsageError(_("cannot listen on {host}:{port} ({reason}); choose another --port").format(
            host=args.host, port=args.port, reason=exc.strerror or exc)) from None
    port = sockets[0].getsockname()[1]

    # Until the loop runs (the first load), both signals end the preview as they end a
    # build (stopping.py): by an exception in this thread, held while the load's worker
    # pool is being made, and quietly in a worker forked but not yet set up (a Ctrl+C in a
    # terminal reaches the workers too).
    stopping.install()
    try:
        return _serve(root, args, output, sockets, port)
    except stopping.Stopped as exc:
        return exc.exit_code
    finally:
        stopping.uninstall()


def _serve(root: Path, args, output: Path, sockets: list, port: int) -> int:
    recover(root / "_site")  # what a killed build left in the published folder
    recover(output)
    work = check_cache_location(root, root / WORK_DIR / "cache", output)
    live = LiveSite(root, serve_script(port), base_url_for(args.host, port), args.today, args.drafts, args.strict,
                    cache_path=work / cache.STATE_FILE)
    watched = [root / name for name in WATCHED]
    before = fingerprint(watched)
    outcome = safe_load(live, jobs=0)  # no thread runs yet: the first load may use worker processes
    live.accept(outcome)
    report(outcome, False)

    asyncio.set_event_loop(asyncio.new_event_loop())
    loop = IOLoop.current()
    indexer = None
    if not args.no_search:
        indexer = SearchIndexer(output, live)
        (output / MARKER).write_bytes(MARKER_TEXT)  # the folder is the preview's own
    browsers = Browsers()
    reloads = Reloads(live, browsers, indexer, loop)
    watcher = FileEvents(watched, lambda paths: loop.add_callback(reloads.changed, paths))
    watcher.start()
    if fingerprint(watched) != before:  # saved during the first load
        reloads.changed({str(root / CONFIG_FILE)})
    elif outcome.snapshot is not None:
        # The build cache and the index of routes for patching (livesite.py) are made in
        # the background, after the first pages have been asked for: they would slow them.
        loop.call_later(AFTER_START, reloads.save_cache)
    if outcome.snapshot is not None and indexer is not None and outcome.snapshot.config.search:
        indexer.submit(outcome.snapshot)

    server = HTTPServer(application(live, browsers, indexer))
    server.add_sockets(sockets)
    stopped_by: list = []

    def stop(signum: int) -> None:
        stopped_by.append(signum)
        loop.stop()

    aio = asyncio.get_event_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        aio.add_signal_handler(signum, stop, signum)
    print(_("preview: {url}  (Ctrl+C to stop)").format(url=base_url_for(args.host, port)), flush=True)
    try:
        loop.start()
    finally:
        server.stop()  # the port is closed from here on
        browsers.close()
        watcher.stop()
        if indexer is not None:
            indexer.stop()
        # git (reading the history) and Pagefind (the search index) run in background
        # threads: ended and reaped here, so that none outlives the preview.
        stopping.end_programs()
        for signum in (signal.SIGTERM, signal.SIGINT):
            aio.remove_signal_handler(signum)
    log(_("preview stopped"))
    return 0
