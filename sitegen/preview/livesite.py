"""The preview's build state, kept in memory between saves.

A load reads the sources through the build's own loader (`gather.gather`) with the
records, problems and model objects of the previous load in memory: a source whose size
and time are unchanged is not read or parsed again, so saving one series reads one file.
It then validates everything, makes the model, plans every output (the same route table
as `build`) and makes the renderer, but renders nothing: a page is rendered when it is
asked for, and kept by the digest of everything it is made from (render.py), so a page
whose digest did not change is served again without rendering, and after a save only the
pages that depend on the saved file are rendered, when they are asked for. A page is the
same bytes a clean build gives (tests compare them), with the live-reload script in it.

Nothing is written to the output folder: share images are drawn when asked for, and the
search index is made in the background (indexer.py). Only the build cache is kept on
disk (.cache/serve/cache), so that the next preview starts from it.

A load that finds problems keeps the previous site's pages, and every page URL answers
with the problems (errorpage.py) until a later load succeeds.
"""

from __future__ import annotations

import dataclasses
import mimetypes
import os
import stat
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from .. import cache, gather, gctune, lastmod, planners
from ..assets import collect as collect_assets, read_asset
from ..buildstate import BuildState
from ..load import MAX_SOURCE_BYTES, SourceFile
from ..messages import _
from ..pipeline import make_renderer
from ..problems import Problem, Problems
from ..render import Renderer, template_error
from ..reuse import Reuse
from ..routes import Route
from . import patch

MEMO_BYTES = 256 << 20  # rendered outputs kept in memory, by digest, at most


@dataclass(frozen=True)
class Snapshot:
    """One successful load: what every request is answered from until the next one."""

    config: object
    site: object
    routes: dict  # output rel path -> Route
    assets: dict  # output rel path -> source file
    renderer: Renderer
    warnings: tuple = ()


@dataclass
class _Base:
    """The last successful load, as a save is applied to it (patch.py)."""

    snapshot: Snapshot
    problems: list
    summary: str
    index: patch.RouteIndex | None = None  # made when first needed (LiveSite.prepare)


def _same_front_matter(old, new) -> bool:
    """Two readings of a source whose front matter reads the same: the same validated
    record at the same lines, with the same problems, in the same validation context."""
    return (old.record == new.record and old.problems == new.problems and old.key[1:] == new.key[1:]
            and old.doc is not None and new.doc is not None and old.doc.lines == new.doc.lines
            and old.doc.body_line == new.doc.body_line and old.doc.path == new.doc.path and old.doc.kind == new.doc.kind)


@dataclass
class Outcome:
    """What a load found: a new snapshot, or the problems that kept it from being made."""

    snapshot: Snapshot | None
    problems: list = field(default_factory=list)  # sorted; errors and warnings
    seconds: float = 0.0
    read: int = 0  # Markdown sources read and parsed again
    sources: int = 0  # Markdown sources
    summary: str = ""  # of the problems, as the build prints it


