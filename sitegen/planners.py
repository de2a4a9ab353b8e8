"""Every output of the site, planned here in one fixed order. Nothing is added by importing
a module: this list is the whole site.

The HTML pages come first (routes.py), then the data behind the charts, the Atom feed, the
iCalendar feeds and the open data, the data package describing every CSV planned before it, the sitemap and robots.txt, which list every page planned
before them, and last the share images of the pages that have one (share.py).

`history` says when each source last changed (lastmod.py): the feed's <updated>, the
sitemap's <lastmod> and the calendars' LAST-MODIFIED come from it.
"""

from __future__ import annotations

from . import calendar, charts, feeds, lastmod, opendata, routes, share
from .reports import Reports
from .reuse import Reuse
from .routes import Route


def plan(site, reports: Reports, history: lastmod.History | None = None, keep: Reuse | None = None,
         check: bool = False) -> list[Route]:
    """`keep`: what the preview's previous load planned, reused where its inputs are the
    same objects (reuse.py); a build plans everything afresh. `check`: for `check`, which
    makes only the checked routes (Route.checked): the share images are planned by path
    (a static file may not take their place), without working out their texts."""
    history = history if history is not None else lastmod.History()
    chart_map = charts.page_charts(site, reports)
    planned: list[Route] = []
    planned += routes.pages(site, reports, chart_map, keep)
    planned += charts.csv_routes(chart_map)
    planned += feeds.feed_routes(site, reports, history)
    planned += calendar.calendar_routes(site, reports, history)
    planned += opendata.data_routes(site, reports, keep)
    planned += opendata.package_routes(site, planned)
    planned += feeds.sitemap_routes(site, planned, history, keep)
    planned += share.image_routes(site, reports, planned, keep, texts=not check)
    return planned
