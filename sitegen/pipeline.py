"""The build, top to bottom (`build`), one line per phase:

    locations + build state -> gather (config, sources, validation, model) -> templates
        -> plan outputs -> digests -> render -> write pages, assets -> search index
        -> commit the tree -> save the build state

Everything is gathered and validated before anything is written. The pieces live apart:
gather.py loads and validates; planners.py lists every output; render.py renders and
digests; buildstate.py owns what the last build recorded and what this one keeps, writes
and removes; cache.py stores it; writer.py holds the output trees (a fresh staged tree
swapped in whole, or the previous folder updated in place); parallel.py spreads work
over the cores; gctune.py tunes the garbage collector; search.py makes the search index.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import marshal
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from . import buildstate, cache, disk, gather, gctune, lastmod, localeformat, messages, parallel, planners, search, stopping
from .assets import collect as collect_assets, read_asset
from .buildstate import BuildState
from .config import Config
from .digests import digest
from .messages import _
from .problems import BuildFailed, Problems
from .render import CARD_TEMPLATE, Renderer, TemplateSet, make_environment, template_closures, template_error
from .killpoints import checkpoint
from .writer import check_cache_location, check_output_location

today_for, epoch_seconds = gather.today_for, gather.epoch_seconds


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
        state = BuildState(*_locations(opts, root, write))
        timer.mark("cache-load")
        early: list = []  # the templates, prepared while the workers read the sources

        def meanwhile(config: Config) -> None:
            early.append(prepare_templates(root, config, opts.serve_script, state))
            compile_templates(early[0].env, early[0].closures, config.language)

        problems, config, site, reports = gather.gather(root, opts.base_url, opts.today, opts.drafts, opts.jobs, state,
                                                        timer.mark, meanwhile)
        result = Result(problems, site, reports, output=state.output, timings=timer.marks)
        _stop_on(problems, opts, config is None)
        renderer = make_renderer(root, config, opts.serve_script, site, state, problems, prepared=early[0] if early else None)
        _stop_on(problems, opts)
        history = lastmod.read(root)
        key = state.next.plan_key = _plan_key(opts, config, site, state, renderer, history)
        # Nothing the outputs are planned from changed, and every output is as written: the
        # previous build's outputs are this one's, without planning and digesting them.
        kept = state.unchanged_outputs(key) if write else None
        prints = series_prints(site)

        def plan_and_digest() -> tuple:
            planned = result.routes = _plan(site, reports, history, problems, check=not write)
            timer.mark("plan")
            if state.cache_path is not None:
                state.next.outline_key = _outline_key(opts, config, site, state, renderer, history)
            digests, todo, made = _digests(renderer, planned, state, prints)
            if not write:  # a check makes only what can show a problem (Route.checked)
                todo = [i for i in todo if planned[i].checked]
            result.reused, result.rendered = len(planned) - len(todo), len(todo)
            timer.mark("digest")
            return planned, digests, todo, made

        if kept is None:
            planned, digests, todo, made = plan_and_digest()
        else:
            planned, digests, todo, made = [], [], [], []
            state.next.outline_key = state.previous.outline_key
            result.reused = len(kept)
        phases.render()
        disk.reset()
        disk.known("output", state.output)
        disk.known("cache", state.cache_path.parent if state.cache_path else None)
        disk.target("output", state.output)
        with state.updating():
            if kept is not None and not all(state.keep(rel) for rel in kept):  # one could not be carried over
                kept = None
                planned, digests, todo, made = plan_and_digest()
            rendered = _render(renderer, planned, todo, state, opts.jobs, config, root, problems)
            timer.mark("render")
            _stop_on(problems, opts)
            outputs = _output_urls(planned) if kept is None else {rel: _url_of(rel) for rel in kept}
            if not write:
                _check_assets(root, outputs, problems)
                _stop_on(problems, opts)
                return result
            if kept is None:
                _write_pages(state, planned, digests, made, rendered, prints, renderer)
            _write_assets(state, root, outputs, problems)
            _stop_on(problems, opts)
            timer.mark("write")
            if opts.search and config.search:
                _search_index(state, list(outputs), opts.jobs, config.language, problems)
                timer.mark("search")
                _stop_on(problems, opts)
        timer.mark("commit")
        with stopping.deferred():
            disk.target("cache", state.cache_path.parent if state.cache_path else None, committed=write)
            state.finish()
        timer.mark("cache-save")
        return result


# ---- the steps ------------------------------------------------------------------------------

def _stop_on(problems: Problems, opts: Options, also: bool = False) -> None:
    if also or problems.fails(opts.strict):
        raise BuildFailed(problems)


def site_globals(site) -> dict:
    """What every template may use besides its route's context."""
    return {"nav_programs": site.programs, "pages": site.pages}


