"""The build, top to bottom (`build`):

    config -> find sources -> parse -> validate everything -> model -> plan outputs
           -> render -> write (atomic) -> search index

Everything is gathered and validated before anything is written. The pieces live apart:
sources.py loads and validates; planners.py lists every output; render.py renders and
digests; incremental.py decides what is current; cache.py keeps what the last build
recorded; writer.py holds the output trees (a fresh staged tree swapped in whole, or the
previous folder updated in place); parallel.py spreads work over the cores; gctune.py
tunes the garbage collector; search.py makes the search index.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from . import cache, disk, gctune, i18n, incremental, parallel, planners, search, sources, stopping
from .messages import _
from .assets import collect as collect_assets, file_digest, read_asset
from .config import Config
from .problems import BuildFailed, Problems
from .render import Renderer, TemplateSet, digest, make_environment, template_closures, template_error
from .writer import InPlaceTree, StagedTree, check_cache_location, check_output_location, checkpoint

today_for, epoch_seconds = sources.today_for, sources.epoch_seconds


@dataclass
class Options:
    root: Path = Path(".")
    output: Path | None = None  # default: <root>/_site
    base_url: str | None = None
    drafts: bool = False
    today: dt.date | None = None
    strict: bool = False
    search: bool = True
    cache_dir: Path | None = None  # default: <root>/.cache/sitegen; None with use_cache=False
    use_cache: bool = True
    jobs: int = 0  # 0: one per core
    serve_script: str = ""  # the live-reload snippet, only in serve mode


@dataclass
class Result:
    problems: Problems
    site: object = None
    reports: object = None
    routes: list = field(default_factory=list)
    rendered: int = 0
    reused: int = 0
    timings: dict = field(default_factory=dict)
    output: Path | None = None


class Timer:
    def __init__(self):
        self.t = time.perf_counter()
        self.marks: dict = {}

    def mark(self, name: str) -> None:
        now = time.perf_counter()
        self.marks[name] = round(now - self.t, 4)
        self.t = now
        checkpoint(name)


def build(opts: Options, write: bool = True) -> Result:
    """Build the site (or, with write=False, only check it). Raises BuildFailed on input
    problems, before anything is written."""
    with gctune.Phases() as phases:
        timer = Timer()
        root = opts.root = opts.root.resolve()
        output = check_output_location(root, opts.output or root / "_site") if write else None
        cache_dir = check_cache_location(root, opts.cache_dir or root / ".cache" / "sitegen", output) if opts.use_cache else None
        cache_path = cache_dir / cache.STATE_FILE if cache_dir else None
        disk.reset()
        disk.known("output", output)
        disk.known("cache", cache_dir)
        state = cache.load(cache_path)
        incremental.trust_outputs(state, output)
        timer.mark("cache-load")

        problems, config, site, reports = sources.gather(root, opts.base_url, opts.today, opts.drafts, opts.jobs, state, timer.mark)
        result = Result(problems, site, reports)
        _stop_on(problems, opts, config is None)
        renderer = _renderer(root, config, opts.serve_script, site, state, problems)
        _stop_on(problems, opts)
        planned = result.routes = planners.plan(site, reports)
        _check_paths(planned, problems)
        timer.mark("plan")

        # Digests only serve the cache: without it every output is rendered anyway.
        digests = [renderer.route_digest(r) for r in planned] if cache_path else [""] * len(planned)
        todo = [i for i, r in enumerate(planned) if not (write and incremental.output_current(state, r.output, digests[i], output))]
        result.reused = len(planned) - len(todo)
        timer.mark("digest")

        phases.render()
        # The previous output is updated in place when the cache describes it; otherwise a
        # fresh tree is built beside it and swapped in (writer.py).
        in_place = write and bool(state.outputs)
        disk.target("output", output)
        tree = StagedTree(output) if write and not in_place and not problems.fails(opts.strict) else None
        try:
            rendered = _render(renderer, planned, todo, tree, opts.jobs, config, root)
            result.rendered = len(todo)
            timer.mark("render")
            for r in rendered:
                if r.error is not None:
                    problems.error(*r.error)
            _stop_on(problems, opts)
            if not write:
                return result

            assets = collect_assets(root)
            _check_assets(assets, planned, problems)
            _stop_on(problems, opts)
            if in_place:
                tree = InPlaceTree(output)
            new = cache.CacheState(output_dir=str(output))
            changed, fresh = _write_pages(planned, digests, rendered, renderer, tree, state, new, output, in_place)
            changed |= _write_assets(assets, tree, state, new, output, in_place)
            timer.mark("write")
            if opts.search and config.search:
                changed |= _search_index(planned, fresh, tree, state, new, output, in_place, opts.jobs, config.language, problems)
                timer.mark("search")
                _stop_on(problems, opts)
            stale = [rel for rel in state.outputs if rel not in new.outputs] if in_place else []
            for rel in stale:
                tree.remove(rel)
            if in_place and (changed or stale):
                cache.invalidate(cache_path)  # an interrupted update is followed by a clean build
            with stopping.deferred():  # a signal waits until the new site is whole
                tree.commit()
            timer.mark("commit")
        except BaseException:
            if tree is not None:
                tree.abandon()
            raise

        new.stats, new.entities, new.objects = state.new_stats, state.new_entities, state.new_objects
        new.closures, new.shard_keys, new.marker = state.closures, state.shard_keys, incremental.marker(output)
        if in_place and not (changed or stale or state.closures_changed) and incremental.nothing_changed(state, new, output):
            cache.remember(cache_path, new)  # a build that changed nothing leaves the cache as it is
        else:
            with stopping.deferred():
                disk.target("cache", cache_dir, committed=write)
                cache.save(cache_path, new)
        timer.mark("cache-save")
        result.timings, result.output = timer.marks, output
        return result


# ---- the steps ------------------------------------------------------------------------------

def _stop_on(problems: Problems, opts: Options, also: bool = False) -> None:
    if also or problems.fails(opts.strict):
        raise BuildFailed(problems)


def site_globals(site) -> dict:
    """What every template may use besides its route's context."""
    return {"nav_programs": site.programs, "pages": site.pages}


