"""Chart figures, built from the reports as data: never a typed number.

Each chart is a plain dict that a template renders as a <figure>: a caption, a quick
CSS bar preview (drawn by the page itself, no script needed), an accessible data table,
a CSV download and a Plotly figure spec (Plotly's JSON schema: data, layout, config).
The page loads the site's own copy of plotly.js (the basic partial bundle) only when the
chart comes near the viewport after a scroll, or when the visitor taps the chart's button
(the only way with Save-Data or a 2G connection), then draws from the embedded spec.

Everything here is deterministic: plain dicts and lists, no generated ids, and the JSON is
written with sorted keys by the `json_data` filter.
"""

from __future__ import annotations

import re
from pathlib import Path

from . import localeformat, opendata
from .assets import DEFAULT_STATIC
from .opendata import Column, resource
from .routes import Route

# Okabe & Ito (2008), a palette told apart by readers with any common colour-vision deficiency.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442")
HIGHLIGHT = "#D55E00"  # the year a report page is about, against the palette's blue
MUTED = "#8DA9C4"  # the other years on that page (still 3:1 against both page backgrounds)

FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Helvetica Neue", Arial, sans-serif'
PLOTLY_ASSET = "assets/plotly-basic.min.js"
REACH_BY_YEAR_CSV = "/laporan/jangkauan-per-tahun.csv"
SERIES_BY_YEAR_CSV = "/laporan/seri-per-tahun.csv"
CHANNELS_CSV = "/laporan/porsi-kanal.csv"


# ---- plotly.js, served from the site itself --------------------------------------------------
# The basic partial bundle (bar, scatter and pie traces: 394,851 bytes gzip'd against the full
# bundle's 1.47 MB) is vendored in static/assets/ from npm's plotly.js-basic-dist-min, at the
# plotly.js version the pinned plotly package ships (a test fails when the two drift).

BASIC_TRACES = frozenset({"bar", "scatter", "pie"})
_VERSION_RE = re.compile(r"plotly\.js(?: \([^)]*\))? v(\d+\.\d+\.\d+)")


def plotly_asset_path() -> Path:
    return DEFAULT_STATIC / PLOTLY_ASSET


def bundle_version(path: Path) -> str:
    """The plotly.js version named in a bundle's header comment ("plotly.js v4.1.1")."""
    with open(path, "rb") as fh:
        head = fh.read(400).decode("utf-8", "replace")
    m = _VERSION_RE.search(head)
    if not m:
        raise ValueError(f"{path}: no plotly.js version in its header")
    return m.group(1)


