"""The preview's HTTP side (tornado): pages from the live site, the search index, the
live-reload socket and its script.

Only what the site is made of is served: a request names a planned output (a page, a feed,
a share image...) or a static asset, looked up by its exact output path, or a file of the
finished search index under /pagefind/; anything else is 404. A path that no page can have
(too long, a malformed percent-escape, a control character, bytes that are not UTF-8) is
answered with 400 before anything is looked up.

The live-reload side speaks livereload's protocol (version 7) to livereload.js, the
client that the `livereload` package ships and serves with its `LiveReloadJSHandler`.
The socket is our own rather than livereload's `LiveReloadHandler`: that one keeps its
browsers and its watcher in class attributes shared by the whole process, accepts pages of
any origin, and drops a reload that follows the previous one within three seconds (a second
save would never reach the browser). Ours belongs to one server, accepts only the
preview's own pages, and tells every connected page to reload after every finished load.
"""

from __future__ import annotations

import json
import os
import re
from urllib.parse import unquote_to_bytes

from livereload.handlers import LiveReloadJSHandler
from tornado import web
from tornado.websocket import WebSocketClosedError, WebSocketHandler

from ..messages import _
from ..problems import one_line
from .errorpage import error_page
from .livesite import content_type
from .log import log

MAX_URL_PATH = 2048  # characters of a request path; the site's longest is under 200

_PERCENT_OK = re.compile(r"%(?![0-9A-Fa-f]{2})")


def bad_request_path(raw: str) -> bool:
    """A request path no page of the site can have: too long, a stray or malformed
    percent-escape, or (once decoded) a NUL or another control character, or bytes that
    are not UTF-8."""
    if len(raw) > MAX_URL_PATH or _PERCENT_OK.search(raw):
        return True
    try:
        decoded = unquote_to_bytes(raw).decode("utf-8")
    except UnicodeDecodeError:
        return True
    return any(ord(c) < 32 or ord(c) == 127 for c in decoded)


def is_page_path(path: str) -> bool:
    """A URL path that names a page (folder, .html or no extension) rather than an asset."""
    last = path.rstrip("/").rpartition("/")[2]
    return path == "" or path.endswith("/") or last.endswith(".html") or "." not in last


def output_path(path: str) -> str:
    """The output file a URL path names: seri/x/ -> seri/x/index.html."""
    return path + "index.html" if path == "" or path.endswith("/") else path


class Browsers:
    """The pages connected for live reload, of one server."""

    def __init__(self):
        self.sockets: set = set()

    def reload(self, path: str) -> None:
        message = json.dumps({"command": "reload", "path": path, "liveCSS": True, "liveImg": True})
        for socket in list(self.sockets):
            try:
                socket.write_message(message)
            except WebSocketClosedError:
                self.sockets.discard(socket)

    def close(self) -> None:
        for socket in list(self.sockets):
            socket.close()
        self.sockets.clear()


class ReloadSocket(WebSocketHandler):
    """livereload's protocol: the page says hello, we answer hello, the page sends its URL
    (info), and from then on it reloads when told. Tornado's own check keeps out pages of
    other origins."""

    def initialize(self, browsers: Browsers):
        self.browsers = browsers

    def on_message(self, message):
        try:
            data = json.loads(message)
        except ValueError:
            return
        if not isinstance(data, dict):
            return
        if data.get("command") == "hello":
            self.write_message(json.dumps({
                "command": "hello", "protocols": ["http://livereload.com/protocols/official-7"],
                "serverName": "sitegen-preview",
            }))
        elif data.get("command") == "info" and isinstance(data.get("url"), str):
            if self not in self.browsers.sockets:
                self.browsers.sockets.add(self)
                log(_("browser connected: {url}").format(url=one_line(data["url"][:200])))

    def on_close(self):
        self.browsers.sockets.discard(self)


class _Checked:
    """Refuses malformed request paths; nothing is cached by the browser."""

    quiet_log = False

    def prepare(self):
        if bad_request_path(self.request.path):
            raise web.HTTPError(400)

    def set_default_headers(self):
        self.set_header("Cache-Control", "no-store")


class SiteHandler(_Checked, web.RequestHandler):
    """Every planned output and static asset, from the live site; the problems instead of
    every page while the last load failed."""

    def initialize(self, live):
        self.live = live

    def head(self, path):
        self.get(path, include_body=False)

    def get(self, path, include_body=True):
        live = self.live
        if live.problems is not None and is_page_path(path):
            return self._send(500, error_page(live.problems, live.script), "text/html; charset=utf-8", include_body, quiet=True)
        rel = output_path(path)
        found = live.find(rel)
        if found is None and live.is_folder(path):
            return self.redirect("/" + path + "/", permanent=False)
        if found is None:
            return self._not_found(include_body)
        kind, what = found
        if kind == "asset":
            try:
                data = live.read_asset(what)
            except OSError:
                return self._not_found(include_body)
            return self._send(200, data, content_type(rel), include_body)
        data, problem = live.render(what)
        if data is None:
            log(problem.format())
            return self._send(500, error_page([problem], live.script), "text/html; charset=utf-8", include_body, quiet=True)
        return self._send(200, data, content_type(rel), include_body)

    def _not_found(self, include_body: bool) -> None:
        live = self.live
        if live.problems is not None:  # whatever was asked for, the problems come first
            return self._send(500, error_page(live.problems, live.script), "text/html; charset=utf-8", include_body, quiet=True)
        route = live.find("404.html")
        if route is not None and route[0] == "page":
            data, _problem = live.render(route[1])
            if data is not None:
                return self._send(404, data, "text/html; charset=utf-8", include_body)
        raise web.HTTPError(404)

    def _send(self, status: int, body: bytes, kind: str, include_body: bool, quiet: bool = False) -> None:
        self.set_status(status)
        self.set_header("Content-Type", kind)
        self.set_header("Content-Length", str(len(body)))
        self.quiet_log = quiet  # the problems were printed once, after the load
        if include_body:
            self.write(body)
        self.finish()


class SearchHandler(_Checked, web.StaticFileHandler):
    """/pagefind/: the latest finished search index (a folder of the preview's own)."""

    def initialize(self, indexer):
        current = indexer.current if indexer is not None else None
        self.available = current is not None
        super().initialize(path=str(current or os.devnull))

    async def get(self, path, include_body=True):
        if not self.available:
            raise web.HTTPError(404)
        await super().get(path, include_body)

    def should_return_304(self):
        return False

    def validate_absolute_path(self, root, absolute_path):
        found = super().validate_absolute_path(root, absolute_path)
        if found is not None:
            real_root = os.path.realpath(root)
            if os.path.commonpath([real_root, os.path.realpath(found)]) != real_root:
                raise web.HTTPError(403)
        return found


def _log_request(handler) -> None:
    """Tornado's request log, without successful requests and without the error page (its
    problems are already printed)."""
    status = handler.get_status()
    if status < 400 or getattr(handler, "quiet_log", False):
        return
    uri = handler.request.uri
    shown = uri if len(uri) <= 200 else uri[:197] + "..."
    log(f"{status} {handler.request.method} {one_line(shown)}")


def application(live, browsers: Browsers, indexer) -> web.Application:
    return web.Application(
        [
            (r"/livereload", ReloadSocket, {"browsers": browsers}),
            (r"/livereload\.js", LiveReloadJSHandler),
            (r"/pagefind/(.*)", SearchHandler, {"indexer": indexer}),
            (r"/(.*)", SiteHandler, {"live": live}),
        ],
        debug=False,
        log_function=_log_request,
    )