def _renderer(root: Path, config: Config, serve_script: str, site, state: cache.CacheState, problems: Problems) -> Renderer:
    templates = TemplateSet(root)
    env = make_environment(templates, config, serve_script)
    # Which templates each template can load: reused from the last build while no template changed.
    key = tuple(templates.hashes.items())
    if state.closures and state.closures[0] == key:
        closures = state.closures[1]
    else:
        found = Problems()
        closures = template_closures(env, templates, found, root)
        problems.extend(found)
        state.closures = (key, closures) if not found.items else ()
        state.closures_changed = True
    globals_ = site_globals(site)
    return Renderer(env, templates, closures, digest(config.digest, serve_script, globals_), globals_)


def _check_paths(planned: list, problems: Problems) -> None:
    seen: dict = {}
    for r in planned:
        if r.output in seen:
            problems.error("templates", 1, _("two outputs share the path {path}: {first} and {second}").format(path=r.output, first=seen[r.output], second=r.url))
        seen[r.output] = r.url


def _check_assets(assets: dict, planned: list, problems: Problems) -> None:
    pages = {r.output: r.url for r in planned}
    for rel in assets:
        if rel in pages:
            problems.error(f"static/{rel}", 1, _("static file would overwrite the page {url}").format(url=pages[rel]))


class Rendered(NamedTuple):
    """What rendering route `index` gave back to the parent process."""

    index: int
    stat: tuple | None  # (size, mtime_ns) of the file the worker wrote into the tree
    data: bytes | None  # the bytes, when there is no tree to write into
    error: tuple | None  # (path, line, message) of a template mistake
    content: str  # digest of the bytes of a page the search index reads, else ""


