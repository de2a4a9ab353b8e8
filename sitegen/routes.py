"""Plan outputs: one table of routes (URL, output file, template or producer, context).

Adding a page kind means adding rows here (or, for data outputs, a planner listed in
planners.py), never a new code path in the renderer. Contexts hold only model objects and values computed from
them, so a route's context digest says everything the output depends on besides its
templates and the site-wide globals.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from dataclasses import dataclass, field
from typing import Callable, NamedTuple

from . import reuse, search, sessions
from .dataoutputs import in_calendar, series_calendar_url as calendar_url
from .model import Site
from .reports import Reports
from .schema import COMPETENCIES, COMPETENCY_LABELS

SHARE_IMAGE_NAME = "pratinjau.png"  # a page's share image, in the page's folder


@dataclass(frozen=True)
class Route:
    url: str  # site-relative, starts with "/"
    template: str | None  # Jinja template, or None when `producer` makes the bytes
    context: dict = field(default_factory=dict)
    producer: Callable | None = None  # (site_globals, context) -> bytes, for data outputs
    sitemap: bool = True
    # The page's share image (share.py): which card it shows, made from this route's
    # context, at `share_image`. Declared here, with the page, so that a page keeps its
    # image whatever its template is called.
    card: str = ""
    # Whether making this output can show a problem (a template mistake, a producer's
    # error): `check` makes those and throws the bytes away, and skips the others (a share
    # image is drawn from texts already checked, and nothing it does can fail on them).
    checked: bool = True
    # What `check` runs instead of `producer`, when making the bytes does more than can
    # fail: (site_globals, context) -> None, raising what the producer would raise.
    checker: Callable | None = None

    @property
    def share_image(self) -> str | None:
        return self.url + SHARE_IMAGE_NAME if self.card else None

    @functools.cached_property
    def output(self) -> str:
        """File path relative to the output folder: /seri/x/ -> seri/x/index.html
        (worked out once: every step of a build asks for it)."""
        path = self.url.lstrip("/")
        if path == "" or path.endswith("/"):
            return path + "index.html"
        return path


def page_window(n: int, count: int, url_of, around: int = 2) -> tuple:
    """The page links a pager shows: the first, the last and `around` pages either side of
    page n, with (None, None) for each gap. Constant size, so a long archive's pagers stay
    linear in total, not quadratic."""
    shown = sorted({1, count} | set(range(max(1, n - around), min(count, n + around) + 1)))
    out: list = []
    for i, num in enumerate(shown):
        if i and num != shown[i - 1] + 1:
            out.append((None, None))
        out.append((num, url_of(num)))
    return tuple(out)


def paginate(base: str, items: tuple, per_page: int) -> list[tuple[str, tuple, dict]]:
    """[(url, page_items, pager)] with /base/, /base/halaman/2/, ... (at least one page)."""
    per_page = max(per_page, 1)
    count = max(1, math.ceil(len(items) / per_page))

    def url_of(n: int) -> str:
        return base if n == 1 else f"{base}halaman/{n}/"

    pages = []
    for n in range(1, count + 1):
        pager = {
            "number": n,
            "count": count,
            "total": len(items),
            "prev": url_of(n - 1) if n > 1 else None,
            "next": url_of(n + 1) if n < count else None,
            "first": url_of(1),
            "window": page_window(n, count, url_of),
        }
        pages.append((url_of(n), items[(n - 1) * per_page : n * per_page], pager))
    return pages


class Facet(NamedTuple):
    """One value of an archive facet (a year, program, competency or tag)."""

    slug: str
    label: str
    url: str
    count: int  # past series with this value


def archive_facets(site: Site) -> dict:
    """The archive's browsing facets, each a list of Facet."""
    past = site.past_series
    tags: dict = {}
    per_year: dict = {}
    per_program: dict = {}
    per_competency: dict = {}
    for s in past:  # one pass: counting per facet value must stay linear in the archive
        per_year[s.year] = per_year.get(s.year, 0) + 1
        per_program[s.program] = per_program.get(s.program, 0) + 1
        per_competency[s.competency] = per_competency.get(s.competency, 0) + 1
        for t in s.tags:
            tags.setdefault(t.slug, [t, 0])[1] += 1
    years = sorted(per_year, reverse=True)
    return {
        "years": [Facet(str(y), str(y), f"/arsip/{y}/", per_year[y]) for y in years],
        "programs": [
            Facet(p.slug, p.title, f"/arsip/program/{p.slug}/", per_program.get(p.slug, 0))
            for p in site.programs
        ],
        "competencies": [
            Facet(c, COMPETENCY_LABELS[c], f"/arsip/kompetensi/{c}/", per_competency.get(c, 0))
            for c in COMPETENCIES
        ],
        "tags": [
            Facet(slug, t.label, t.url, n) for slug, (t, n) in sorted(tags.items(), key=lambda kv: kv[0])
        ],
    }