class LiveSite:
    def __init__(self, root: Path, script: str, base_url: str, today=None, drafts: bool = False,
                 strict: bool = False, cache_path: Path | None = None):
        self.root = root
        self.script = script
        self.base_url = base_url
        self.today, self.drafts, self.strict = today, drafts, strict
        self.cache_path = cache_path
        self.recorded = cache.load(cache_path)  # what the last successful load recorded (buildstate.py)
        self.current: Snapshot | None = None
        self.problems: list[Problem] | None = None  # the last load's, while it failed
        self.rendered = 0  # outputs rendered (not served from memory) since the start
        self._memo: dict = {}  # route digest -> bytes
        self._memo_bytes = 0
        self._memo_lock = threading.Lock()
        # Kept from one load to the next (each only read and replaced by the loading thread):
        self._planned = Reuse()  # planning steps' results (reuse.py)
        self._environment: dict = {}  # the Jinja environment, with its compiled templates
        self._config = None  # the settings, kept while their digest is the same
        self._history = None  # the sources' commit times (lastmod.py), kept while the same
        self._base: _Base | None = None  # the last load's snapshot, to patch (patch.py)
        self.patched = 0  # loads made by patching, since the start

    # ---- loading (in the caller's worker thread) -------------------------------------------

    def load(self, jobs: int = 1, changed=None) -> Outcome:
        """Load everything again, or, when `changed` (the files saved since the last load)
        holds only series whose front matter reads as before, patch the last load's plan
        (patch.py); never raises for a problem in the input. The cyclic garbage collector
        is paused meanwhile, as during a build's loading (gctune.py)."""
        with gctune.Phases():
            if changed is not None:
                outcome = self._patch(changed)
                if outcome is not None:
                    return outcome
            self._base = None
            outcome = self._load(jobs)
            if outcome.snapshot is not None:
                self._base = _Base(outcome.snapshot, outcome.problems, outcome.summary)
            return outcome

    def prepare(self) -> None:
        """Index the last load's routes for the next save (in the loading thread, between
        loads: it walks every route once)."""
        base = self._base
        if base is not None and base.index is None:
            base.index = patch.RouteIndex(base.snapshot.routes)

    def history_changed(self) -> bool:
        """The sources' commit times differ from those the last load planned with (a
        commit since): the next load must plan again. Read after a patched load, which
        does not read them, so that the preview still ends as a clean load would."""
        if lastmod.read(self.root) == self._history:
            return False
        self._base = None
        return True

    def _patch(self, changed) -> Outcome | None:
        """The saved series applied to the last load (patch.py), or None when the save is
        not one that can be applied so: then everything is loaded again."""
        started = time.perf_counter()
        base = self._base
        if base is None or self.current is None or base.snapshot is not self.current:
            return None
        snap = base.snapshot
        if gather.today_for(snap.config, self.today) != snap.site.today:
            return None  # a new day since: what is upcoming changed
        recorded = self.recorded
        programs = sorted(rel for rel, e in recorded.entities.items() if rel.startswith("content/programs/"))
        slugs = [recorded.entities[rel].record["slug"] for rel in programs if recorded.entities[rel].record is not None]
        saved = []  # (rel, stat, entry, old object, new object)
        for path in sorted(set(changed)):
            rel = Path(os.path.relpath(path, self.root)).as_posix()
            old_entry, old_stat = recorded.entities.get(rel), recorded.stats.get(rel)
            if not rel.startswith("content/series/") or old_entry is None or old_stat is None or old_entry.record is None:
                return None
            try:
                st = os.lstat(self.root / rel)
            except OSError:
                return None  # deleted, or renamed away
            if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_SOURCE_BYTES:
                return None
            if (st.st_size, st.st_mtime_ns) == (old_stat.size, old_stat.mtime_ns):
                continue  # as it was
            got = gather.reread_source(SourceFile("series", rel, str(self.root / rel), st.st_size, st.st_mtime_ns),
                                       snap.config, slugs)
            if got is None:
                return None
            entry, obj, read = got
            old_obj = recorded.objects.get(old_entry.key)
            if obj is None or old_obj is None or old_obj.reach_imports or not _same_front_matter(old_entry, entry):
                return None
            saved.append((rel, read, entry, old_obj, obj))
        if base.index is None:
            base.index = patch.RouteIndex(snap.routes)
        if not base.index.complete:
            return None
        table = {id(old): (old, new) for _rel, _read, _entry, old, new in saved}
        memo: dict = {}
        routes = dict(snap.routes)
        for _rel, _read, _entry, old, new in saved:
            for out in base.index.routes_with(old):
                routes[out] = patch.swap(routes[out], table, memo)
        site = patch.swap(snap.site, table, memo)
        stats, entities, objects = dict(recorded.stats), dict(recorded.entities), dict(recorded.objects)
        for rel, read, entry, old, new in saved:
            stats[rel] = read
            objects.pop(entities[rel].key, None)
            entities[rel] = entry
            objects[entry.key] = new
            base.index.replaced(old, new)
        self.recorded = dataclasses.replace(recorded, stats=stats, entities=entities, objects=objects)
        r = snap.renderer
        renderer = Renderer(r.env, r.templates, r.closures, r.globals_digest, r.globals)
        snapshot = Snapshot(snap.config, site, routes, snap.assets, renderer, snap.warnings)
        base.snapshot = snapshot
        self.patched += 1
        return Outcome(snapshot, list(base.problems), time.perf_counter() - started, len(saved), len(entities), base.summary)

    def _load(self, jobs: int) -> Outcome:
        started = time.perf_counter()
        state = BuildState(None, self.cache_path, previous=self.recorded)
        problems, config, site, reports = gather.gather(
            self.root, self.base_url, self.today, self.drafts, jobs, state, lambda name: None)
        old, new = state.previous, state.next
        markdown = new.entities  # the Markdown sources (figures.yaml, one small file, is read every time)
        read = sum(1 for rel in markdown if old.stats.get(rel) != new.stats.get(rel) or rel not in old.entities)
        outcome = Outcome(None, [], 0.0, read, len(markdown))
        if config is None:
            return self._done(outcome, problems, started)
        self.recorded = new  # what was read is kept for the next load
        if problems.fails(self.strict):
            return self._done(outcome, problems, started)
        if self._config is not None and self._config.digest == config.digest:
            site = dataclasses.replace(site, config=self._config)  # the same settings: kept, as a key of what is reused
        self._config = site.config
        history = lastmod.read(self.root)
        if history == self._history:
            history = self._history
        self._history = history
        renderer = make_renderer(self.root, site.config, self.script, site, state, problems, self._environment)
        routes: dict = {}
        planned = planners.plan(site, reports, history, self._planned)
        self._planned.next_load()
        for route in planned:
            first = routes.setdefault(route.output, route)
            if first is not route:
                problems.error("templates", 1, _("two outputs share the path {path}: {first} and {second}").format(
                    path=route.output, first=first.url, second=route.url))
        assets = collect_assets(self.root)
        for rel in assets:
            if rel in routes:
                problems.error(f"static/{rel}", 1, _("static file would overwrite the page {url}").format(url=routes[rel].url))
        if not problems.fails(self.strict):
            outcome.snapshot = Snapshot(site.config, site, routes, assets, renderer, tuple(problems.sorted()))
        return self._done(outcome, problems, started)

    def _done(self, outcome: Outcome, problems: Problems, started: float) -> Outcome:
        outcome.problems = problems.sorted()
        outcome.summary = problems.summary()
        outcome.seconds = time.perf_counter() - started
        return outcome

    def save_cache(self) -> None:
        """Keep the sources' records for the next preview (a failure only costs speed)."""
        if self.cache_path is not None:
            try:
                cache.save(self.cache_path, self.recorded)
            except OSError:
                pass

    # ---- answering (in the server's loop) --------------------------------------------------

    def accept(self, outcome: Outcome) -> None:
        """Serve from what a load found: its snapshot, or its problems over the last one."""
        if outcome.snapshot is not None:
            self.current, self.problems = outcome.snapshot, None
        else:
            self.problems = outcome.problems

    def find(self, rel: str) -> tuple[str, object] | None:
        """("page", Route), ("asset", source file) or None for an output path."""
        snap = self.current
        if snap is None:
            return None
        route = snap.routes.get(rel)
        if route is not None:
            return "page", route
        src = snap.assets.get(rel)
        if src is not None:
            return "asset", src
        return None

    def is_folder(self, rel: str) -> bool:
        """A path that names a page's folder without its final slash (/seri/x)."""
        snap = self.current
        return snap is not None and f"{rel}/index.html" in snap.routes if rel else False

    def render(self, route: Route) -> tuple[bytes | None, Problem | None]:
        return self.render_for(self.current, route)

    def render_for(self, snap: Snapshot, route: Route) -> tuple[bytes | None, Problem | None]:
        """The bytes of a route of `snap` (rendered, or kept from before by its digest), or
        the template mistake that kept it from rendering. Called from the server's loop
        and from the search indexer's thread."""
        key = snap.renderer.route_digest(route)
        data = self._memo.get(key)
        if data is not None:
            return data, None
        try:
            data = snap.renderer.render(route)
        except Exception as exc:  # a template mistake: shown like a content problem
            return None, Problem(*template_error(exc, snap.renderer.templates, self.root, route), "error")
        self.rendered += 1
        with self._memo_lock:
            if self._memo_bytes + len(data) > MEMO_BYTES:
                self._memo.clear()
                self._memo_bytes = 0
            self._memo[key] = data
            self._memo_bytes += len(data)
        return data, None

    @staticmethod
    def read_asset(src: Path) -> bytes:
        return read_asset(src)


def content_type(rel: str) -> str:
    kind = {".ics": "text/calendar", ".webmanifest": "application/manifest+json", ".js": "text/javascript",
            ".mjs": "text/javascript"}.get(Path(rel).suffix.lower()) or mimetypes.guess_type(rel)[0] or "application/octet-stream"
    if kind.startswith("text/") or kind in ("application/json", "application/xml", "application/manifest+json", "image/svg+xml"):
        kind += "; charset=utf-8"
    return kind
