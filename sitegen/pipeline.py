"""The build, top to bottom:

    config -> find sources -> parse -> validate everything -> model -> plan outputs
           -> render -> write (atomic swap)

Everything is gathered and validated before anything is written; only `load` and `writer`
touch the disk. With a cache, unchanged sources are not parsed again and outputs whose
recorded digest still matches are reused from the previous build: a clean build writes a
fresh tree and swaps it in; an incremental one replaces only the changed files of the
previous tree (writer.InPlaceTree). Parsing and rendering are spread over forked worker
processes (parallel.py) when there is enough of either.
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import os
import stat
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import NamedTuple
from zoneinfo import ZoneInfo

from . import cache as cache_mod
from . import markup, model, parallel, planners, reports as reports_mod, search
from .assets import collect as collect_assets, file_digest, read_asset
from .config import Config, load_config
from .load import FIGURES_FILE, Document, digest_bytes, find_sources, parse_document, read_regular
from .problems import BuildFailed, Problems, UsageError
from .render import Renderer, TemplateSet, digest, make_environment, template_closures, template_error
from .validate import check_unique_urls, validate_documents, validate_figures
from .writer import MARKER, InPlaceTree, StagedTree, check_cache_location, check_output_location, checkpoint
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
    seconds = epoch_seconds(os.environ.get("SOURCE_DATE_EPOCH"))
    if seconds is not None:
        return dt.datetime.fromtimestamp(seconds, tz=zone).date()
    return dt.datetime.now(tz=zone).date()


# SOURCE_DATE_EPOCH: whole seconds since 1970, up to the last day any date may have.
_LAST_EPOCH = int(dt.datetime(3000, 1, 1, tzinfo=dt.timezone.utc).timestamp()) - 86400


def epoch_seconds(value: str | None) -> int | None:
    """SOURCE_DATE_EPOCH as seconds; None when unset or empty; UsageError otherwise."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    if not (text.isascii() and text.isdigit() and len(text) <= 12 and int(text) <= _LAST_EPOCH):
        shown = text if len(text) <= 30 else text[:27] + "..."
        raise UsageError(
            f"SOURCE_DATE_EPOCH must be a whole number of seconds since 1970-01-01 "
            f"(at most {_LAST_EPOCH}), got {shown!r}"
        )
    return int(text)


class Timer:
    def __init__(self):
        self.t = time.perf_counter()
        self.marks: dict = {}

    def mark(self, name: str) -> None:
        now = time.perf_counter()
        self.marks[name] = round(now - self.t, 4)
        self.t = now
        checkpoint(name)


def _source_task(task: tuple) -> tuple:
    """Read, parse, validate and render the Markdown of one source (in a worker process
    when there are many). Returns (stat entry, document tuple, record, problems, model
    object)."""
    kind, rel, path, size, mtime_ns, raw = task
    shared = parallel._SHARED
    ctx, engine, bodies = shared["ctx"], shared["engine"], shared["bodies"]
    problems = Problems()
    try:
        data = read_regular(path)
    except OSError as exc:
        problems.error(rel, 1, f"cannot read the file: {exc.strerror or exc}")
        return None, None, None, problems.items, None
    d = digest_bytes(data)
    doc = parse_document(kind, rel, data, problems)
    record, obj = None, None
    if doc is not None and ctx is not None:
        found = validate_documents([doc], ctx, problems)[kind]
        if found:
            record = found[0][1]
            html = bodies.get((d, engine, raw))
            if html is None:
                html = markup.render(doc.body, engine, raw)
            obj = _MAKERS[kind](doc, record, html)
    return (size, mtime_ns, d), cache_mod.doc_tuple(doc) if doc is not None else None, record, problems.items, obj


_MAKERS = {"program": model.make_program, "series": model.make_series, "page": model.make_page}


