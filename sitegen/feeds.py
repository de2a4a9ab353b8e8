"""Atom feed of the newest series (/feed.xml), sitemap.xml and robots.txt.

The XML is built with xml.etree.ElementTree, which escapes every text and attribute value;
no user text is ever pasted into markup by hand.

- feed.xml: the `feed_size` newest series that have taken place (dated before today: a
  series of today is still upcoming, as on the pages), newest first, drafts never. Samples are included, with a title that starts with "Contoh: " and
  the category "contoh". Entry ids are tag: URIs (RFC 4151) made of the host and path of
  the base URL, the series date and its URL path, so they never change for a series at a
  given address. <updated> is the newest entry's date (00:00 WIB when the series has no
  time): the feed depends on the content only, never on the wall clock.
- sitemap.xml: the absolute URL of every HTML route planned with sitemap=True, sorted.
- robots.txt: allow everything, point to the sitemap. (Crawlers read robots.txt only at a
  host's root, so on a /<repo>/ project site it is informative only.)
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from zoneinfo import ZoneInfo

from .outputs import absolute, display_title, host, public_series, xml_text
from .routes import COMPETENCY_LABELS, Route

ATOM_NS = "http://www.w3.org/2005/Atom"
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"

FEED_URL = "/feed.xml"
SITEMAP_URL = "/sitemap.xml"
ROBOTS_URL = "/robots.txt"


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, tag, {k: xml_text(v) for k, v in attrs.items()})
    if text is not None:
        el.text = xml_text(text)
    return el


def _serialize(root: ET.Element) -> bytes:
    ET.indent(root, space=" ")
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def series_moment(series, config) -> dt.datetime:
    """When a series starts, in the site's time zone (00:00 when it has no time)."""
    at = series.time or dt.time(0, 0)
    return dt.datetime.combine(series.date, at, tzinfo=ZoneInfo(config.timezone))


def tag_uri(config, day: dt.date, path: str) -> str:
    """tag:host,YYYY-MM-DD:/base/path/ (RFC 4151); stable for one series at one address."""
    base_path = config.base_path.rstrip("/")
    return f"tag:{host(config)},{day.isoformat()}:{base_path}/{path.lstrip('/')}"


def _feed_updated(entries: tuple, site) -> dt.datetime:
    """The newest entry's date; without entries, the newest date the data declares."""
    if entries:
        return max(series_moment(s, site.config) for s in entries)
    days = [f.source.date for f in site.figures if f.source is not None]
    days += [site.config.schedule_since] if site.config.schedule_since else []
    day = max(days) if days else dt.date(1970, 1, 1)
    return dt.datetime.combine(day, dt.time(0), tzinfo=ZoneInfo(site.config.timezone))


def feed_routes(site, reports) -> list[Route]:
    config = site.config
    past = tuple(s for s in public_series(site) if s.date < site.today)
    entries = past[: config.feed_size]  # site.series is newest first
    context = {
        "config": config,
        "entries": entries,
        "programs": {p.slug: p.title for p in site.programs},
        "updated": _feed_updated(entries, site).isoformat(),
        "feed_id": tag_uri(config, config.schedule_since or dt.date(1970, 1, 1), FEED_URL),
    }
    return [Route(FEED_URL, None, context, producer=render_feed, sitemap=False)]


def render_feed(globals_: dict, ctx: dict) -> bytes:
    config = ctx["config"]
    programs = ctx["programs"]
    feed = ET.Element("feed", {"xmlns": ATOM_NS, XML_LANG: config.language})
    _sub(feed, "id", ctx["feed_id"])
    _sub(feed, "title", f"Seri terbaru · {config.title}")
    if config.description:
        _sub(feed, "subtitle", config.description)
    _sub(feed, "updated", ctx["updated"])
    _sub(feed, "link", rel="self", type="application/atom+xml", href=absolute(config, FEED_URL))
    _sub(feed, "link", rel="alternate", type="text/html", href=absolute(config, "/arsip/"))
    author = _sub(feed, "author")
    _sub(author, "name", config.organisation)
    _sub(author, "uri", absolute(config, "/"))

    for s in ctx["entries"]:
        url = absolute(config, s.url)
        moment = series_moment(s, config).isoformat()
        entry = _sub(feed, "entry")
        _sub(entry, "id", tag_uri(config, s.date, s.url))
        _sub(entry, "title", display_title(s), type="text")
        _sub(entry, "link", rel="alternate", type="text/html", href=url)
        _sub(entry, "published", moment)
        _sub(entry, "updated", moment)
        for name in s.speakers:
            contributor = _sub(entry, "contributor")
            _sub(contributor, "name", name)
        _sub(entry, "category", term=s.program, label=programs.get(s.program, s.program))
        if s.competency:
            _sub(entry, "category", term=f"kompetensi-{s.competency}", label=COMPETENCY_LABELS.get(s.competency, s.competency))
        for tag in s.tags:
            _sub(entry, "category", term=f"topik-{tag.slug}", label=tag.label)
        if s.sample:
            _sub(entry, "category", term="contoh", label="Contoh")
        if s.summary:
            _sub(entry, "summary", s.summary, type="text")
        if s.body_html:
            _sub(entry, "content", s.body_html, type="html", **{XML_BASE: url})
    return _serialize(feed)


def sitemap_routes(site, planned: list) -> list[Route]:
    """sitemap.xml (every HTML route with sitemap=True) and robots.txt."""
    config = site.config
    urls = sorted({absolute(config, r.url) for r in planned if r.sitemap and r.output.endswith(".html")})
    return [
        Route(SITEMAP_URL, None, {"urls": urls}, producer=render_sitemap, sitemap=False),
        Route(ROBOTS_URL, None, {"sitemap": absolute(config, SITEMAP_URL)}, producer=render_robots, sitemap=False),
    ]


def render_sitemap(globals_: dict, ctx: dict) -> bytes:
    urlset = ET.Element("urlset", {"xmlns": SITEMAP_NS})
    for url in ctx["urls"]:
        _sub(_sub(urlset, "url"), "loc", url)
    return _serialize(urlset)


def render_robots(globals_: dict, ctx: dict) -> bytes:
    return f"User-agent: *\nAllow: /\n\nSitemap: {ctx['sitemap']}\n".encode("utf-8")
