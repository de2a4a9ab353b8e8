"""The build, top to bottom:

    config -> find sources -> parse -> validate everything -> model -> plan outputs
           -> render -> write (atomic swap)

Everything is gathered and validated before anything is written; only `load` and `writer`
touch the disk. With a cache, unchanged sources are not parsed again and outputs whose
recorded digest still matches are reused from the previous build.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from . import cache as cache_mod
from . import markup, model, reports as reports_mod, routes as routes_mod
from .assets import collect as collect_assets, file_digest
from .config import Config, load_config
from .load import FIGURES_FILE, Document, digest_bytes, find_sources, parse_document
from .problems import BuildFailed, Problems
from .render import Renderer, TemplateSet, digest, make_environment, template_closures, template_error
from .validate import check_unique_urls, validate_documents, validate_figures
from .writer import StagedTree, check_output_location
from .yamlfile import parse_yaml


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


def today_for(config: Config, given: dt.date | None) -> dt.date:
    """--today, else SOURCE_DATE_EPOCH, else the current date where the programs run."""
    if given is not None:
        return given
    zone = ZoneInfo(config.timezone)
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.strip().isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=zone).date()
    return dt.datetime.now(tz=zone).date()


class Timer:
    def __init__(self):
        self.t = time.perf_counter()
        self.marks: dict = {}

    def mark(self, name: str) -> None:
        now = time.perf_counter()
        self.marks[name] = round(now - self.t, 4)
        self.t = now


def gather(opts: Options, state: cache_mod.CacheState, timer: Timer) -> tuple:
    """Load and validate everything. Returns (problems, config, site, reports, new stats)."""
    root = opts.root
    problems = Problems()
    config = load_config(root, problems, opts.base_url)
    sources = find_sources(root, problems)
    timer.mark("find")

    docs: list[Document] = []
    figures_parsed = None
    stats: dict = {}
    for src in sources:
        cached = state.stats.get(src.rel)
        doc = None
        if cached and cached[0] == src.size and cached[1] == src.mtime_ns and src.kind != "figures":
            doc = state.docs.get(cached[2])
            if doc is not None and doc.path == src.rel:
                stats[src.rel] = cached
                docs.append(doc)
                continue
        data = Path(src.abs).read_bytes()
        d = digest_bytes(data)
        if src.kind == "figures":
            from .load import decode

            text = decode(data, src.rel, problems)
            if text is not None:
                figures_parsed = parse_yaml(text, src.rel, problems)
            stats[src.rel] = (src.size, src.mtime_ns, d)
            continue
        doc = state.docs.get(d)
        if doc is None or doc.path != src.rel:
            doc = parse_document(src.kind, src.rel, data, problems)
        if doc is not None:
            stats[src.rel] = (src.size, src.mtime_ns, d)
            docs.append(doc)
    timer.mark("parse")
    if config is None:
        return problems, None, None, None, stats, docs

    ctx = {"channels": [c for c, _ in config.channels]}
    # Programs first: series are checked against the program slugs.
    records = validate_documents([d for d in docs if d.kind == "program"], ctx, problems)
    ctx["programs"] = [rec["slug"] for _, rec in records["program"]]
    rest = validate_documents([d for d in docs if d.kind != "program"], ctx, problems)
    records["series"], records["page"] = rest["series"], rest["page"]
    fig_data = validate_figures(figures_parsed, FIGURES_FILE, ctx, problems)
    _check_program_fit(records, problems)
    timer.mark("validate")

    def body(doc: Document) -> str:
        raw = config.raw_html_allowed(doc.path)
        key = (doc.digest, config.markdown, raw)
        html = state.bodies.get(key)
        if html is None:
            html = markup.render(doc.body, config.markdown, raw)
            state.bodies[key] = html
        return html

    programs = [model.make_program(d, r, body(d)) for d, r in records["program"]]
    series = [model.make_series(d, r, body(d)) for d, r in records["series"]]
    pages = [model.make_page(d, r, body(d)) for d, r in records["page"]]
    timer.mark("markdown")
    site = model.make_site(config, today_for(config, opts.today), programs, series, model.make_figures(fig_data), pages, opts.drafts)
    reports = reports_mod.compute(site, problems)
    url_entries = [(p.url, p.path, 1) for p in programs] + [(p.url, p.path, 1) for p in pages]
    url_entries += [(s.url, s.path, 1) for s in site.series]
    reserved = {"/program/", "/seri/", "/arsip/", "/jadwal/", "/laporan/", "/data/", "/assets/", "/pagefind/"}
    for p in pages:
        if p.url in reserved:
            problems.error(p.path, 1, f"URL {p.url} is reserved for the site's own pages (change 'slug' or the file name)")
    check_unique_urls(url_entries, problems)
    timer.mark("model")
    return problems, config, site, reports, stats, docs


def _check_program_fit(records: dict, problems: Problems) -> None:
    """Series-level checks that need the program: competency only where it fits."""
    programs = {rec["slug"]: rec for _, rec in records["program"]}
    for doc, rec in records["series"]:
        prog = programs.get(rec["program"])
        if prog is None:
            continue
        allowed = prog.get("competencies") or ()
        if rec.get("competency") and allowed and rec["competency"] not in allowed:
            problems.warning(
                doc.path, doc.line("competency"),
                f"field 'competency': '{rec['competency']}' is not among the competencies of "
                f"'{rec['program']}' ({', '.join(allowed)})",
            )


def site_globals(site, reports) -> dict:
    """What every template may use besides its route's context."""
    return {"nav_programs": site.programs, "pages": site.pages}