def package_plotly_js_version() -> str:
    """The plotly.js version of the installed plotly package (its bundled plotly.min.js)."""
    import plotly  # only for this check (tests, benchmarks): a build never loads the Python package

    return bundle_version(Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js")


# ---- labels -----------------------------------------------------------------------------------

def axis_label(period) -> str:
    """Short category label: '2023', '2024 (Jan–Feb)', or the span's own label."""
    if period.kind == "year":
        return str(period.year)
    if period.kind == "partial":
        months = localeformat.short_month_names()
        first, last = months[0], months[period.end.month - 1]
        return f"{period.year} ({first})" if period.end.month == 1 else f"{period.year} ({first}–{last})"
    return period.label


def long_label(period) -> str:
    """What the hover text says: '2024, Januari–Februari (hingga 22 Februari 2024)'."""
    if period.kind == "year":
        return f"Tahun {period.year}"
    if period.kind == "partial":
        return f"{period.label} (hingga {localeformat.date(period.end)})"
    return f"{period.label[0].upper()}{period.label[1:]}"


# ---- one bar chart ------------------------------------------------------------------------------

def plot_text(value: str) -> str:
    """Text for Plotly, which reads a few HTML-like tags and entities in labels: escape them."""
    return str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _bar_chart(*, chart_id: str, title: str, caption: str, csv_url: str, axis_title: str,
               category_title: str, categories: list, hover: list, traces: list,
               table_data: dict, colours: dict | None = None) -> dict:
    """categories: labels; traces: [(name, [value or None per category])];
    table_data: the chart's table for programs ({"columns", "rows", "resource"}: its CSV);
    colours: optional {category index: colour} for a single-trace chart (highlighting)."""
    values = [v for _, vs in traces for v in vs if v is not None]
    top = max(values) if values else 0
    data = []
    for i, (name, vs) in enumerate(traces):
        colour = PALETTE[i % len(PALETTE)]
        marker = {"color": colour}
        if colours is not None and len(traces) == 1:
            marker = {"color": [colours.get(j, colour) for j in range(len(categories))]}
        data.append({
            "type": "bar",
            "name": plot_text(name),
            "x": list(categories),
            "y": list(vs),
            "customdata": [plot_text(h) for h in hover],
            "marker": marker,
            "texttemplate": "%{y:,.0f}",
            "textposition": "outside",
            "textfont": {"size": 13},
            "constraintext": "none",
            "cliponaxis": False,
            "hovertemplate": "%{customdata}<br>%{fullData.name}<br>" + plot_text(axis_title) + ": <b>%{y:,.0f}</b><extra></extra>",
        })
    layout = {
        "autosize": True,
        "height": 320,
        "separators": ",.",
        "font": {"family": FONT, "size": 14},
        "margin": {"l": 8, "r": 8, "t": 28 if len(traces) == 1 else 52, "b": 8},
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "showlegend": len(traces) > 1,
        "legend": {"orientation": "h", "x": 0, "y": 1.15},
        "bargap": 0.35,
        "hoverlabel": {"font": {"family": FONT}},
        "xaxis": {
            "type": "category", "automargin": True, "fixedrange": True, "showgrid": False,
            "tickmode": "array", "tickvals": list(categories),
            "ticktext": [plot_text(c).replace(" (", "<br>(") for c in categories], "tickangle": 0,
        },
        "yaxis": {
            "title": {"text": ""}, "tickformat": ",.0f", "rangemode": "tozero",
            "automargin": True, "fixedrange": True, "range": [0, top * 1.15 if top else 1],
        },
    }
    config = {"responsive": True, "displayModeBar": False, "scrollZoom": False, "doubleClick": False}
    groups = []
    for j, label in enumerate(categories):
        bars = []
        for i, (name, vs) in enumerate(traces):
            v = vs[j]
            colour = PALETTE[i % len(PALETTE)]
            if colours is not None and len(traces) == 1:
                colour = colours.get(j, colour)
            bars.append({
                "name": name, "value": v, "text": "–" if v is None else localeformat.number(v),
                "height": 0 if not v or not top else round(v / top * 100, 1), "colour": colour,
            })
        groups.append({"label": label, "bars": bars})
    return {
        "id": chart_id,
        "title": title,
        "caption": caption,
        "csv": csv_url,
        "data": table_data,
        "table": {
            "caption": title,
            "columns": [category_title] + [name for name, _ in traces],
            "rows": [[label] + [vs[j] for _, vs in traces] for j, label in enumerate(categories)],
        },
        "preview": {"groups": groups, "legend": [(name, PALETTE[i % len(PALETTE)]) for i, (name, _) in enumerate(traces)] if len(traces) > 1 else []},
        "figure": {"data": data, "layout": layout, "config": config},
    }


def _yearly(site, reports, field: str):
    """Categories (year and part-year periods, oldest first), one trace per program, and
    the rows of the chart's data table (one per program and period)."""
    rows = [r for r in reports.rows if r.figure.period.kind in ("year", "partial")]
    periods = sorted({(r.figure.period.year, r.figure.period.kind, r.figure.period.end): r.figure.period for r in rows}.items())
    keys = [k for k, _ in periods]
    categories = [axis_label(p) for _, p in periods]
    hover = [long_label(p) for _, p in periods]
    traces = []
    table = []
    for program in site.programs:
        mine = {(r.figure.period.year, r.figure.period.kind, r.figure.period.end): getattr(r.figure, field) for r in rows if r.program == program.slug}
        if mine:
            traces.append((program.title, [mine.get(k) for k in keys]))
            table += [period_row(program, p, mine[k]) for k, p in periods if k in mine]
    return keys, categories, hover, traces, table


# ---- the charts' data tables (their CSV files and the data package) -----------------------------

def _period_columns(value: str, value_doc: str) -> list:
    return [
        Column("program", "string", "Slug program.", True),
        Column("program_title", "string", "Nama program.", True),
        Column("period_start", "date", "Hari pertama periode (YYYY-MM-DD); kosong bila sejak program dimulai dan tanggalnya tidak disebut sumber."),
        Column("period_end", "date", "Hari terakhir periode (YYYY-MM-DD).", True),
        Column("period_kind", "string", "Jenis periode: year (satu tahun penuh), partial (sebagian tahun), span (rentang lintas tahun).", True),
        Column("period_label", "string", "Nama periode seperti pada sumbu grafik.", True),
        Column(value, "integer", value_doc, True),
    ]


def period_row(program, period, value) -> list:
    return [program.slug, program.title, period.start.isoformat() if period.start else None,
            period.end.isoformat(), period.kind, axis_label(period), value]


def _period_data(name: str, title: str, value: str, value_doc: str, rows: list) -> dict:
    columns = _period_columns(value, value_doc)
    return {"columns": columns, "rows": rows, "resource": resource(
        name, title, "Data grafik: satu baris per program dan periode.", columns, ("program", "period_end", "period_kind"))}


def _partial_note(site, reports) -> str:
    notes = []
    for r in reports.rows:
        p = r.figure.period
        if p.kind == "partial":
            notes.append(f"{p.year} hanya mencakup {p.label.rsplit(' ', 1)[0]} (hingga {localeformat.date(p.end)})")
    return ("; ".join(sorted(set(notes))) + ".") if notes else ""


def reach_by_year(site, reports, highlight: int | None = None) -> dict | None:
    keys, categories, hover, traces, table = _yearly(site, reports, "reach")
    if not traces:
        return None
    colours = None
    if highlight is not None:
        colours = {j: (HIGHLIGHT if k[0] == highlight else MUTED) for j, k in enumerate(keys)}
    caption = "Jumlah peserta Zoom Meeting dan penonton YouTube yang dinyatakan penyelenggara, per tahun."
    note = _partial_note(site, reports)
    # A part-year's own report page says so in its notice already: not again under the chart.
    own_partial = highlight is not None and any(
        r.figure.period.kind == "partial" and r.figure.period.year == highlight for r in reports.rows)
    if note and not own_partial:
        caption += " " + note
    if highlight is not None:
        caption += f" Batang berwarna jingga adalah tahun {highlight}."
    return _bar_chart(
        chart_id="jangkauan-per-tahun", title="Jangkauan per tahun", caption=caption,
        csv_url=REACH_BY_YEAR_CSV, axis_title="Jangkauan (orang)", category_title="Periode",
        categories=categories, hover=hover, traces=traces, colours=colours,
        table_data=_period_data("jangkauan-per-tahun", "Jangkauan per tahun", "reach", "Jangkauan yang dinyatakan sumber (orang).", table),
    )


def series_by_year(site, reports) -> dict | None:
    keys, categories, hover, traces, table = _yearly(site, reports, "series")
    if not traces:
        return None
    caption = "Jumlah seri (episode) yang dinyatakan penyelenggara, per tahun."
    note = _partial_note(site, reports)
    if note:
        caption += " " + note
    return _bar_chart(
        chart_id="seri-per-tahun", title="Seri per tahun", caption=caption,
        csv_url=SERIES_BY_YEAR_CSV, axis_title="Seri", category_title="Periode",
        categories=categories, hover=hover, traces=traces,
        table_data=_period_data("seri-per-tahun", "Seri per tahun", "series", "Jumlah seri yang dinyatakan sumber.", table),
    )


def program_reach(program, totals) -> dict | None:
    """A program's declared reach per period; only when it has two periods or more to compare."""
    if totals is None or len(totals.rows) < 2:
        return None
    periods = [r.figure.period for r in totals.rows]
    return _bar_chart(
        chart_id=f"jangkauan-{program.slug}", title=f"Jangkauan {program.title} per periode",
        caption=f"Jumlah peserta dan penonton {program.title} yang dinyatakan penyelenggara, per periode.",
        csv_url=f"/program/{program.slug}/jangkauan.csv", axis_title="Jangkauan (orang)",
        category_title="Periode", categories=[axis_label(p) for p in periods],
        hover=[long_label(p) for p in periods], traces=[(program.title, [r.figure.reach for r in totals.rows])],
        table_data=_period_data(f"jangkauan-{program.slug}", f"Jangkauan {program.title} per periode", "reach",
                          "Jangkauan yang dinyatakan sumber (orang).", [period_row(program, r.figure.period, r.figure.reach) for r in totals.rows]),
    )


def channel_shares(site, reports) -> dict | None:
    """Each channel's reach among archived official series that record it per channel."""
    if not reports.channel_shares:
        return None
    labels = site.config.channel_labels
    names = [labels.get(c.channel, c.channel) for c in reports.channel_shares]
    columns = [
        Column("channel", "string", "Slug kanal (seperti di site.yaml).", True),
        Column("channel_label", "string", "Nama kanal.", True),
        Column("reach", "integer", "Jangkauan tercatat di kanal ini (orang).", True),
        Column("share", "number", "Porsi kanal dari jumlah jangkauan, sebagai rasio (0.25 = 25%)."),
        Column("series_basis", "integer", "Jumlah seri resmi di arsip yang menjadi dasar hitungan.", True),
    ]
    rows = [[c.channel, labels.get(c.channel, c.channel), c.reach, round(c.share, 4), reports.channel_basis]
            for c in reports.channel_shares]
    chart = _bar_chart(
        chart_id="porsi-kanal", title="Jangkauan per kanal",
        caption=f"Dihitung dari {reports.channel_basis} seri resmi di arsip yang mencatat jangkauan per kanal.",
        csv_url=CHANNELS_CSV, axis_title="Jangkauan (orang)", category_title="Kanal",
        categories=names, hover=names, traces=[("Jangkauan", [c.reach for c in reports.channel_shares])],
        table_data={"columns": columns, "rows": rows, "resource": resource(
            "porsi-kanal", "Jangkauan per kanal", "Data grafik: satu baris per kanal.", columns, ("channel",))},
    )
    return chart


# ---- which page shows which chart ------------------------------------------------------------------

def _sources(rows) -> tuple:
    """The declared sources of the figures behind a chart, each once, in order: the chart's
    citation names them with their as-of dates."""
    seen: list = []
    for r in rows:
        if r.figure.source and r.figure.source not in seen:
            seen.append(r.figure.source)
    return tuple(seen)


def page_charts(site, reports) -> dict:
    """Site URL -> {name: chart} for the pages that show charts."""
    pages = _page_charts(site, reports)
    everything = _sources(reports.rows)
    for url, charts in pages.items():
        for chart in charts.values():
            program = next((p for p in site.programs if p.url == url), None)
            chart["sources"] = _sources(r for r in reports.rows if r.program == program.slug) if program else everything
    return pages


def _page_charts(site, reports) -> dict:
    reach = reach_by_year(site, reports)
    pages: dict = {"/": {}, "/laporan/": {}}
    if reach:
        pages["/"]["reach"] = reach
        pages["/laporan/"]["reach"] = reach
    series = series_by_year(site, reports)
    if series:
        pages["/laporan/"]["series"] = series
    channels = channel_shares(site, reports)
    if channels:
        pages["/laporan/"]["channels"] = channels
    for year in reports.years:
        pages[f"/laporan/{year.year}/"] = {}
        if year.rows:
            chart = reach_by_year(site, reports, highlight=year.year)
            if chart:
                pages[f"/laporan/{year.year}/"]["reach"] = chart
    for program in site.programs:
        chart = program_reach(program, reports.program_totals(program.slug))
        pages[program.url] = {"reach": chart} if chart else {}
    return pages


def csv_bytes(data: dict) -> bytes:
    """The chart's data table as CSV, in the open data's dialect (opendata.py)."""
    return opendata.csv_bytes([c.name for c in data["columns"]], data["rows"])


def csv_producer(_globals: dict, context: dict) -> bytes:
    return csv_bytes(context)


def csv_routes(pages: dict) -> list:
    """One data route per distinct CSV URL (a chart shown on several pages has one CSV)."""
    tables: dict = {}
    for url in sorted(pages):
        for name in sorted(pages[url]):
            chart = pages[url][name]
            known = tables.setdefault(chart["csv"], chart["data"])
            if known != chart["data"]:
                raise ValueError(f"two charts publish different tables at {chart['csv']}")
    return [
        Route(csv_url, None, {"columns": tuple(data["columns"]), "rows": data["rows"], "resource": data["resource"]},
              producer=csv_producer, sitemap=False)
        for csv_url, data in sorted(tables.items())
    ]