def content_digest(rel: str, data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest() if search.indexed(rel) else ""


def _render_task(i: int) -> Rendered:
    """Render route i (in a worker process when there are many); with a tree, the bytes
    are written there."""
    shared = parallel._SHARED
    renderer, route = shared["renderer"], shared["routes"][i]
    try:
        data = renderer.render(route)
    except Exception as exc:  # template mistakes are reported like content problems
        return Rendered(i, None, None, template_error(exc, renderer.templates, shared["root"], route), "")
    tree = shared["tree"]
    content = content_digest(route.output, data)
    if tree is None:
        return Rendered(i, None, data, None, content)
    return Rendered(i, tree.write_file(route.output, data), None, None, content)


def _render(renderer: Renderer, planned: list, todo: list, tree, jobs: int, config: Config, root: Path) -> list:
    jobs = parallel.jobs_for(jobs, len(todo), min_per_job=64)
    if jobs > 1:  # compile the templates and load the locale once, before forking
        for name in sorted({planned[i].template for i in todo} - {None}):
            try:
                renderer.env.get_template(name)
            except Exception:  # reported with its route by the worker
                pass
        try:
            i18n.long_date(dt.date(2000, 1, 1), config.language)
            i18n.number(1000, config.language)
        except Exception:  # an unknown language is reported where it is used
            pass
    return parallel.run(_render_task, todo, jobs, {"renderer": renderer, "routes": planned, "tree": tree, "root": root})


def _write_pages(planned: list, digests: list, rendered: list, renderer: Renderer, tree, state: cache.CacheState,
                 new: cache.CacheState, output: Path, in_place: bool) -> tuple[bool, dict]:
    """Record (and write, where the workers did not) every planned output; the current ones
    are kept from the previous build. Returns whether any file was written, and the bytes
    written here (in place, they sit under temporary names until the commit)."""
    pending: list = []  # (index, bytes) rendered in this process
    for r in rendered:
        rel = planned[r.index].output
        if r.content:
            new.contents[rel] = r.content
        if r.stat is not None:
            new.outputs[rel] = cache.Written(digests[r.index], *r.stat)
        elif r.data is not None:
            pending.append((r.index, r.data))
    done = {r.index for r in rendered}
    for i, route in enumerate(planned):
        if i in done:
            continue
        rel = route.output
        if in_place or tree.link_file(rel, output / rel):
            new.outputs[rel] = state.outputs[rel]
            if rel in state.contents:
                new.contents[rel] = state.contents[rel]
        else:  # the previous file could not be reused after all
            data = renderer.render(route)
            new.contents[rel] = content_digest(rel, data)
            pending.append((i, data))
    fresh = {}
    for i, data in pending:
        rel = planned[i].output
        new.outputs[rel] = cache.Written(digests[i], *tree.write_file(rel, data))
        fresh[rel] = data
    return bool(pending), fresh


def _write_assets(assets: dict, tree, state: cache.CacheState, new: cache.CacheState, output: Path, in_place: bool) -> bool:
    writes = []
    for rel, src in assets.items():
        st = src.stat()
        memo = state.assets.get(str(src))
        d = memo[2] if memo and memo[0] == st.st_size and memo[1] == st.st_mtime_ns else file_digest(src)
        new.assets[str(src)] = (st.st_size, st.st_mtime_ns, d)
        d = "asset:" + d
        if incremental.output_current(state, rel, d, output) and (in_place or tree.link_file(rel, output / rel)):
            new.outputs[rel] = state.outputs[rel]
        else:
            writes.append((rel, d, src))
    for rel, d, src in writes:
        new.outputs[rel] = cache.Written(d, *tree.write_file(rel, read_asset(src)))
    return bool(writes)


def _search_index(planned: list, fresh: dict, tree, state: cache.CacheState, new: cache.CacheState, output: Path, in_place: bool,
                  jobs: int, language: str, problems: Problems) -> bool:
    """The search index, in parts (search.py): current parts are kept, the others indexed
    again. Returns whether any file was written."""
    pages = {}
    for route in planned:
        rel = route.output
        if search.indexed(rel):
            if rel not in new.contents:  # not recorded by an older cache
                new.contents[rel] = content_digest(rel, fresh[rel] if rel in fresh else (tree.tmp / rel).read_bytes())
            pages[rel] = new.contents[rel]
    todo = []
    for part in search.plan(pages, language):
        files = incremental.search_part_current(state, part.digest, output)
        if files and (in_place or all(tree.link_file(rel, output / rel) for rel in files)):
            for rel in files:
                new.outputs[rel] = state.outputs[rel]
            new.search_parts[part.digest] = files
        else:
            todo.append(part)
    if not todo:
        return False

    def page_file(rel: str):
        return fresh[rel] if rel in fresh else tree.tmp / rel

    scratch = output.parent / f".{output.name}.search-{os.getpid()}"
    built = search.build_parts(todo, page_file, scratch, language, parallel.jobs_for(jobs, len(todo), 1), problems)
    for part in todo:
        files = built.get(part.number, {})
        d = "search:" + part.digest
        for rel, data in files.items():
            old = state.outputs.get(rel)
            # Most files of a part indexed again are as before (fragments of unchanged pages,
            # Pagefind's scripts): those are kept rather than written again.
            if (old and old.digest.startswith("search:") and incremental.output_current(state, rel, old.digest, output)
                    and (search.named_by_content(rel) or _same_bytes(output / rel, data))
                    and (in_place or tree.link_file(rel, output / rel))):
                new.outputs[rel] = cache.Written(d, old.size, old.mtime_ns)
            else:
                new.outputs[rel] = cache.Written(d, *tree.write_file(rel, data))
        new.search_parts[part.digest] = sorted(files)
    return True


def _same_bytes(path: Path, data: bytes) -> bool:
    try:
        return path.stat().st_size == len(data) and path.read_bytes() == data
    except OSError:
        return False