def _load_sources(sources: list, ctx: dict | None, config: Config | None, state: cache_mod.CacheState,
                  jobs: int, problems: Problems) -> list:
    """[(document or None, record or None, model object or None)] for `sources`, in order,
    reusing the cached result of every source whose bytes and validation context are
    unchanged. Problems are reported as if every source had been read again."""
    engine = config.markdown if config is not None else ""
    ctx_key = digest(ctx) if ctx is not None else None
    results: list = [None] * len(sources)
    todo: list = []
    objects = state.objects
    for i, src in enumerate(sources):
        raw = config.raw_html_allowed(src.rel) if config is not None else False
        cached = state.stats.get(src.rel)
        entity = state.entities.get(src.rel)
        if cached and entity and cached[0] == src.size and cached[1] == src.mtime_ns:
            key, doc, record, found = entity
            obj = objects.get(key) if record is not None else None
            if key == (cached[2], ctx_key, engine, raw, src.rel) and (record is None or obj is not None):
                results[i] = (key, doc, record, found, obj)
                continue
        todo.append((i, (src.kind, src.rel, src.abs, src.size, src.mtime_ns, raw)))
    if todo:
        # Markdown already rendered for the same bytes (a renamed or restored file) is reused.
        bodies = {(k[0], k[2], k[3]): obj.body_html for k, obj in objects.items()} if objects else {}
        n = parallel.jobs_for(jobs, len(todo), min_per_job=128)
        shared = {"ctx": ctx, "engine": engine, "bodies": bodies}
        done = parallel.run(_source_task, [t for _, t in todo], n, shared)
        for (i, task), (stat, doc, record, found, obj) in zip(todo, done):
            key = (stat[2], ctx_key, engine, task[5], task[1]) if stat is not None else None
            results[i] = (key, doc, record, found, obj)
    out = []
    for src, (key, doc, record, found, obj) in zip(sources, results):
        problems.items.extend(found)
        if key is None:  # unreadable
            out.append((None, None, None))
            continue
        state.new_stats[src.rel] = (src.size, src.mtime_ns, key[0])
        state.new_entities[src.rel] = (key, doc, record, found)
        document = cache_mod.document(doc) if doc is not None else None
        if obj is not None:
            state.new_objects[key] = obj
        out.append((document, record, obj))
    return out


def gather(opts: Options, state: cache_mod.CacheState, timer: Timer) -> tuple:
    """Load and validate everything. Returns (problems, config, site, reports, new stats,
    new entities)."""
    root = opts.root
    problems = Problems()
    config = load_config(root, problems, opts.base_url)
    sources = find_sources(root, problems)
    timer.mark("find")
    state.new_stats, state.new_entities, state.new_objects = {}, {}, {}

    figures_parsed = None
    fig_src = [s for s in sources if s.kind == "figures"]
    for src in fig_src:
        try:
            data = read_regular(src.abs)
        except OSError as exc:
            problems.error(src.rel, 1, f"cannot read the file: {exc.strerror or exc}")
            continue
        from .load import decode

        text = decode(data, src.rel, problems)
        if text is not None:
            figures_parsed = parse_yaml(text, src.rel, problems)
        state.new_stats[src.rel] = (src.size, src.mtime_ns, digest_bytes(data))
    markdown_sources = [s for s in sources if s.kind != "figures"]
    if config is None:
        _load_sources(markdown_sources, None, None, state, opts.jobs, problems)
        timer.mark("parse")
        return problems, None, None, None

    ctx = {"channels": [c for c, _ in config.channels]}
    # Programs first: series are checked against the program slugs.
    program_sources = [s for s in markdown_sources if s.kind == "program"]
    loaded = _load_sources(program_sources, dict(ctx), config, state, opts.jobs, problems)
    records: dict = {"program": [(d, r) for d, r, _ in loaded if r is not None]}
    objects: dict = {"program": [o for _, r, o in loaded if r is not None]}
    ctx["programs"] = [rec["slug"] for _, rec in records["program"]]
    rest_sources = [s for s in markdown_sources if s.kind != "program"]
    records["series"], records["page"], objects["series"], objects["page"] = [], [], [], []
    for src, (doc, rec, obj) in zip(rest_sources, _load_sources(rest_sources, ctx, config, state, opts.jobs, problems)):
        if rec is not None:
            records[src.kind].append((doc, rec))
            objects[src.kind].append(obj)
    timer.mark("parse")
    fig_data = validate_figures(figures_parsed, FIGURES_FILE, ctx, problems)
    _check_program_fit(records, problems)
    timer.mark("validate")

    programs, series, pages = objects["program"], objects["series"], objects["page"]
    timer.mark("markdown")
    site = model.make_site(config, today_for(config, opts.today), programs, series, model.make_figures(fig_data), pages, opts.drafts)
    reports = reports_mod.compute(site, problems)
    url_entries = [(p.url, p.path, 1) for p in programs] + [(p.url, p.path, 1) for p in pages]
    url_entries += [(s.url, s.path, 1) for s in site.series]
    reserved = {"/program/", "/seri/", "/arsip/", "/jadwal/", "/laporan/", "/data/", "/assets/", "/pagefind/", "/cari/"}
    for p in pages:
        if p.url in reserved:
            problems.error(p.path, 1, f"URL {p.url} is reserved for the site's own pages (change 'slug' or the file name)")
    check_unique_urls(url_entries, problems)
    timer.mark("model")
    return problems, config, site, reports


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