class Templates(NamedTuple):
    """The templates of a build, read, parsed and placed in their environment
    (`prepare_templates`): what a renderer is made of, before the site is known."""

    templates: TemplateSet
    env: object  # jinja2.Environment
    closures: dict
    problems: Problems  # their syntax errors, reported by make_renderer


def prepare_templates(root: Path, config: Config, serve_script: str, state: BuildState,
                      kept: dict | None = None) -> Templates:
    """The templates, their environment and closures. `kept`: the environment of an
    earlier call (the preview's previous load), reused with its compiled templates while
    the templates, the settings and the script are the same."""
    templates = TemplateSet(root)
    env_key = (tuple(templates.hashes.items()), config.digest, serve_script)
    env = kept.get(env_key) if kept is not None else None
    if env is None:
        env = make_environment(templates, config, serve_script)
        if kept is not None:
            kept.clear()
            kept[env_key] = env
    # Which templates each template can load: reused from the last build while no template changed.
    key = tuple(templates.hashes.items())
    closures = state.template_closures(key)
    found = Problems()
    if closures is None:
        closures = template_closures(env, templates, found, root)
        if not found.items:
            state.record_closures(key, closures)
    return Templates(templates, env, closures, found)


def compile_templates(env, names, language: str) -> None:
    """Compile the templates named (those already compiled are kept), and load the
    locale's names: the work each worker would otherwise do for itself, after the fork. A
    build does it while the workers read the sources (gather's `meanwhile`), where this
    process waits, and before forking the render workers for what is still missing. A
    template that does not compile is left to fail, with its route, where it is rendered."""
    for name in sorted(names):
        try:
            env.get_template(name)
        except Exception:  # reported with its route by the worker
            pass
    try:
        localeformat.long_date(dt.date(2000, 1, 1), language)
        localeformat.number(1000, language)
    except Exception:  # an unknown language is reported where it is used
        pass


def make_renderer(root: Path, config: Config, serve_script: str, site, state: BuildState, problems: Problems,
                  kept: dict | None = None, prepared: Templates | None = None) -> Renderer:
    """The renderer of a build (and of the preview): the templates, their environment and
    closures (`prepared`, else prepared here), and the digest of what every page shares."""
    if prepared is None:
        prepared = prepare_templates(root, config, serve_script, state, kept)
    problems.extend(prepared.problems)
    globals_ = site_globals(site)
    return Renderer(prepared.env, prepared.templates, prepared.closures, digest(config.digest, serve_script, globals_), globals_)


def _locations(opts: Options, root: Path, write: bool) -> tuple:
    """(output folder, cache file), each checked; None where the build has none."""
    output = check_output_location(root, opts.output or root / "_site") if write else None
    if not opts.use_cache:
        return output, None
    cache_dir = check_cache_location(root, opts.cache_dir or root / ".cache" / "sitegen", output)
    return output, cache_dir / cache.STATE_FILE


def _plan_key(opts: Options, config: Config, site, state: BuildState, renderer: Renderer, history: lastmod.History,
              outlines: dict | None = None) -> str:
    """A digest of everything the outputs are planned and digested from: every source this
    build read (its path and the digest of its bytes, and for a Markdown source the key
    its record and model object are cached under: validation context, Markdown engine,
    raw HTML), the settings, the day, drafts, the templates, the preview's script, the
    commit times and the messages' language. (The engine's own code is in the cache's
    format: a cache written by other code is never read.)

    `outlines` (source path -> outline, for the series): those sources count by their
    outline instead of their bytes, which gives the outline key (_outline_key)."""
    h = hashlib.blake2b(digest_size=16)
    stats, entities = state.next.stats, state.next.entities
    outlines = outlines or {}
    h.update(marshal.dumps(sorted((rel, outlines.get(rel) or st.digest) for rel, st in stats.items()), 2))
    h.update(repr(sorted((rel, tuple(entry.key)[1:] if rel in outlines else tuple(entry.key))
                         for rel, entry in entities.items())).encode("utf-8", "surrogatepass"))
    h.update(repr((config.digest, site.today.isoformat(), opts.drafts, opts.base_url, opts.serve_script, messages.language(),
                   sorted(renderer.templates.hashes.items()))).encode("utf-8", "surrogatepass"))
    h.update(marshal.dumps((history.times, history.first, history.epoch), 2))
    return h.hexdigest()


def _outline_key(opts: Options, config: Config, site, state: BuildState, renderer: Renderer, history: lastmod.History) -> str:
    """The plan key with each series' source counted by the series' outline (everything
    but its body): unchanged when only bodies changed. Then every output's outline digest
    is the one recorded last time (_digests)."""
    outlines = {}
    for rel, entry in state.next.entities.items():
        outline = getattr(state.next.objects.get(entry.key), "outline", None)
        if type(outline) is str and outline:
            outlines[rel] = "outline:" + outline
    return _plan_key(opts, config, site, state, renderer, history, outlines)


