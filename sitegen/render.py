"""Rendering: a pure function of (templates, site-wide globals, route context) -> bytes.

Every output's dependencies are recorded as a digest: the templates it can load (found by
reading each template's extends/include/import statements), the site-wide globals, and the
context it was given (model objects contribute their source fingerprints). The build cache
compares these digests to decide what must be rendered again.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import traceback
from pathlib import Path

import jinja2
from jinja2 import meta
from markupsafe import Markup

from . import ENGINE_VERSION, i18n
from .config import Config
from .problems import Problems
from .routes import COMPETENCY_LABELS, Route

PACKAGE_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_TEMPLATES = PACKAGE_ROOT / "templates"


# ---- digests ------------------------------------------------------------------------------

def _feed(h, value) -> None:
    fp = getattr(value, "fingerprint", None)
    if isinstance(fp, str):
        h.update(b"F" + fp.encode())
        return
    if isinstance(value, (str, int, float, bool)) or value is None:
        h.update(b"V" + repr(value).encode())
    elif isinstance(value, (dt.date, dt.time)):
        h.update(b"D" + value.isoformat().encode())
    elif isinstance(value, dict):
        h.update(b"{")
        for k in sorted(value, key=repr):
            _feed(h, k)
            _feed(h, value[k])
        h.update(b"}")
    elif isinstance(value, (list, tuple)):
        h.update(b"[")
        for item in value:
            _feed(h, item)
        h.update(b"]")
    elif dataclasses.is_dataclass(value):
        h.update(type(value).__name__.encode() + b"(")
        for f in dataclasses.fields(value):
            if f.compare:
                _feed(h, getattr(value, f.name))
        h.update(b")")
    elif callable(value):
        h.update(b"C" + getattr(value, "__qualname__", repr(value)).encode())
    else:
        raise TypeError(f"cannot digest {type(value).__name__} in a route context")


def digest(*values) -> str:
    h = hashlib.blake2b(digest_size=16)
    for v in values:
        _feed(h, v)
    return h.hexdigest()


# ---- the Jinja environment -------------------------------------------------------------------

class TemplateSet:
    """The templates of a build: the project's `templates/` over the shipped defaults."""

    def __init__(self, root: Path):
        self.dirs = [d for d in (root / "templates", DEFAULT_TEMPLATES) if d.is_dir()]
        seen = {}
        for d in reversed(self.dirs):  # project templates override defaults
            for path in sorted(d.rglob("*")):
                if path.is_file() and not path.name.startswith("."):
                    seen[path.relative_to(d).as_posix()] = path
        self.files = dict(sorted(seen.items()))
        self.hashes = {name: hashlib.blake2b(p.read_bytes(), digest_size=16).hexdigest() for name, p in self.files.items()}

    def display_path(self, name: str, root: Path) -> str:
        path = self.files.get(name)
        if path is None:
            return f"templates/{name}"
        try:
            return path.relative_to(root).as_posix()
        except ValueError:
            return f"templates/{name}"


def make_environment(templates: TemplateSet, config: Config, serve_script: str = "") -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(d) for d in templates.dirs]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )
    base = config.base_path
    lang = config.language

    def url(path: str) -> str:
        """Site path -> link that works under the base URL ("/repo/seri/x/")."""
        return base + str(path).lstrip("/")

    def abs_url(path: str) -> str:
        return config.base_url + str(path).lstrip("/")

    env.filters.update(
        url=url,
        abs_url=abs_url,
        number=lambda v: i18n.number(v, lang),
        decimal=lambda v, d=1: i18n.decimal(v, d, lang),
        percent=lambda v, d=1: i18n.percent(v, d, lang),
        long_date=lambda d: i18n.long_date(d, lang),
        date_id=lambda d: i18n.date(d, lang),
        month_year=lambda d: i18n.month_year(d, lang),
        wib=lambda t: f"{t:%H.%M} WIB",
        competency=lambda c: COMPETENCY_LABELS.get(c, c),
        channel=lambda c: config.channel_labels.get(c, c),
        weekday_name=lambda i: i18n.weekday_name(i, lang),
        json_data=lambda v: Markup(html_safe_json(v)),
    )
    env.globals.update(config=config, url=url, abs_url=abs_url, serve_script=serve_script)
    return env


def html_safe_json(value) -> str:
    """JSON for inside <script>: <, >, & and line separators escaped, keys sorted."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return (
        text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
        .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    )


def template_closures(env: jinja2.Environment, templates: TemplateSet, problems: Problems, root: Path) -> dict:
    """template name -> sorted names of every template it can load (itself included)."""
    direct: dict = {}
    for name in templates.files:
        if not name.endswith((".html", ".xml", ".txt", ".j2")):
            continue
        source = templates.files[name].read_text(encoding="utf-8")
        try:
            ast = env.parse(source, name=name)
        except jinja2.TemplateSyntaxError as exc:
            problems.error(templates.display_path(name, root), exc.lineno or 1, f"template syntax error: {exc.message}")
            continue
        refs = list(meta.find_referenced_templates(ast))
        direct[name] = None if any(r is None for r in refs) else set(refs)
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
        return templates.display_path(exc.name or route.template or "", root), exc.lineno or 1, f"template syntax error: {exc.message}"
    if isinstance(exc, jinja2.TemplateNotFound):
        return templates.display_path(route.template or "", root), 1, f"template not found: {exc.name}"
    frames = traceback.extract_tb(exc.__traceback__)
    for frame in reversed(frames):
        for name, path in templates.files.items():
            if frame.filename == str(path):
                message = exc.message if isinstance(exc, jinja2.TemplateError) and exc.message else str(exc)
                return templates.display_path(name, root), frame.lineno or 1, f"template error while rendering {route.url}: {message}"
    return templates.display_path(route.template or "", root), 1, f"error while rendering {route.url}: {type(exc).__name__}: {exc}"


class Renderer:
    def __init__(self, env: jinja2.Environment, templates: TemplateSet, closures: dict, globals_digest: str, globals_: dict):
        self.env = env
        self.templates = templates
        self.closures = closures
        self.globals_digest = globals_digest
        self.globals = globals_

    def route_digest(self, route: Route) -> str:
        if route.template is not None:
            names = self.closures.get(route.template, (route.template,))
            tmpl = tuple((n, self.templates.hashes.get(n, "")) for n in names)
        else:
            tmpl = (getattr(route.producer, "__module__", ""), getattr(route.producer, "__qualname__", ""))
        return digest(ENGINE_VERSION, route.url, tmpl, self.globals_digest, route.context)

    def render(self, route: Route) -> bytes:
        if route.template is None:
            return route.producer(self.globals, route.context)
        template = self.env.get_template(route.template)
        return template.render(route=route, page_url=route.url, **self.globals, **route.context).encode("utf-8")