def _unchanged(state: cache_mod.CacheState, rel: str, d: str, output: Path | None) -> bool:
    """The previous build wrote `rel` from the same digest and the file is still as written."""
    old = state.outputs.get(rel)
    if output is None or not old or old[0] != d:
        return False
    try:
        st = os.lstat(os.path.join(output, rel))
    except OSError:
        return False
    return stat.S_ISREG(st.st_mode) and st.st_size == old[1] and st.st_mtime_ns == old[2]


def _search_index(outs: list, contents: dict, state: cache_mod.CacheState, tree, output: Path, in_place: bool,
                  fresh: dict, config: Config, jobs: int, problems: Problems, new_outputs: dict,
                  parts_out: dict) -> bool:
    """The search index, in parts (search.py): a part whose pages all have the digests they
    had when its files were written, and whose files are still as written, is kept; the
    others are indexed again. Fills new_outputs and parts_out (part digest -> its files);
    returns whether any file was written."""
    pages = {}
    for rel in outs:
        if search.indexed(rel):
            if rel not in contents:  # not recorded by an older cache
                contents[rel] = content_digest(rel, fresh[rel] if rel in fresh else (tree.tmp / rel).read_bytes())
            pages[rel] = contents[rel]
    parts = search.plan(pages, config.language)
    todo = []
    for part in parts:
        old = state.search_parts.get(part.digest)
        d = "search:" + part.digest
        if old and all(_unchanged(state, rel, d, output) for rel in old) and (
            in_place or all(tree.link_file(rel, output / rel) for rel in old)
        ):
            for rel in old:
                new_outputs[rel] = state.outputs[rel]
            parts_out[part.digest] = old
        else:
            todo.append(part)
    if not todo:
        return False

    def page_file(rel: str):
        return fresh[rel] if rel in fresh else tree.tmp / rel

    scratch = output.parent / f".{output.name}.search-{os.getpid()}"
    built = search.build_parts(todo, page_file, scratch, config.language, parallel.jobs_for(jobs, len(todo), 1), problems)
    for part in todo:
        files = built.get(part.number, {})
        d = "search:" + part.digest
        for rel, data in files.items():
            old = state.outputs.get(rel)
            # Most files of a part indexed again are as before (fragments of unchanged pages,
            # Pagefind's scripts): those are kept rather than written again.
            if (old and old[0].startswith("search:") and _unchanged(state, rel, old[0], output)
                    and (search.named_by_content(rel) or _same_bytes(output / rel, data))
                    and (in_place or tree.link_file(rel, output / rel))):
                new_outputs[rel] = (d,) + old[1:]
            else:
                new_outputs[rel] = (d,) + tree.write_file(rel, data)
        parts_out[part.digest] = sorted(files)
    return True


def _same_bytes(path: Path, data: bytes) -> bool:
    try:
        return path.stat().st_size == len(data) and path.read_bytes() == data
    except OSError:
        return False


def _marker(output: Path) -> tuple | None:
    """Identity of an output folder's generation: every fresh tree writes a new marker.
    (Its time, not its inode: a folder restored from a CI cache keeps its times.)"""
    try:
        st = os.stat(output / MARKER)
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size)


