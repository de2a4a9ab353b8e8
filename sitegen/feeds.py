"""Atom feed of the series (/feed.xml), sitemap.xml and robots.txt.

The XML is built with xml.etree.ElementTree, which escapes every text and attribute value;
no user text is ever pasted into markup by hand.

- feed.xml: the `feed_size` series with the latest dates, upcoming ones included (the feed
  announces sessions), newest date first, drafts never. A sample's title starts with
  "Contoh: " and the entry has the category "contoh" once; a cancelled, postponed or
  moved series says so in its title and summary and has a status-<status> category.
  - <id> is a tag: URI (RFC 4151) made of the host and path of the base URL and the
    series' slug only (tag:host,2023:/base/seri/<slug>/): it never changes when the
    title, date or status changes, so a reader shows an edit as an update of the same
    entry, never as a new one.
  - <updated> is when the series' source file last changed: the last git commit that
    touched it (lastmod.py); <published> is its first commit. Outside git (or for a file
    never committed) both fall back to SOURCE_DATE_EPOCH when set, else to the session's
    own start (its date at its time, 00:00 WIB without one). The feed's <updated> is the
    newest entry's <updated>.
- sitemap.xml: the absolute URL of every HTML route planned with sitemap=True, sorted,
  each with <lastmod>: when the sources that page shows last changed (same source).
- robots.txt: allow everything, point to the sitemap. (Crawlers read robots.txt only at a
  host's root, so on a /<repo>/ project site it is informative only.)
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from zoneinfo import ZoneInfo

from . import reuse
from .load import FIGURES_FILE
from .dataoutputs import STATUS_WORDS, absolute, host, public_series, session_line, status_line, status_title, xml_text

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


FEED_TAG_YEAR = "2023"  # the tagging date of every id (RFC 4151); never change it


def series_moment(series, config) -> dt.datetime:
    """When a series starts, in the site's time zone (00:00 when it has no time)."""
    at = series.time or dt.time(0, 0)
    return dt.datetime.combine(series.date, at, tzinfo=ZoneInfo(config.timezone))


def tag_uri(config, path: str) -> str:
    """tag:host,2023:/base/path (RFC 4151): the same for one path for life, whatever its
    content or date."""
    base_path = config.base_path.rstrip("/")
    return f"tag:{host(config)},{FEED_TAG_YEAR}:{base_path}/{path.lstrip('/')}"


def entry_id(config, series) -> str:
    return tag_uri(config, series.url)


def _stamp(moment: dt.datetime) -> str:
    """RFC 3339 in UTC with a Z, whole seconds."""
    return moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def series_times(series, config, history) -> tuple[dt.datetime, dt.datetime]:
    """(published, updated) of a series' entry: its source's first and last commit, else
    the fallback (SOURCE_DATE_EPOCH, else the session's start)."""
    fallback = series_moment(series, config)
    updated = history.of(series.path) or fallback
    published = history.first_of(series.path) or fallback
    return min(published, updated), updated


def _feed_updated(stamps: list, site) -> str:
    """The newest entry's <updated>; without entries, the newest date the data declares."""
    if stamps:
        return max(stamps)
    days = [f.source.date for f in site.figures if f.source is not None]
    days += [site.config.schedule_since] if site.config.schedule_since else []
    day = max(days) if days else dt.date(1970, 1, 1)
    return _stamp(dt.datetime.combine(day, dt.time(0), tzinfo=ZoneInfo(site.config.timezone)))


def feed_routes(site, reports, history) -> list[Route]:
    config = site.config
    chosen = public_series(site)[: config.feed_size]  # site.series is newest date first
    entries = []
    for s in chosen:
        published, updated = series_times(s, config, history)
        entries.append({"series": s, "published": _stamp(published), "updated": _stamp(updated)})
    context = {
        "config": config,
        "entries": tuple(entries),
        "programs": {p.slug: p.title for p in site.programs},
        "updated": _feed_updated([e["updated"] for e in entries], site),
        "feed_id": tag_uri(config, FEED_URL),
    }
    return [Route(FEED_URL, None, context, producer=render_feed, sitemap=False)]


