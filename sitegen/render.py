"""Rendering: a pure function of (templates, site-wide globals, route context) -> bytes.

Every output's dependencies are recorded as a digest (digests.py): the templates it can
load (found by reading each template's extends/include/import statements), the site-wide
globals, and the context it was given (model objects contribute their source
fingerprints). The build state compares these digests to decide what must be rendered
again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import traceback
import types
from collections import ChainMap
from pathlib import Path

import jinja2
from jinja2 import meta
from jinja2.runtime import Macro
from markupsafe import Markup

from . import ENGINE_VERSION, PACKAGE_ROOT, localeformat, model, structured
from .config import Config
from .digests import Digester, digest  # noqa: F401 (digest: render.digest is the name tests use)
from .load import _skip_hidden, decode, read_regular, regular_files
from .messages import _
from .problems import Problems
from .routes import COMPETENCY_LABELS, Route


class TemplateSet:
    """The templates of a build: the project's `templates/` over the shipped defaults.

    Every template is read once, here, and Jinja loads it from memory (`loader`): Jinja's
    FileSystemLoader would follow a symbolic link and open anything under the folder,
    a named pipe included. Links and special files are reported by `load.find_sources`
    and never opened."""

    def __init__(self, root: Path):
        seen = {}
        for base in (PACKAGE_ROOT, root):  # project templates override defaults
            for rel, full, _st in regular_files(base, "templates", None, skip=_skip_hidden):
                seen[rel[len("templates/"):]] = Path(full)
        self.files = dict(sorted(seen.items()))
        self.sources: dict = {}
        for name, path in self.files.items():
            try:
                self.sources[name] = read_regular(path)
            except OSError:  # swapped since it was listed: left out, as if absent
                continue
        self.files = {name: path for name, path in self.files.items() if name in self.sources}
        self.hashes = {name: hashlib.blake2b(data, digest_size=16).hexdigest() for name, data in self.sources.items()}
        # Templates parsed once already (to find what each can load: template_closures):
        # Jinja compiles from that tree instead of parsing the source a second time.
        self.parsed: dict = {}

    def text(self, name: str) -> str:
        return self.sources[name].decode("utf-8")

    def loader(self) -> jinja2.BaseLoader:
        return _MemoryLoader(self)

    def display_path(self, name: str, root: Path) -> str:
        path = self.files.get(name)
        if path is None:
            return f"templates/{name}"
        try:
            return path.relative_to(root).as_posix()
        except ValueError:
            return f"templates/{name}"


class _MemoryLoader(jinja2.BaseLoader):
    """Templates from a TemplateSet: names outside it do not exist."""

    def __init__(self, templates: TemplateSet):
        self.templates = templates

    def get_source(self, environment, template):
        path = self.templates.files.get(template)
        if path is None:
            raise jinja2.TemplateNotFound(template)
        return self.templates.text(template), str(path), lambda: True

    def load(self, environment, name, globals=None):
        """BaseLoader.load (this loader has no bytecode cache), with the code this process
        compiled before for the same template and compile options (`compiled`), else compiled
        from the tree that template_closures parsed when there is one (parsing is a third
        of compiling), else from the source."""
        if name not in self.templates.files:
            raise jinja2.TemplateNotFound(name)
        filename = str(self.templates.files[name])
        key = (name, self.templates.hashes[name], getattr(environment, "compile_key", None))
        code = compiled(key, filename)
        if code is None:
            tree = self.templates.parsed.pop(name, None)
            code = environment.compile(self.templates.text(name) if tree is None else tree, name, filename)
            remember_compiled(key, code)
        return environment.template_class.from_code(environment, code, globals or {}, lambda: True)

    def list_templates(self):
        return sorted(self.templates.files)


# Templates compiled by this process, by (name, digest of the source, the environment's
# compile_key): kept in memory only (compiled templates are code, and the build cache keeps
# only data), for the preview's next load and for every build a process runs (the tests'
# helper process compiles the shipped templates once, and each build it forks reuses them).
# Jinja works out constant expressions while it compiles, filters included, except the
# filters that take the context: the site's filters that read a setting take it
# (`'/assets/site.js' | url` would otherwise become the link with the base path in it,
# and the code would depend on the settings), so the code depends only on the source and
# on compile_key (make_environment: the options, the names of the filters and tests).
# What is kept from one template under one key is what compiling it again would give, but
# for the file name, which is the template's path in this build.
_COMPILED: dict = {}
_COMPILED_LIMIT = 512  # templates; the preview keeps every version of an edited template


def compiled(key: tuple, filename: str):
    """The code kept for `key`, with `filename` as the file of all its functions (where
    tracebacks and template_error look for the template's line), or None."""
    code = _COMPILED.get(key) if key[-1] is not None else None
    if code is None or code.co_filename == filename:
        return code
    return _with_filename(code, filename)


def remember_compiled(key: tuple, code) -> None:
    if key[-1] is None:
        return
    if len(_COMPILED) >= _COMPILED_LIMIT:
        _COMPILED.clear()
    _COMPILED[key] = code


def _with_filename(code: types.CodeType, filename: str) -> types.CodeType:
    consts = tuple(_with_filename(c, filename) if isinstance(c, types.CodeType) else c for c in code.co_consts)
    return code.replace(co_filename=filename, co_consts=consts)


class _Template(jinja2.Template):
    """Jinja's Template, with a faster way to the module that `{% from x import m %}` reads.

    On every import Jinja's `_get_default_module` works out which globals of the importing
    page the imported template lacks, as `set - ChainMap.keys()`: a Python loop over every
    global, tens of microseconds, several times a page. Here the same difference is taken
    in C, and when it is empty (the importer has no globals of its own: always, in this
    site's templates) the cached module is returned, as Jinja's method does; otherwise
    Jinja's method decides. Jinja is pinned (requirements.txt), and tests/test_stages.py
    checks that the two methods give the same module, new globals or not."""

    def _get_default_module(self, ctx=None):
        if ctx is not None and self._module is not None and not self.environment.is_async:
            mine = self.globals
            maps = mine.maps if isinstance(mine, ChainMap) else (mine,)
            if not ctx.globals_keys.difference(*maps):
                return self._module
        return super()._get_default_module(ctx)


ENV_OPTIONS = dict(
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
    auto_reload=False,
)


def _memo(fn):
    """A formatting filter, remembered per value (dates and numbers repeat across pages;
    Babel's formatting is slow). Keyed by type too, so 1, 1.0 and True stay apart."""
    cache: dict = {}

    def filter_(value, *args, **kwargs):
        if kwargs:
            return fn(value, *args, **kwargs)
        key = (type(value), value, args)
        try:
            return cache[key]
        except KeyError:
            result = cache[key] = fn(value, *args)
            return result
        except TypeError:  # unhashable: not remembered
            return fn(value, *args)

    return filter_


_VALUES = (str, int, float, bool, type(None), dt.date, dt.time)


def _context_free(env: jinja2.Environment, macro) -> bool:
    """Whether a macro sees nothing but its arguments and the environment's globals: it
    takes no `caller` block and belongs to a template's own module, the one Jinja makes
    once, from the globals alone, and runs to its end before any macro of it is called
    (what `{% from x import m %}` gives). A macro imported with context, or defined in the
    page being rendered, reads the page's variables, which can change between two calls."""
    if not isinstance(macro, Macro) or macro.caller or macro.catch_kwargs or macro.catch_varargs:
        return False
    for template in list(env.cache.values()) if env.cache is not None else ():
        module = getattr(template, "_module", None)
        if module is not None and getattr(module, macro.name, None) is macro:
            break
    else:
        return False
    for cell in macro._func.__closure__ or ():
        try:
            owner = getattr(cell.cell_contents, "__self__", None)
        except ValueError:  # an empty cell
            continue
        if isinstance(owner, jinja2.runtime.Context) and not set(owner.parent) <= set(env.globals):
            return False
    return True


# The series card (a macro called through `memo`). A build renders every page that can load
# it on one worker (pipeline._render), so that each card is made once, not once a worker.
CARD_TEMPLATE = "partials/card.html"


def memo_call(env: jinja2.Environment):
    """`memo(macro, arg, ...)` in a template: the macro's output for these arguments, made
    once per process. A series card appears on its archive page, its year's, its program's,
    its competency's and each of its tags' pages; rendered once, it is reused on the others.
    Exact: only a macro that sees nothing but its arguments and the globals is remembered
    (any other is simply called), model objects are frozen, and an argument that is not a
    plain value is keyed by identity and kept alive with the output, so its key cannot be
    reused by another object."""
    outputs: dict = {}
    free: dict = {}

    def memo(macro, *args):
        known = free.get(id(macro))
        if known is None or known[1] is not macro:
            known = free[id(macro)] = (_context_free(env, macro), macro)
        if not known[0]:
            return macro(*args)
        key = (id(macro),) + tuple((type(a), a) if type(a) in _VALUES else id(a) for a in args)
        hit = outputs.get(key)
        if hit is None:
            before = model.body_reads()
            out = macro(*args)
            hit = outputs[key] = (out, macro, args, model.bodies_read_since(before))
        elif hit[3]:  # the bodies it read are read again, as far as the page is concerned
            model.replay_body_reads(hit[3])
        return hit[0]

    return memo


def make_environment(templates: TemplateSet, config: Config, serve_script: str = "") -> jinja2.Environment:
    """Templates are compiled from their source by every build: compiled templates are
    code, and the build cache keeps only data (cache.py)."""
    env = jinja2.Environment(loader=templates.loader(), **ENV_OPTIONS)
    env.template_class = _Template
    base = config.base_path
    lang = config.language

    def url(path: str) -> str:
        """Site path -> link that works under the base URL ("/repo/seri/x/")."""
        return base + str(path).lstrip("/")

    def abs_url(path: str) -> str:
        return config.base_url + str(path).lstrip("/")

    # Filters that read the settings take the context, which Jinja never does while it
    # compiles: their results stay out of the compiled code (see _COMPILED).
    env.filters.update({name: _at_render_time(f) for name, f in dict(
        url=url,
        abs_url=abs_url,
        number=_memo(lambda v: localeformat.number(v, lang)),
        decimal=_memo(lambda v, d=1: localeformat.decimal(v, d, lang)),
        percent=_memo(lambda v, d=1: localeformat.percent(v, d, lang)),
        long_date=_memo(lambda d: localeformat.long_date(d, lang)),
        date_id=_memo(lambda d: localeformat.date(d, lang)),
        month_year=_memo(lambda d: localeformat.month_year(d, lang)),
        channel=lambda c: config.channel_labels.get(c, c),
        weekday_name=lambda i: localeformat.weekday_name(i, lang),
    ).items()})
    env.filters.update(SETTINGS_FREE_FILTERS)
    env.filters["with_slug"] = lambda items, slug: with_slug(env, items, slug)  # the same for any settings
    def dataset_ld(*args, **kwargs) -> dict:
        return structured.dataset(*args, abs_url=abs_url, **kwargs)

    env.globals.update(config=config, url=url, abs_url=abs_url, serve_script=serve_script,
                       series_event=structured.series_event, program_series=structured.program_series,
                       dataset_ld=dataset_ld, memo=memo_call(env))
    # What compiled code depends on besides its source (see _COMPILED): the options and the
    # names of the filters and tests (a name Jinja does not know is a compile error).
    env.compile_key = hashlib.blake2b(repr((ENGINE_VERSION, sorted(ENV_OPTIONS.items(), key=str), sorted(env.filters),
                                            sorted(env.tests))).encode(), digest_size=16).hexdigest()
    return env


# The site's filters that read no setting (Jinja may run them while it compiles, on
# constants), besides `with_slug`; every other filter of the site reads the settings and
# takes the context (`_at_render_time`). tests/test_compiled.py holds every filter to one
# of the two.
SETTINGS_FREE_FILTERS = dict(
    wib=lambda t: f"{t:%H.%M} WIB",
    competency=lambda c: COMPETENCY_LABELS.get(c, c),
    json_data=lambda v: Markup(html_safe_json(v)),
)


def _at_render_time(fn):
    """`fn` as a filter that Jinja calls only while rendering (it takes the context)."""

    @jinja2.pass_context
    def filter_(_context, *args, **kwargs):
        return fn(*args, **kwargs)

    return filter_


def with_slug(env: jinja2.Environment, items, slug):
    """`programs | with_slug(s.program)`: the first item whose `slug` is the one given, as
    `programs | selectattr('slug', 'equalto', s.program) | first` gives it, and undefined
    when there is none, as there. A card looks up its program this way, and Jinja's filter
    chain took 80 microseconds of a card's 200."""
    for item in items:
        if env.getattr(item, "slug") == slug:
            return item
    return env.undefined("No first item, sequence was empty.")


def html_safe_json(value) -> str:
    """JSON for inside <script>: <, >, & and line separators escaped, keys sorted."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return (
        text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
        .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    )


# The templates each template names (None: a name computed while rendering), by (name,
# digest of the source), as parsed by this process: the parse depends on nothing else (the
# syntax options are the same for every environment, ENV_OPTIONS).
_REFERENCES: dict = {}


def template_closures(env: jinja2.Environment, templates: TemplateSet, problems: Problems, root: Path) -> dict:
    """template name -> sorted names of every template it can load (itself included)."""
    direct: dict = {}
    for name in templates.files:
        if not name.endswith((".html", ".xml", ".txt", ".j2")):
            continue
        try:
            source = templates.text(name)
        except UnicodeDecodeError:  # reported with its line and column
            decode(templates.sources[name], templates.display_path(name, root), problems)
            continue
        key = (name, templates.hashes[name])
        if key in _REFERENCES:  # this process parsed the same template before
            direct[name] = None if _REFERENCES[key] is None else set(_REFERENCES[key])
            continue
        try:
            ast = env.parse(source, name=name)
        except jinja2.TemplateSyntaxError as exc:
            problems.error(templates.display_path(name, root), exc.lineno or 1, _("template syntax error: {problem}").format(problem=exc.message))
            continue
        templates.parsed[name] = ast  # compiled from this tree when first loaded
        refs = list(meta.find_referenced_templates(ast))
        direct[name] = None if any(r is None for r in refs) else set(refs)
        if len(_REFERENCES) >= _COMPILED_LIMIT:
            _REFERENCES.clear()
        _REFERENCES[key] = None if direct[name] is None else frozenset(direct[name])
    closures = {}
    for name in direct:
        todo, seen, dynamic = [name], set(), False
        while todo:
            n = todo.pop()
            if n in seen:
                continue
            seen.add(n)
            refs = direct.get(n, set())
            if refs is None:
                dynamic = True
                break
            todo.extend(refs)
        closures[name] = tuple(sorted(direct)) if dynamic else tuple(sorted(seen))
    return closures


def template_error(exc: Exception, templates: TemplateSet, root: Path, route: Route) -> tuple[str, int, str]:
    """(path, line, message) for an exception raised while rendering a route."""
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return templates.display_path(exc.name or route.template or "", root), exc.lineno or 1, _("template syntax error: {problem}").format(problem=exc.message)
    if isinstance(exc, jinja2.TemplateNotFound):
        return templates.display_path(route.template or "", root), 1, _("template not found: {name}").format(name=exc.name)
    frames = traceback.extract_tb(exc.__traceback__)
    for frame in reversed(frames):
        for name, path in templates.files.items():
            if frame.filename == str(path):
                message = exc.message if isinstance(exc, jinja2.TemplateError) and exc.message else str(exc)
                return templates.display_path(name, root), frame.lineno or 1, _("template error while rendering {url}: {problem}").format(url=route.url, problem=message)
    return templates.display_path(route.template or "", root), 1, _("error while rendering {url}: {problem}").format(url=route.url, problem=f"{type(exc).__name__}: {exc}")


class Renderer:
    def __init__(self, env: jinja2.Environment, templates: TemplateSet, closures: dict, globals_digest: str, globals_: dict):
        self.env = env
        self.templates = templates
        self.closures = closures
        self.globals_digest = globals_digest
        self.globals = globals_
        self.digester = Digester()
        self.outline_digester = Digester(outline=True)
        self._prefixes: dict = {}

    def _prefix(self, route: Route) -> str:
        """The digest of what a route shares with every route of its template or producer."""
        key = route.template if route.template is not None else route.producer
        prefix = self._prefixes.get(key)
        if prefix is None:
            if route.template is not None:
                names = self.closures.get(route.template, (route.template,))
                tmpl = tuple((n, self.templates.hashes.get(n, "")) for n in names)
            else:
                tmpl = (getattr(route.producer, "__module__", ""), getattr(route.producer, "__qualname__", ""))
            prefix = self._prefixes[key] = self.digester.digest(ENGINE_VERSION, tmpl, self.globals_digest)
        return prefix

    def route_digest(self, route: Route) -> str:
        return self.digester.digest_context(self._prefix(route), route.url, route.context)

    def route_outline_digest(self, route: Route) -> str:
        """route_digest with each series' outline in place of its fingerprint: all a page
        is made from when rendering it read no series' body (pipeline._digests)."""
        return self.outline_digester.digest_context(self._prefix(route), route.url, route.context)

    def render_counted(self, route: Route) -> tuple[bytes, tuple]:
        """(render(route), the paths of the series whose body rendering it read, sorted)."""
        data = self.render(route)
        return data, model.take_body_reads()

    def render(self, route: Route) -> bytes:
        model.take_body_reads()  # reads made before this page are not this page's
        if route.template is None:
            return route.producer(self.globals, route.context)
        template = self.env.get_template(route.template)
        return template.render(route=route, page_url=route.url, **self.globals, **route.context).encode("utf-8")
