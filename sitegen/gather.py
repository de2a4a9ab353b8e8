"""Load and validate everything: site.yaml, the Markdown sources (programs first: series are
checked against the program slugs), the declared figures; then the model and the reports.

Parsing, validating and rendering the Markdown of a source is one task, spread over the
worker processes (parallel.py) when many sources changed. A source whose bytes and
validation context are those of the previous build is not read again (the build state
decides, buildstate.py; cache.py keeps its record, problems and model object). Problems are reported as
if every source had been read again.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
from pathlib import Path
from typing import Callable, NamedTuple
from zoneinfo import ZoneInfo

from . import markup, messages, model, parallel, plausible, reports as reports_mod
from .buildstate import BuildState
from .cache import DocRecord, SourceEntry, SourceKey, Stat
from .config import Config, load_config
from .load import FIGURES_FILE, decode, digest_bytes, find_sources, parse_document, read_regular
from .problems import Problems, UsageError
from .reach import records as reach_records, site as reach_site
from .digests import digest
from .validate import check_unique_urls, validate_documents, validate_figures
from .yamlfile import parse_yaml

RESERVED_URLS = frozenset({"/program/", "/seri/", "/arsip/", "/jadwal/", "/laporan/", "/data/", "/assets/", "/pagefind/", "/cari/"})


class Loaded(NamedTuple):
    problems: Problems
    config: Config | None
    site: model.Site | None
    reports: reports_mod.Reports | None


class SourceTask(NamedTuple):
    kind: str
    rel: str
    path: str
    size: int
    mtime_ns: int
    raw_html: bool


class SourceResult(NamedTuple):
    stat: Stat | None  # None: the file could not be read
    doc: DocRecord | None  # what the cache keeps of the parsed document
    record: dict | None  # the validated front matter
    problems: list
    obj: object  # the model object (Program, Series, Page) or None


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
            messages._("SOURCE_DATE_EPOCH must be a whole number of seconds since 1970-01-01 "
              "(at most {last}), got {value}").format(last=_LAST_EPOCH, value=repr(shown))
        )
    return int(text)


_MAKERS = {"program": model.make_program, "series": model.make_series, "page": model.make_page}


class SourceJob(NamedTuple):
    """What the workers reading sources share (bound to `_source_task` before forking)."""

    ctx: dict | None  # the validation context; None: site.yaml failed, only parse
    engine: str  # the Markdown engine
    bodies: dict  # Markdown rendered by the last build (BuildState.markdown_bodies)
    # False for `check` (BuildState.shows_nothing): the HTML sanitiser reports nothing and
    # what it makes is thrown away, so a check renders the Markdown (which can fail) but
    # does not clean it. Never False for a build that writes or caches what it renders.
    sanitise: bool = True
    # False for `check` too: no output is digested, so a series needs no outline (the
    # fingerprint of its fields, a tenth of the time it takes to read a series).
    outlines: bool = True


def _source_task(job: SourceJob, task: SourceTask) -> SourceResult:
    """Read, parse, validate and render the Markdown of one source (in a worker process
    when there are many)."""
    problems = Problems()
    try:
        data = read_regular(task.path)
    except OSError as exc:
        problems.error(task.rel, 1, messages._("cannot read the file: {reason}").format(reason=exc.strerror or exc))
        return SourceResult(None, None, None, problems.items, None)
    d = digest_bytes(data)
    doc = parse_document(task.kind, task.rel, data, problems)
    record, obj = None, None
    if doc is not None and job.ctx is not None:
        found = validate_documents([doc], job.ctx, problems)[task.kind]
        if found:
            record = found[0][1]
            html = job.bodies.get((d, job.engine, task.raw_html))
            if html is None:
                html = markup.render(doc.body, job.engine, task.raw_html or not job.sanitise)
            obj = (model.make_series(doc, record, html, job.outlines) if task.kind == "series"
                   else _MAKERS[task.kind](doc, record, html))
    stat = Stat(task.size, task.mtime_ns, d)
    return SourceResult(stat, DocRecord.of(doc) if doc is not None else None, record, problems.items, obj)


def _load_sources(sources: list, ctx: dict | None, config: Config | None, state: BuildState,
                  jobs: int, problems: Problems, meanwhile: Callable | None = None) -> list:
    """[(document or None, record or None, model object or None)] for `sources`, in order."""
    engine = config.markdown if config is not None else ""
    # Problems are cached as text: the key holds the language they are written in.
    ctx_key = f"{digest(ctx) if ctx is not None else ''}/{messages.language()}"
    results: list = [None] * len(sources)  # (SourceEntry or None, model object)
    todo: list = []
    for i, src in enumerate(sources):
        raw = config.raw_html_allowed(src.rel) if config is not None else False
        hit = state.cached_source(src, ctx_key, engine, raw)
        if hit is not None:
            results[i] = hit
        else:
            todo.append((i, SourceTask(src.kind, src.rel, src.abs, src.size, src.mtime_ns, raw)))
    if todo:
        n = parallel.jobs_for(jobs, len(todo), min_per_job=128)
        job = SourceJob(ctx, engine, state.markdown_bodies(), sanitise=not state.shows_nothing,
                        outlines=not state.shows_nothing)
        done = parallel.run(functools.partial(_source_task, job), [t for _, t in todo], n, meanwhile=meanwhile)
        for (i, task), r in zip(todo, done):
            if r.stat is None:  # unreadable
                results[i] = (None, r.problems)
                continue
            key = SourceKey(r.stat.digest, ctx_key, engine, task.raw_html, task.rel)
            results[i] = (SourceEntry(key, r.doc, r.record, r.problems), r.obj)
    out = []
    for src, (entry, obj) in zip(sources, results):
        if entry is None:  # unreadable: obj holds its problems
            problems.items.extend(obj)
            out.append((None, None, None))
            continue
        problems.items.extend(entry.problems)
        state.record_source(src.rel, Stat(src.size, src.mtime_ns, entry.key.digest), entry, obj)
        out.append((entry.doc.document() if entry.doc is not None else None, entry.record, obj))
    return out


def gather(root: Path, base_url: str | None, today: dt.date | None, drafts: bool, jobs: int,
           state: BuildState, mark: Callable[[str], None], meanwhile: Callable | None = None) -> Loaded:
    """Load and validate everything; every source read is recorded in the build state.
    `meanwhile(config)` is called while worker processes read the series, if they do (this
    process would wait): the build prepares its templates there."""
    problems = Problems()
    config = load_config(root, problems, base_url)
    sources = find_sources(root, problems)
    mark("find")

    figures_parsed = None
    for src in (s for s in sources if s.kind == "figures"):
        try:
            data = read_regular(src.abs)
        except OSError as exc:
            problems.error(src.rel, 1, messages._("cannot read the file: {reason}").format(reason=exc.strerror or exc))
            continue
        text = decode(data, src.rel, problems)
        if text is not None:
            figures_parsed = parse_yaml(text, src.rel, problems)
        state.record_source(src.rel, Stat(src.size, src.mtime_ns, digest_bytes(data)))
    # Reach imported from the platforms' exports: small YAML files, read on every build
    # (sitegen/reach/site.py checks them and attaches them to their series).
    reach_sources = []
    for src in (s for s in sources if s.kind == "reach"):
        try:
            data = read_regular(src.abs)
        except OSError as exc:
            problems.error(src.rel, 1, messages._("cannot read the file: {reason}").format(reason=exc.strerror or exc))
            continue
        d = digest_bytes(data)
        text = decode(data, src.rel, problems)
        parsed = None if text is None else (reach_records.read_emitted(text) or parse_yaml(text, src.rel, problems))
        reach_sources.append((src.rel, parsed, d))
        state.record_source(src.rel, Stat(src.size, src.mtime_ns, d))
    markdown_sources = [s for s in sources if s.kind not in ("figures", "reach")]
    if config is None:
        _load_sources(markdown_sources, None, None, state, jobs, problems)
        mark("parse")
        return Loaded(problems, None, None, None)

    ctx = {"channels": [c for c, _ in config.channels]}
    # Programs first: series are checked against the program slugs.
    program_sources = [s for s in markdown_sources if s.kind == "program"]
    loaded = _load_sources(program_sources, dict(ctx), config, state, jobs, problems)
    records: dict = {"program": [(d, r) for d, r, _ in loaded if r is not None]}
    objects: dict = {"program": [o for _, r, o in loaded if r is not None]}
    ctx["programs"] = [rec["slug"] for _, rec in records["program"]]
    rest_sources = [s for s in markdown_sources if s.kind != "program"]
    records["series"], records["page"], objects["series"], objects["page"] = [], [], [], []
    busy = functools.partial(meanwhile, config) if meanwhile is not None else None
    for src, (doc, rec, obj) in zip(rest_sources, _load_sources(rest_sources, ctx, config, state, jobs, problems, busy)):
        if rec is not None:
            records[src.kind].append((doc, rec))
            objects[src.kind].append(obj)
    mark("parse")
    fig_data = validate_figures(figures_parsed, FIGURES_FILE, ctx, problems)
    _check_program_fit(records, problems)
    objects["series"] = reach_site.attach(reach_sources, records["series"], objects["series"], ctx, config.timezone, problems)
    mark("validate")

    programs, series, pages = objects["program"], objects["series"], objects["page"]
    site = model.make_site(config, today_for(config, today), programs, series, model.make_figures(fig_data), pages, drafts)
    plausible.check_series(records, site.today, problems)
    reports = reports_mod.compute(site, problems)
    url_entries = [(p.url, p.path, 1) for p in programs] + [(p.url, p.path, 1) for p in pages]
    url_entries += [(s.url, s.path, 1) for s in site.series]
    for p in pages:
        if p.url in RESERVED_URLS:
            problems.error(p.path, 1, messages._("URL {url} is reserved for the site's own pages (change 'slug' or the file name)").format(url=p.url))
    check_unique_urls(url_entries, problems)
    mark("model")
    return Loaded(problems, config, site, reports)


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
                messages._("field 'competency': '{value}' is not among the competencies of '{program}' ({allowed})").format(
                    value=rec["competency"], program=rec["program"], allowed=", ".join(allowed)),
            )


def reread_source(src, config: Config, program_slugs: list) -> tuple[SourceEntry, object, Stat] | None:
    """One Markdown source (not a program's) read, parsed, validated and rendered again as
    a load reads it, with the program slugs of that load: (its entry, model object, stat),
    or None when it cannot be read. The preview reads a saved series so (preview/patch.py)."""
    ctx = {"channels": [c for c, _ in config.channels], "programs": list(program_slugs)}
    ctx_key = f"{digest(ctx)}/{messages.language()}"
    raw = config.raw_html_allowed(src.rel)
    task = SourceTask(src.kind, src.rel, src.abs, src.size, src.mtime_ns, raw)
    r = _source_task(SourceJob(ctx, config.markdown, {}), task)
    if r.stat is None:
        return None
    return SourceEntry(SourceKey(r.stat.digest, ctx_key, config.markdown, raw, src.rel), r.doc, r.record, r.problems), r.obj, r.stat
