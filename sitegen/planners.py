"""Every output of the site, planned here in one fixed order. Nothing is added by importing
a module: this list is the whole site.

The HTML pages come first (routes.py), then the data behind the charts, the Atom feed, the
iCalendar feed and the open data, the sitemap and robots.txt, which list every page planned
before them, and last the share images of the pages that have one (share.py).
"""

from __future__ import annotations

from . import calendar, charts, feeds, opendata, routes, share
from .reports import Reports
from .routes import Route


def plan(site, reports: Reports) -> list[Route]:
    chart_map = charts.page_charts(site, reports)
    planned: list[Route] = []
    planned += routes.pages(site, reports, chart_map)
    planned += charts.csv_routes(chart_map)
    planned += feeds.feed_routes(site, reports)
    planned += calendar.calendar_routes(site, reports)
    planned += opendata.data_routes(site, reports)
    planned += feeds.sitemap_routes(site, planned)
    planned += share.image_routes(site, reports, planned)
    return planned