def _closures(env, templates, problems: Problems, root: Path, state: cache_mod.CacheState) -> dict:
    """template_closures, reused from the last build while no template changed."""
    key = tuple(templates.hashes.items())
    if state.closures and state.closures[0] == key:
        return state.closures[1]
    found = Problems()
    closures = template_closures(env, templates, found, root)
    problems.extend(found)
    state.closures = (key, closures) if not found.items else ()
    state.closures_changed = True
    return closures


def build(opts: Options, write: bool = True) -> Result:
    """Build the site (or, with write=False, only check it). Raises BuildFailed on input
    problems, before anything is written."""
    # Loading the cache, the model and the route table makes many long-lived objects and
    # few reference cycles: the cyclic garbage collector only slows that down (by a third).
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _build(opts, write, collecting)
    finally:
        gc.unfreeze()
        if collecting:
            gc.enable()


def _build(opts: Options, write: bool, collecting: bool) -> Result:
    timer = Timer()
    root = opts.root.resolve()
    opts.root = root
    output = check_output_location(root, opts.output or root / "_site") if write else None
    cache_path = cache_dir = None
    if opts.use_cache:
        cache_dir = check_cache_location(root, opts.cache_dir or root / ".cache" / "sitegen", output)
        cache_path = cache_dir / cache_mod.STATE_FILE
    state = cache_mod.load(cache_path)
    if output is None or state.output_dir != str(output) or state.marker != _marker(output):
        # Not the folder this cache describes (a build without the cache, or another
        # output folder, was made in between): start a fresh tree.
        state.outputs, state.search_parts = {}, {}
    timer.mark("cache-load")

    problems, config, site, reports = gather(opts, state, timer)
    result = Result(problems, site, reports)
    if config is None or problems.fails(opts.strict):
        raise BuildFailed(problems)

    templates = TemplateSet(root)
    env = make_environment(templates, config, opts.serve_script)
    closures = _closures(env, templates, problems, root, state)
    if problems.fails(opts.strict):
        raise BuildFailed(problems)
    planned = planners.plan(site, reports)
    result.routes = planned
    globals_ = site_globals(site, reports)
    renderer = Renderer(env, templates, closures, digest(config.digest, opts.serve_script, globals_), globals_)
    timer.mark("plan")

    outs = [r.output for r in planned]
    seen: dict = {}
    for r, rel in zip(planned, outs):
        if rel in seen:
            problems.error("templates", 1, f"two outputs share the path {rel}: {seen[rel]} and {r.url}")
        seen[rel] = r.url
    searching = bool(opts.search and config.search)
    # Update the previous output in place when the cache describes it; otherwise build a
    # fresh tree beside it and swap (StagedTree).
    in_place = write and bool(state.outputs)
    # Digests only serve the cache: without it every output is rendered anyway.
    digests = [renderer.route_digest(route) for route in planned] if cache_path is not None else [""] * len(planned)
    todo = [i for i, rel in enumerate(outs) if not (write and _unchanged(state, rel, digests[i], output))]
    result.reused = len(planned) - len(todo)
    timer.mark("digest")

    # Rendering makes short-lived objects, some in cycles: collect again, but never scan (or,
    # in forked workers, copy) the model and the cache, which live until the end.
    gc.freeze()
    if collecting:
        gc.enable()
    tree = None
    if write and not in_place and not problems.fails(opts.strict):
        tree = StagedTree(output)
    new_outputs: dict = {}
    try:
        jobs = parallel.jobs_for(opts.jobs, len(todo), min_per_job=64)
        if jobs > 1:  # compile the templates and load the locale once, before forking
            for name in sorted({planned[i].template for i in todo} - {None}):
                try:
                    env.get_template(name)
                except Exception:  # reported with its route by the worker
                    pass
            from . import i18n

            try:
                i18n.long_date(dt.date(2000, 1, 1), config.language)
                i18n.number(1000, config.language)
            except Exception:  # an unknown language is reported where it is used
                pass
        shared = {"renderer": renderer, "routes": planned, "tree": tree, "root": root}
        rendered = parallel.run(_render_task, todo, jobs, shared)
        pending: list = []  # (rel, bytes) to write in place once everything has rendered
        contents: dict = {}  # rel -> content digest, for the pages the search index reads
        for r in rendered:
            if r.error is not None:
                problems.error(*r.error)
                continue
            if r.content:
                contents[outs[r.index]] = r.content
            if r.stat is not None:
                new_outputs[outs[r.index]] = (digests[r.index],) + r.stat
            elif r.data is not None:
                pending.append((r.index, r.data))
        result.rendered = len(todo)
        timer.mark("render")
        if problems.fails(opts.strict):
            raise BuildFailed(problems)
        if not write:
            return result

        assets = collect_assets(root)
        for rel in assets:
            if rel in seen:
                problems.error(f"static/{rel}", 1, f"static file would overwrite the page {seen[rel]}")
        if problems.fails(opts.strict):
            raise BuildFailed(problems)

        if in_place:
            tree = InPlaceTree(output)
        changed = bool(pending)
        todo_set = set(todo)
        for i, rel in enumerate(outs):
            if i not in todo_set:
                old = state.outputs[rel]
                if in_place or tree.link_file(rel, output / rel):
                    new_outputs[rel] = old
                    if rel in state.contents:
                        contents[rel] = state.contents[rel]
                else:  # the previous file could not be reused after all
                    pending.append((i, renderer.render(planned[i])))
                    contents[rel] = content_digest(rel, pending[-1][1])
        asset_stats: dict = {}
        asset_writes: list = []
        for rel, src in assets.items():
            st = src.stat()
            memo = state.assets.get(str(src))
            if memo and memo[0] == st.st_size and memo[1] == st.st_mtime_ns:
                d = memo[2]
            else:
                d = file_digest(src)
            asset_stats[str(src)] = (st.st_size, st.st_mtime_ns, d)
            d = "asset:" + d
            if _unchanged(state, rel, d, output) and (in_place or tree.link_file(rel, output / rel)):
                new_outputs[rel] = state.outputs[rel]
            else:
                asset_writes.append((rel, d, src))
        fresh = {outs[i]: data for i, data in pending}
        for i, data in pending:
            new_outputs[outs[i]] = (digests[i],) + tree.write_file(outs[i], data)
        for rel, d, src in asset_writes:
            new_outputs[rel] = (d,) + tree.write_file(rel, read_asset(src))
        timer.mark("write")
        search_parts: dict = {}
        if searching:
            search_writes = _search_index(outs, contents, state, tree, output, in_place, fresh, config,
                                          opts.jobs, problems, new_outputs, search_parts)
            changed = changed or search_writes
            timer.mark("search")
            if problems.fails(opts.strict):
                raise BuildFailed(problems)
        stale = [rel for rel in state.outputs if rel not in new_outputs] if in_place else []
        changed = changed or bool(asset_writes) or bool(stale)
        for rel in stale:
            tree.remove(rel)
        if in_place and changed:
            cache_mod.invalidate(cache_path)
        tree.commit()
        timer.mark("commit")
    except BaseException:
        if tree is not None:
            tree.abandon()
        raise
    same = (
        in_place and not changed and not state.closures_changed
        and new_outputs == state.outputs and asset_stats == state.assets and state.marker == _marker(output)
        and search_parts == state.search_parts and contents == state.contents
        and state.new_stats == state.stats and len(state.new_objects) == len(state.objects)
        and len(state.new_entities) == len(state.entities)
        and all(state.entities.get(rel, (None,))[0] == e[0] for rel, e in state.new_entities.items())
    )
    state.stats, state.entities, state.objects = state.new_stats, state.new_entities, state.new_objects
    del state.new_stats, state.new_entities, state.new_objects
    state.outputs = new_outputs
    state.output_dir = str(output)
    state.marker = _marker(output)
    state.search_parts = search_parts
    state.contents = contents
    state.assets = asset_stats
    if not same:  # a build that changed nothing leaves the cache as it is
        cache_mod.save(cache_path, state)
    else:
        cache_mod.remember(cache_path, state)
    timer.mark("cache-save")
    result.timings = timer.marks
    result.output = output
    return result