def _archive_routes(site: Site, facets: dict) -> list[Route]:
    per_page = site.config.per_page
    past = site.past_series
    # Group the archive once (each series goes to its year, program, competency and tags),
    # keeping the archive's order inside every group.
    groups: dict = {}
    for s in past:
        groups.setdefault(("year", str(s.year)), []).append(s)
        groups.setdefault(("program", s.program), []).append(s)
        groups.setdefault(("competency", s.competency), []).append(s)
        for slug in dict.fromkeys(t.slug for t in s.tags):
            groups.setdefault(("tag", slug), []).append(s)

    def group(facet: str, slug: str) -> tuple:
        return tuple(groups.get((facet, slug), ()))

    lists = [("/arsip/", "Arsip seri", "all", None, past)]
    for f in facets["years"]:
        lists.append((f.url, f"Seri tahun {f.label}", "year", f.slug, group("year", f.slug)))
    for f in facets["programs"]:
        lists.append((f.url, f.label, "program", f.slug, group("program", f.slug)))
    for f in facets["competencies"]:
        if f.count:
            lists.append((f.url, f"Kompetensi {f.label}", "competency", f.slug, group("competency", f.slug)))
    for f in facets["tags"]:
        lists.append((f.url, f"Topik: {f.label}", "tag", f.slug, group("tag", f.slug)))
    routes = []
    for base, title, facet, value, items in lists:
        for url, page_items, pager in paginate(base, items, per_page):
            routes.append(
                Route(
                    url, "archive.html",
                    {"title": title, "facet": facet, "facet_value": value, "series": page_items,
                     "pager": pager, "facets": facets, "programs": site.programs},
                    sitemap=pager["number"] == 1,
                )
            )
    return routes


def _neighbours(items: tuple) -> dict:
    """slug -> (previous, next) in date order within one program (previous = older)."""
    ordered = sorted(items, key=lambda s: (s.date, s.time or dt.time(0), s.slug))
    out = {}
    for i, s in enumerate(ordered):
        out[s.slug] = (ordered[i - 1] if i > 0 else None, ordered[i + 1] if i + 1 < len(ordered) else None)
    return out


def series_route(s, program, prev, nxt, today: dt.date, archive_links: tuple, calendar_file: str | None) -> Route:
    """A series page: the series, its program, its neighbours in the program, the
    archive pages it links to and its own calendar file."""
    return Route(s.url, "series.html", {
        "series": s, "program": program, "prev": prev, "next": nxt,
        "upcoming": s.date >= today, "is_today": s.date == today, "today": today,
        "gcal": sessions.google_calendar(s, program) if s.date >= today else None,  # offered while upcoming
        "archive_links": archive_links,
        "calendar_file": calendar_file,
    }, card="series")


def pages(site: Site, reports: Reports, chart_map: dict, keep: reuse.Reuse | None = None) -> list[Route]:
    """The HTML pages (sitegen/planners.py adds the data outputs); `chart_map` is the
    charts of each page (charts.page_charts); `keep`: what the preview's previous load
    planned (reuse.py)."""
    routes: list[Route] = []
    facets = archive_facets(site)
    upcoming = site.upcoming_series
    latest = site.past_series[:6]
    week = sessions.window(site)

    routes.append(Route("/", "home.html", {
        "programs": site.programs, "reports": reports, "latest": latest, "week": week,
        "upcoming": upcoming[:5], "today_weekday": site.today.weekday(), "today": site.today, "charts": chart_map["/"],
    }, card="home"))

    routes.append(Route("/program/", "programs.html", {"programs": site.programs, "reports": reports}))
    for program in site.programs:
        own = site.series_of(program.slug)
        routes.append(Route(program.url, "program.html", {
            "program": program,
            "past": tuple(s for s in own if s.date < site.today),
            "upcoming": tuple(s for s in upcoming if s.program == program.slug), "today": site.today,
            "next_sessions": tuple(x for x in week["sessions"] if x.program.slug == program.slug and x.date >= site.today),
            "totals": reports.program_totals(program.slug),
            "charts": chart_map.get(program.url, {}),
        }, card="program"))

    # Archive pages exist only for facets with past series; a series links to those only.
    facet_urls = {f.url for group in facets.values() for f in group if f.count}
    for program in site.programs:
        own = site.series_of(program.slug)
        near = _neighbours(own)
        for s in own:
            prev, nxt = near[s.slug]
            mine = [t.url for t in s.tags] + ([f"/arsip/kompetensi/{s.competency}/"] if s.competency else [])
            links = tuple(u for u in mine if u in facet_urls)
            # its own .ics (calendar.py), for the series jadwal.ics holds; else None
            ics = calendar_url(s) if in_calendar(site, s) else None
            routes.append(reuse.call(keep, series_route, (s, program, prev, nxt), (site.today, links, ics)))

    routes.extend(_archive_routes(site, facets))

    routes.append(Route("/jadwal/", "schedule.html", {
        "programs": site.programs, "upcoming": upcoming, "today_weekday": site.today.weekday(), "today": site.today,
        "week": week,
    }))

    routes.append(Route("/laporan/", "reports.html", {
        "reports": reports, "programs": site.programs, "charts": chart_map["/laporan/"],
    }, card="reports"))
    for year in reports.years:
        routes.append(Route(f"/laporan/{year.year}/", "report_year.html", {
            "year": year, "reports": reports, "programs": site.programs,
            "charts": chart_map.get(f"/laporan/{year.year}/", {}),
        }, card="report_year"))

    # One search index bundle per part of the series pages (search.py), merged in the browser.
    routes.append(Route("/cari/", "search.html", {"bundles": search.bundles(len(site.series))}, sitemap=False))

    for page in site.pages:
        routes.append(Route(page.url, "page.html", {"page": page}))

    routes.append(Route("/404.html", "404.html", {"programs": site.programs}, sitemap=False))

    return routes