def render_feed(globals_: dict, ctx: dict) -> bytes:
    config = ctx["config"]
    programs = ctx["programs"]
    feed = ET.Element("feed", {"xmlns": ATOM_NS, XML_LANG: config.language})
    _sub(feed, "id", ctx["feed_id"])
    _sub(feed, "title", f"Seri · {config.title}")
    if config.description:
        _sub(feed, "subtitle", config.description)
    _sub(feed, "updated", ctx["updated"])
    _sub(feed, "link", rel="self", type="application/atom+xml", href=absolute(config, FEED_URL))
    _sub(feed, "link", rel="alternate", type="text/html", href=absolute(config, "/arsip/"))
    author = _sub(feed, "author")
    _sub(author, "name", config.organisation)
    _sub(author, "uri", absolute(config, "/"))

    for item in ctx["entries"]:
        s = item["series"]
        url = absolute(config, s.url)
        entry = _sub(feed, "entry")
        _sub(entry, "id", entry_id(config, s))
        _sub(entry, "title", status_title(s), type="text")
        _sub(entry, "link", rel="alternate", type="text/html", href=url)
        _sub(entry, "published", item["published"])
        _sub(entry, "updated", item["updated"])
        for name in s.speakers:
            contributor = _sub(entry, "contributor")
            _sub(contributor, "name", name)
        _sub(entry, "category", term=s.program, label=programs.get(s.program, s.program))
        if s.competency:
            _sub(entry, "category", term=f"kompetensi-{s.competency}", label=COMPETENCY_LABELS.get(s.competency, s.competency))
        for tag in s.tags:
            if tag.slug != "contoh" or not s.sample:  # a sample's "Contoh" is said once, below
                _sub(entry, "category", term=f"topik-{tag.slug}", label=tag.label)
        if s.status != "terjadwal":
            _sub(entry, "category", term=f"status-{s.status}", label=STATUS_WORDS[s.status])
        if s.sample:
            _sub(entry, "category", term="contoh", label="Contoh")
        _sub(entry, "summary", " ".join(filter(None, [session_line(s, config), status_line(s, config), s.summary])), type="text")
        if s.body_html:
            _sub(entry, "content", s.body_html, type="html", **{XML_BASE: url})
    return _serialize(feed)


def page_sources(site) -> tuple[dict, tuple]:
    """Site URL -> the source files a page shows, for the pages made from a few sources;
    and the sources of every other page (lists, reports, home: everything)."""
    figures = (FIGURES_FILE,) if site.figures else ()
    series_paths = tuple(s.path for s in public_series(site))
    everything = ("site.yaml", *figures, *(p.path for p in site.programs), *series_paths, *(p.path for p in site.pages))
    own: dict = {s.url: (s.path,) for s in public_series(site)}
    for p in site.programs:
        own[p.url] = (p.path, *(s.path for s in site.series_of(p.slug) if not s.draft))
    for page in site.pages:
        own[page.url] = (page.path,)
    return own, everything


def lastmod_stamp(history, sources: tuple) -> str | None:
    """A sitemap's <lastmod>: the newest change among `sources`, or None."""
    when = history.newest(sources)
    return _stamp(when) if when is not None else None


def sitemap_routes(site, planned: list, history, keep=None) -> list[Route]:
    """sitemap.xml (every HTML route with sitemap=True, with its <lastmod> when known) and
    robots.txt. `keep`: what the preview's previous load made (reuse.py)."""
    config = site.config
    own, everything = page_sources(site)
    newest = lastmod_stamp(history, everything)
    entries = {}
    for r in planned:
        if r.sitemap and r.output.endswith(".html"):
            entries[absolute(config, r.url)] = reuse.call(keep, lastmod_stamp, (history,), (own[r.url],)) if r.url in own else newest
    return [
        Route(SITEMAP_URL, None, {"urls": tuple(sorted(entries.items()))}, producer=render_sitemap, sitemap=False),
        Route(ROBOTS_URL, None, {"sitemap": absolute(config, SITEMAP_URL)}, producer=render_robots, sitemap=False),
    ]


def render_sitemap(globals_: dict, ctx: dict) -> bytes:
    urlset = ET.Element("urlset", {"xmlns": SITEMAP_NS})
    for url, lastmod in ctx["urls"]:
        item = _sub(urlset, "url")
        _sub(item, "loc", url)
        if lastmod:
            _sub(item, "lastmod", lastmod)
    return _serialize(urlset)


def render_robots(globals_: dict, ctx: dict) -> bytes:
    return f"User-agent: *\nAllow: /\n\nSitemap: {ctx['sitemap']}\n".encode("utf-8")