def _url_of(rel: str) -> str:
    """The URL of an output path (Route.output, the other way round)."""
    return "/" + (rel[: -len("index.html")] if rel == "index.html" or rel.endswith("/index.html") else rel)


def _output_urls(planned: list) -> dict:
    return {r.output: r.url for r in planned}


def _plan(site, reports, history: lastmod.History, problems: Problems, check: bool = False) -> list:
    """Every output of the build (planners.py), no two at one path; `history` is when each
    source last changed (lastmod.py). `check`: planned for `check` (planners.plan)."""
    planned = planners.plan(site, reports, history, check=check)
    seen: dict = {}
    for r in planned:
        if r.output in seen:
            problems.error("templates", 1, _("two outputs share the path {path}: {first} and {second}").format(path=r.output, first=seen[r.output], second=r.url))
        seen[r.output] = r.url
    return planned


# What an output's recorded digest starts with: "O" when rendering it read no series' body
# (then it is its outline digest: each series in its context counts by its outline, so
# editing a series' body leaves the lists that show the series current), "B" when it read
# some (then the outline digest and the fingerprints of the series whose body it read).
BODY, OUTLINE = "B", "O"


def made_digest(outline: str, reads: tuple, prints: dict) -> str:
    """An output's digest from its outline digest and the paths of the series whose body it
    read (`prints`: path -> fingerprint of every series; one gone counts as changed)."""
    if not reads:
        return OUTLINE + outline
    h = hashlib.blake2b(outline.encode(), digest_size=16)
    for path in reads:
        h.update(f"\0{path}\0{prints.get(path, '')}".encode("utf-8", "surrogatepass"))
    return BODY + h.hexdigest()


def series_prints(site) -> dict:
    return {s.path: s.fingerprint for s in site.series}


def _digests(renderer: Renderer, planned: list, state: BuildState, prints: dict) -> tuple[list, list, list]:
    """Each output's digest, the indexes of the outputs to render (those not current), and
    what each digest is made from ((outline digest, reads)). Digests only serve the cache:
    without it every output is rendered anyway. An output is digested with the reads last
    recorded for it (one never rendered: none; rendering it records what it read,
    _write_pages). When only series' bodies changed since the last build (its outline key
    is this one's), every output's outline digest is the one recorded: only the bodies it
    read are looked at."""
    if state.cache_path is None:
        return [""] * len(planned), list(range(len(planned))), [("", ())] * len(planned)
    previous = state.previous.outputs
    same_outlines = bool(state.next.outline_key) and state.previous.outline_key == state.next.outline_key
    digests, made = [], []
    for r in planned:
        old = previous.get(r.output)
        outline = old.outline if same_outlines and old is not None and old.outline else renderer.route_outline_digest(r)
        reads = old.read_paths() if old is not None else ()
        made.append((outline, reads))
        digests.append(made_digest(outline, reads, prints))
    return digests, [i for i, r in enumerate(planned) if not state.current(r.output, digests[i])], made


class Rendered(NamedTuple):
    """What rendering route `index` gave back to the parent process."""

    index: int
    stat: tuple | None  # (size, mtime_ns) of the file the worker wrote into the tree
    data: bytes | None  # the bytes, when the build writes them itself
    error: tuple | None  # (path, line, message) of a template mistake
    content: str  # digest of the bytes of a page the search index reads, else ""
    reads: tuple = ()  # the paths of the series whose body rendering it read


class RenderJob(NamedTuple):
    """What the workers rendering pages share (bound to `_render_task` before forking)."""

    renderer: Renderer
    routes: list
    tree: object  # the tree workers write into, or None
    send: bool  # without such a tree: hand the bytes back (else they are not needed: `check`)
    root: Path


def content_digest(rel: str, data: bytes) -> str:
    return buildstate.content_digest(data) if search.indexed(rel) else ""


LARGE_OUTPUT = 1 << 20  # bytes: after making an output this large, the heap is trimmed (parallel.release_memory)


def _render_task(job: RenderJob, i: int) -> Rendered:
    """Render route i (in a worker process when there are many)."""
    route = job.routes[i]
    try:
        if job.tree is None and not job.send and route.checker is not None:  # `check`: only what can fail
            route.checker(job.renderer.globals, route.context)
            return Rendered(i, None, None, None, "")
        data, reads = job.renderer.render_counted(route)
    except Exception as exc:  # template mistakes are reported like content problems
        return Rendered(i, None, None, template_error(exc, job.renderer.templates, job.root, route), "")
    content = content_digest(route.output, data) if job.tree is not None or job.send else ""  # `check` keeps no bytes
    if len(data) >= LARGE_OUTPUT:
        parallel.release_memory()
    if job.tree is not None:
        return Rendered(i, job.tree.write_file(route.output, data), None, None, content, reads)
    return Rendered(i, None, data if job.send else None, None, content, reads)