def build(opts: Options, write: bool = True) -> Result:
    """Build the site (or, with write=False, only check it). Raises BuildFailed on input
    problems, before anything is written."""
    timer = Timer()
    root = opts.root.resolve()
    opts.root = root
    output = check_output_location(root, opts.output or root / "_site") if write else None
    cache_path = None
    if opts.use_cache:
        cache_path = (opts.cache_dir or root / ".cache" / "sitegen") / "state.pickle"
    state = cache_mod.load(cache_path)
    if output is not None and state.output_dir != str(output):
        state.outputs = {}
    timer.mark("cache-load")

    problems, config, site, reports, stats, docs = gather(opts, state, timer)
    result = Result(problems, site, reports)
    if config is None or problems.fails(opts.strict):
        raise BuildFailed(problems)

    templates = TemplateSet(root)
    env = make_environment(templates, config, opts.serve_script)
    closures = template_closures(env, templates, problems, root)
    if problems.fails(opts.strict):
        raise BuildFailed(problems)
    planned = routes_mod.plan(site, reports)
    result.routes = planned
    globals_ = site_globals(site, reports)
    renderer = Renderer(env, templates, closures, digest(config.digest, opts.serve_script, globals_), globals_)
    timer.mark("plan")

    seen: dict = {}
    for r in planned:
        if r.output in seen:
            problems.error("templates", 1, f"two outputs share the path {r.output}: {seen[r.output]} and {r.url}")
        seen[r.output] = r.url
    outputs: list = []  # (rel, digest, bytes or None when reused)
    for route in planned:
        d = renderer.route_digest(route)
        old = output / route.output if output is not None else None
        if write and state.outputs.get(route.output) == d and old is not None and old.is_file():
            outputs.append((route.output, d, None))
            result.reused += 1
            continue
        try:
            data = renderer.render(route)
        except Exception as exc:  # template mistakes are reported like content problems
            path, line, message = template_error(exc, templates, root, route)
            problems.error(path, line, message)
            continue
        outputs.append((route.output, d, data))
        result.rendered += 1
    timer.mark("render")
    if problems.fails(opts.strict):
        raise BuildFailed(problems)
    if not write:
        return result

    assets = collect_assets(root)
    staged = StagedTree(output)
    try:
        new_outputs: dict = {}
        for rel, d, data in outputs:
            if data is None:
                if not staged.link_file(rel, output / rel):
                    staged.write_file(rel, renderer.render(next(r for r in planned if r.output == rel)))
            else:
                staged.write_file(rel, data)
            new_outputs[rel] = d
        for rel, src in assets.items():
            if rel in seen:
                problems.error(f"static/{rel}", 1, f"static file would overwrite the page {seen[rel]}")
                continue
            d = "asset:" + file_digest(src)
            old = output / rel
            if not (state.outputs.get(rel) == d and old.is_file() and staged.link_file(rel, old)):
                staged.write_file(rel, src.read_bytes())
            new_outputs[rel] = d
        timer.mark("write")
        if problems.fails(opts.strict):
            raise BuildFailed(problems)
        from . import search

        if opts.search and config.search:
            search.index(staged.tmp, config, problems)
            timer.mark("search")
        staged.commit()
    except BaseException:
        staged.abandon()
        raise
    state.stats = stats
    keep = {s[2] for s in stats.values()}
    state.docs = {d.digest: d for d in docs if d.digest in keep}
    state.bodies = {k: v for k, v in state.bodies.items() if k[0] in keep}
    state.outputs = new_outputs
    state.output_dir = str(output)
    cache_mod.save(cache_path, state)
    timer.mark("cache-save")
    result.timings = timer.marks
    result.output = output
    return result
