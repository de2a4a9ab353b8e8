"""Markdown to safe HTML.

Two engines behind one function: pulldown-cmark (through pyromark; CommonMark with tables,
about a hundred times faster than Python-Markdown on a 7 KB series) and Python-Markdown.
Raw HTML and links are sanitised with nh3 (the Ammonia sanitiser) unless site.yaml's
`raw_html` names the file.
"""

from __future__ import annotations

import re
from functools import lru_cache

import nh3
import pyromark

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "details", "dd", "dl", "dt", "em",
    "figcaption", "figure", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "kbd", "li", "ol",
    "p", "pre", "q", "s", "small", "strong", "sub", "summary", "sup", "table", "tbody", "td",
    "tfoot", "th", "thead", "tr", "u", "ul", "input",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"align", "style"},
    "th": {"align", "style"},
    "ol": {"start"},
    "input": {"type", "checked", "disabled"},
    "code": {"class"},
}
URL_SCHEMES = {"http", "https", "mailto"}


@lru_cache(maxsize=4)
def _python_markdown():
    import markdown  # the optional engine (site.yaml `markdown: python-markdown`): loaded only when chosen

    return markdown.Markdown(extensions=["tables", "sane_lists", "fenced_code"], output_format="html")


def to_html(source: str, engine: str = "pulldown-cmark") -> str:
    """Markdown to HTML, not yet sanitised."""
    if engine == "python-markdown":
        md = _python_markdown()
        md.reset()
        return md.convert(source)
    options = (
        pyromark.Options.ENABLE_TABLES
        | pyromark.Options.ENABLE_STRIKETHROUGH
        | pyromark.Options.ENABLE_TASKLISTS
    )
    return pyromark.html(source, options=options)


_HEADING_ONE = re.compile(r"<(/?)h1>")


@lru_cache(maxsize=1)
def _cleaner() -> "nh3.Cleaner":
    # One sanitiser for the whole build: nh3.clean would convert these rules on every call.
    return nh3.Cleaner(
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
        # Table alignment only: any other style could lay a cell over the whole page
        # (position: fixed) or fetch from another site (background: url(...)).
        filter_style_properties={"text-align"},
    )


def sanitise(html: str) -> str:
    return _cleaner().clean(html)


def render(source: str, engine: str = "pulldown-cmark", raw_html: bool = False) -> str:
    """The body HTML a template receives. A body's own `# heading` becomes `h2`, since the
    page title is the page's one `h1`."""
    if not source.strip():
        return ""
    html = _HEADING_ONE.sub(r"<\1h2>", to_html(source, engine))
    if not raw_html:
        html = sanitise(html)
    return html.strip() + "\n"