def _render(renderer: Renderer, planned: list, todo: list, state: BuildState, jobs: int, config: Config, root: Path,
            problems: Problems) -> list:
    jobs = parallel.jobs_for(jobs, len(todo), min_per_job=64)
    if jobs > 1:  # once, before forking, not once a worker
        compile_templates(renderer.env, {planned[i].template for i in todo} - {None}, config.language)
    job = RenderJob(renderer, planned, state.tree if state.workers_write else None, state.tree is not None, root)
    # Data outputs first: the largest (the workbook, the JSON and CSV of every series) are
    # made while the workers are still small, and what they leave free is reused by the
    # pages after them; made last, they came on top of everything the workers had grown to
    # (the build's peak memory is the sum over its processes). Results keep their index.
    order = [i for i in todo if planned[i].template is None] + [i for i in todo if planned[i].template is not None]
    # The pages that show series cards go to one worker, which makes each card once (every
    # worker made them all). Only where a worker hands back no page's bytes (it writes them
    # itself, or `check` keeps none): one task holding thousands of pages would otherwise
    # bring them all back in one message.
    shows_cards = {name for name, can_load in renderer.closures.items() if CARD_TEMPLATE in can_load}
    together = (lambda i: planned[i].template in shows_cards) if job.tree is not None or not job.send else None
    rendered = sorted(parallel.run(functools.partial(_render_task, job), order, jobs, together), key=lambda r: r.index)
    for r in rendered:
        if r.error is not None:
            problems.error(*r.error)
    return rendered


def _write_pages(state: BuildState, planned: list, digests: list, made: list, rendered: list, prints: dict,
                 renderer: Renderer) -> None:
    """Record (and write, where the workers did not) every rendered output; keep the
    current ones from the previous build."""
    for r in rendered:
        route = planned[r.index]
        rel = route.output
        outline, reads = made[r.index]
        if digests[r.index] and reads != r.reads:  # it read other bodies than it was digested by
            reads = r.reads
            digests[r.index] = made_digest(outline, reads, prints)
        if r.stat is not None:
            state.wrote(rel, digests[r.index], r.stat, r.content, outline, reads)
        else:
            state.write(rel, digests[r.index], r.data, r.content, outline, reads)
    done = {r.index for r in rendered}
    for i, route in enumerate(planned):
        if i not in done and not state.keep(route.output):  # then it could not be reused after all
            data, reads = renderer.render_counted(route)
            outline = made[i][0]
            state.write(route.output, made_digest(outline, reads, prints) if digests[i] else "", data,
                        content_digest(route.output, data), outline, reads)


def _check_assets(root: Path, pages: dict, problems: Problems) -> dict:
    """The static files that take no page's place (`pages`: output path -> URL; the others
    are reported)."""
    assets = {}
    for rel, src in collect_assets(root).items():
        if rel in pages:
            problems.error(f"static/{rel}", 1, _("static file would overwrite the page {url}").format(url=pages[rel]))
        else:
            assets[rel] = src
    return assets


def _write_assets(state: BuildState, root: Path, pages: dict, problems: Problems) -> None:
    """The static files, copied where they changed; none may take a page's place."""
    for rel, src in _check_assets(root, pages, problems).items():
        d = "asset:" + state.asset_digest(src)
        if not (state.current(rel, d) and state.keep(rel)):
            state.write(rel, d, read_asset(src))


def _search_index(state: BuildState, outputs: list, jobs: int, language: str, problems: Problems) -> None:
    """The search index, in parts (search.py): current parts are kept, the others indexed
    again. `outputs`: the path of every page and data output of the build."""
    pages = {rel: state.content(rel) for rel in outputs if search.indexed(rel)}
    planned = search.plan(pages, language)
    todo = [part for part in planned if not state.keep_search_part(part.digest)]
    store = state.search_store()
    if store is not None:
        store.keep(piece.digest for part in planned if part not in todo for piece in part.slices)
    if not todo:
        return
    built = search.build_parts(todo, state.page_file, state.scratch("search"), language,
                               parallel.jobs_for(jobs, len(todo), 1), problems, store)
    for part in todo:
        files = built.get(part.number, {})
        for rel, data in files.items():  # most are as before, and kept (BuildState.write)
            state.write(rel, "search:" + part.digest, data)
        state.record_search_part(part.digest, sorted(files))
