"""Open data: every published series and every declared figure as CSV and JSON, the tables
behind the charts, a Frictionless data package describing all of them, and the /data/
page.

Tables (each CSV route carries its table schema in its context; `package_routes` collects
them into /datapackage.json, so a table cannot be published without being described):

- /data/seri.csv: one row per series that is not a draft (past and upcoming), oldest
  first; samples included with sample=true (they never count in figures).
- /data/seri-narasumber.csv, /data/seri-topik.csv: one row per speaker and per topic of a
  series, keyed by its slug (a name holding a comma or a semicolon stays one name).
- /data/angka-resmi.csv: every declared figure with the values reports.py computes from it.
- the chart tables (charts.py): one row per program and period, with the period's first
  and last day as ISO dates and snake_case column names.
- /data/data-terbuka.xlsx (workbook.py): the four tables above as sheets of one Excel
  workbook, typed cells, for double-click in any regional settings.
- /data/seri.json, /data/angka-resmi.json: the same rows as JSON (lists as lists), with a
  "meta" header made from the same declarations.

The CSV dialect (docs/open-data.md says why): UTF-8 with a byte order mark (Excel on
Windows reads a file without one in the local ANSI code page), comma delimiter, CRLF line
ends, a header row, double quotes only where a cell needs them (RFC 4180). Numbers are
written as numbers, without thousands separators, with a dot for decimals; booleans as
true/false; dates YYYY-MM-DD; an empty cell is a value not recorded. A text cell that
begins with =, +, -, @, a tab or a carriage return gets a leading apostrophe so that
spreadsheet programs show it as text instead of running it as a formula (CSV formula
injection); such cells are only ever in text columns, so the declared types hold.

No licence is stated: the agency has not published one for this data (the package says
so); the sources of the figures are named.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from urllib.parse import urlsplit

from . import reuse
from .dataoutputs import STATUS_WORDS, absolute, public_series
from .routes import COMPETENCY_LABELS, Route
from .workbook import WORKBOOK_URL, workbook_route

DATA_PAGE_URL = "/data/"
SERIES_CSV = "/data/seri.csv"
SPEAKERS_CSV = "/data/seri-narasumber.csv"
TAGS_CSV = "/data/seri-topik.csv"
SERIES_JSON = "/data/seri.json"
FIGURES_CSV = "/data/angka-resmi.csv"
FIGURES_JSON = "/data/angka-resmi.json"
PACKAGE_URL = "/datapackage.json"

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"
DIALECT = {"delimiter": ",", "lineTerminator": "\r\n", "quoteChar": '"', "doubleQuote": True, "header": True}
ENCODING = "utf-8-sig"  # UTF-8, starting with a byte order mark


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # Frictionless (Table Schema) type: string, integer, number, boolean, date, time
    doc: str
    required: bool = False
    format: str | None = None

    def schema(self) -> dict:
        out = {"name": self.name, "type": self.type, "description": self.doc}
        if self.format:
            out["format"] = self.format
        if self.required:
            out["constraints"] = {"required": True}
        return out


def table_schema(columns, primary_key=None, foreign_keys=()) -> dict:
    schema: dict = {"fields": [c.schema() for c in columns], "missingValues": [""]}
    if primary_key:
        schema["primaryKey"] = list(primary_key)
    if foreign_keys:
        schema["foreignKeys"] = [
            {"fields": list(fields), "reference": {"resource": resource, "fields": list(ref)}}
            for fields, resource, ref in foreign_keys
        ]
    return schema


def series_columns(config) -> list[Column]:
    channels = [
        Column(f"reach_{slug}", "integer", f"Jangkauan seri di {label} (orang); kosong bila tidak tercatat.")
        for slug, label in config.channels
    ]
    return [
        Column("slug", "string", "Pengenal seri, sama dengan bagian akhir alamat halamannya.", True),
        Column("title", "string", "Judul seri.", True),
        Column("program", "string", "Slug program penyelenggara.", True),
        Column("program_title", "string", "Nama program.", True),
        Column("date", "date", "Tanggal tayang (YYYY-MM-DD); untuk seri yang dipindah, tanggal barunya.", True),
        Column("time", "time", "Jam mulai dalam WIB (HH:MM); kosong bila tidak dicantumkan.", format="%H:%M"),
        Column("status", "string", "Status: " + ", ".join(STATUS_WORDS) + " (terjadwal bila tidak ada perubahan).", True),
        Column("previous_date", "date", "Tanggal semula seri yang dipindah; kosong untuk status lain."),
        Column("competency", "string", "Jenis kompetensi: " + ", ".join(COMPETENCY_LABELS) + "; kosong bila tidak ada."),
        *channels,
        Column("reach_total", "integer", "Jumlah jangkauan semua kanal yang tercatat; kosong bila tidak tercatat."),
        Column("video", "string", "Alamat rekaman video; kosong bila tidak ada.", format="uri"),
        Column("summary", "string", "Ringkasan satu kalimat."),
        Column("sample", "boolean", "true bila entri ini contoh tampilan, bukan seri sungguhan; entri contoh tidak dihitung dalam angka resmi.", True),
        Column("url", "string", "Alamat lengkap halaman seri.", True, format="uri"),
    ]


SPEAKER_COLUMNS = [
    Column("series", "string", "Slug seri (kolom slug di seri.csv).", True),
    Column("position", "integer", "Urutan narasumber dalam seri, mulai dari 1.", True),
    Column("name", "string", "Nama narasumber seperti tertulis di halaman seri.", True),
]

TAG_COLUMNS = [
    Column("series", "string", "Slug seri (kolom slug di seri.csv).", True),
    Column("position", "integer", "Urutan topik dalam seri, mulai dari 1.", True),
    Column("tag", "string", "Slug topik, sama dengan bagian akhir alamat halaman topiknya.", True),
    Column("label", "string", "Nama topik seperti tampil di situs.", True),
]

FIGURE_COLUMNS = [
    Column("program", "string", "Slug program.", True),
    Column("program_title", "string", "Nama program.", True),
    Column("period", "string", "Pengenal periode: tahun (2023), sebagian tahun (2024-sd-2024-02-22) atau rentang (sd-2024-02-22).", True),
    Column("period_kind", "string", "Jenis periode: year (satu tahun penuh), partial (sebagian tahun), span (rentang lintas tahun).", True),
    Column("period_label", "string", "Nama periode seperti yang tampil di situs.", True),
    Column("start", "date", "Awal periode (YYYY-MM-DD); kosong bila sejak program dimulai dan tanggalnya tidak disebut sumber."),
    Column("end", "date", "Akhir periode (YYYY-MM-DD).", True),
    Column("year", "integer", "Tahun periode; kosong untuk rentang lintas tahun."),
    Column("series", "integer", "Jumlah seri yang dinyatakan sumber.", True),
    Column("reach", "integer", "Jangkauan yang dinyatakan sumber (orang, gabungan semua kanal).", True),
    Column("average", "number", "Rata-rata jangkauan per seri = reach / series, dua angka desimal (dihitung)."),
    Column("growth", "number", "Pertumbuhan jangkauan terhadap tahun penuh sebelumnya dari program yang sama, sebagai rasio (0.5 = naik 50%); kosong bila tidak ada pembanding (dihitung)."),
    Column("archived_series", "integer", "Jumlah seri resmi (bukan contoh) dalam periode ini yang ada di arsip situs (dihitung).", True),
    Column("archived_reach", "integer", "Jangkauan tercatat dari seri arsip tersebut (dihitung).", True),
    Column("source_title", "string", "Sumber angka."),
    Column("source_date", "date", "Tanggal sumber (YYYY-MM-DD)."),
    Column("source_url", "string", "Alamat sumber; kosong bila tidak dicantumkan.", format="uri"),
    Column("note", "string", "Catatan atas angka ini."),
]


# ---- records ---------------------------------------------------------------------------------

def ordered_series(site) -> list:
    return sorted(public_series(site), key=lambda s: (s.date, s.time.isoformat() if s.time else "", s.slug))


def series_records(site, keep=None) -> list[dict]:
    """One dict per series: the CSV's columns, and the speakers and tags as lists (JSON).
    `keep`: what the preview's previous load made (reuse.py)."""
    config = site.config
    titles = {p.slug: p.title for p in site.programs}
    return [reuse.call(keep, series_record, (config, s), (titles.get(s.program, s.program),)) for s in ordered_series(site)]


def series_record(config, s, program_title: str) -> dict:
    """The open-data row of one series (never changed once made: rows are shared with the
    preview's next load)."""
    reach = dict(s.reach)
    rec = {
        "slug": s.slug,
        "title": s.title,
        "program": s.program,
        "program_title": program_title,
        "date": s.date.isoformat(),
        "time": s.time.strftime("%H:%M") if s.time else None,
        "status": s.status,
        "previous_date": s.previous_date.isoformat() if s.moved and s.previous_date else None,
        "speakers": list(s.speakers),
        "competency": s.competency,
        "tags": [t.label for t in s.tags],
    }
    for slug, _label in config.channels:
        rec[f"reach_{slug}"] = reach.get(slug)
    rec["reach_total"] = s.total_reach
    rec.update({
        "video": s.video,
        "summary": s.summary or None,
        "sample": s.sample,
        "url": absolute(config, s.url),
    })
    return rec


def speaker_records(site) -> list[dict]:
    return [{"series": s.slug, "position": i, "name": name}
            for s in ordered_series(site) for i, name in enumerate(s.speakers, 1)]


def tag_records(site) -> list[dict]:
    return [{"series": s.slug, "position": i, "tag": t.slug, "label": t.label}
            for s in ordered_series(site) for i, t in enumerate(s.tags, 1)]


def figure_records(site, reports) -> list[dict]:
    titles = {p.slug: p.title for p in site.programs}
    out = []
    for row in reports.rows:
        f = row.figure
        out.append({
            "program": f.program,
            "program_title": titles.get(f.program, f.program),
            "period": f.period.key,
            "period_kind": f.period.kind,
            "period_label": f.period.label,
            "start": f.period.start.isoformat() if f.period.start else None,
            "end": f.period.end.isoformat(),
            "year": f.period.year,
            "series": f.series,
            "reach": f.reach,
            "average": round(f.average, 2) if f.average is not None else None,
            "growth": round(row.growth, 4) if row.growth is not None else None,
            "archived_series": row.archived_series,
            "archived_reach": row.archived_reach,
            "source_title": f.source.title if f.source else None,
            "source_date": f.source.date.isoformat() if f.source else None,
            "source_url": f.source.url if f.source else None,
            "note": f.note,
        })
    return out


def _web_address(url: str | None) -> str | None:
    """A source address the /data/ page may link to: http(s) only, never javascript: etc."""
    return url if url and urlsplit(url.strip()).scheme.lower() in ("http", "https") else None


def _column_list(columns) -> list[dict]:
    """Columns in file order (a list: JSON objects are written with sorted keys)."""
    return [{"nama": c.name, "jenis": c.type, "arti": c.doc} for c in columns]


def _sources(site) -> list[dict]:
    seen = {}
    for f in site.figures:
        if f.source is not None and f.source.id not in seen:
            seen[f.source.id] = {"judul": f.source.title, "tanggal": f.source.date.isoformat(), "alamat": f.source.url}
    return [seen[k] for k in sorted(seen)]


# ---- encoders --------------------------------------------------------------------------------

def csv_cell(value) -> str | int | float:
    """One CSV cell: booleans as true/false, numbers as numbers, text defused against formulas."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return value
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def csv_bytes(names, rows) -> bytes:
    """A CSV file in the site's dialect (module docstring) from a header and rows."""
    buf = io.StringIO(newline="")
    buf.write(BOM)
    writer = csv.writer(buf, delimiter=DIALECT["delimiter"], quotechar=DIALECT["quoteChar"],
                        doublequote=True, quoting=csv.QUOTE_MINIMAL, lineterminator=DIALECT["lineTerminator"])
    writer.writerow([csv_cell(n) for n in names])
    for row in rows:
        writer.writerow([csv_cell(v) for v in row])
    return buf.getvalue().encode("utf-8")


def render_csv(globals_: dict, ctx: dict) -> bytes:
    names = [c.name for c in ctx["columns"]]
    return csv_bytes(names, ([rec[n] for n in names] for rec in ctx["records"]))


def render_json(globals_: dict, ctx: dict) -> bytes:
    doc = {"meta": ctx["meta"], "data": ctx["records"]}
    return (json.dumps(doc, sort_keys=True, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def resource(name: str, title: str, description: str, columns, primary_key=None, foreign_keys=()) -> dict:
    """What the data package says about one CSV table (its path is the route's URL)."""
    return {"name": name, "title": title, "description": description,
            "schema": table_schema(columns, primary_key, foreign_keys)}


def csv_route(url: str, columns, records, res: dict) -> Route:
    return Route(url, None, {"columns": tuple(columns), "records": records, "resource": res}, producer=render_csv, sitemap=False)


# ---- routes ----------------------------------------------------------------------------------

def coverage(site) -> tuple:
    """First and last day the data speaks of (series dates, figure periods); (None, None) if none."""
    days = [s.date for s in site.series] + [f.period.end for f in site.figures]
    days += [f.period.start for f in site.figures if f.period.start is not None]
    return (min(days), max(days)) if days else (None, None)


def data_routes(site, reports, keep=None) -> list[Route]:
    config = site.config
    s_cols = series_columns(config)
    s_recs = series_records(site, keep)
    f_recs = figure_records(site, reports)
    sp_recs = speaker_records(site)
    tg_recs = tag_records(site)
    samples = sum(1 for r in s_recs if r["sample"])
    sources = _sources(site)
    json_series_columns = s_cols[:8] + [
        Column("speakers", "array", "Narasumber, berurutan (di CSV: seri-narasumber.csv)."),
        Column("tags", "array", "Topik, berurutan (di CSV: seri-topik.csv)."),
    ] + s_cols[8:]
    series_meta = {
        "judul": f"Seri {config.title}",
        "penerbit": config.organisation,
        "sumber": f"Arsip seri situs {config.title} ({config.organisation}); jangkauan per seri seperti tercatat di arsip.",
        "alamat": absolute(config, SERIES_JSON),
        "halaman": absolute(config, DATA_PAGE_URL),
        "jumlah_baris": len(s_recs),
        "jumlah_contoh": samples,
        "catatan": "Baris dengan sample=true adalah contoh tampilan, bukan seri sungguhan, dan tidak dihitung dalam angka resmi.",
        "kolom": _column_list(json_series_columns),
    }
    figures_meta = {
        "judul": f"Angka resmi jangkauan {config.title}",
        "penerbit": config.organisation,
        "sumber": sources,
        "alamat": absolute(config, FIGURES_JSON),
        "halaman": absolute(config, DATA_PAGE_URL),
        "jumlah_baris": len(f_recs),
        "jumlah_seri": reports.total_series,
        "jumlah_jangkauan": reports.total_reach,
        "catatan": "series dan reach dinyatakan sumber; average, growth, archived_series dan archived_reach dihitung dari data itu dan dari arsip situs.",
        "kolom": _column_list(FIGURE_COLUMNS),
    }
    series_key = (("series",), "seri", ("slug",))
    tables = [
        (SERIES_CSV, s_cols, s_recs, resource(
            "seri", "Seri", "Satu baris per seri yang terbit (termasuk yang akan datang), dari yang terlama.",
            s_cols, ("slug",))),
        (SPEAKERS_CSV, SPEAKER_COLUMNS, sp_recs, resource(
            "seri-narasumber", "Narasumber per seri", "Satu baris per narasumber sebuah seri.",
            SPEAKER_COLUMNS, ("series", "position"), (series_key,))),
        (TAGS_CSV, TAG_COLUMNS, tg_recs, resource(
            "seri-topik", "Topik per seri", "Satu baris per topik sebuah seri.",
            TAG_COLUMNS, ("series", "tag"), (series_key,))),
        (FIGURES_CSV, FIGURE_COLUMNS, f_recs, resource(
            "angka-resmi", "Angka resmi", "Satu baris per angka jangkauan yang dinyatakan sumber, beserta nilai turunannya.",
            FIGURE_COLUMNS, ("program", "period"))),
    ]
    files = [
        {"url": url, "format": "CSV", "title": res["title"], "rows": len(recs), "description": res["description"]}
        for url, _cols, recs, res in tables
    ]
    files.insert(1, {"url": SERIES_JSON, "format": "JSON", "title": "Seri (JSON)", "rows": len(s_recs),
                     "description": "Isi yang sama dengan seri.csv, dengan narasumber dan topik sebagai daftar dan keterangan di bagian meta."})
    files.append({"url": FIGURES_JSON, "format": "JSON", "title": "Angka resmi (JSON)", "rows": len(f_recs),
                  "description": "Isi yang sama dengan angka-resmi.csv, dengan sumber dan jumlah di bagian meta."})
    files.insert(0, {"url": WORKBOOK_URL, "format": "XLSX", "title": "Semua tabel (Excel)", "rows": None,
                     "description": "Keempat tabel CSV di bawah dalam satu berkas Excel, satu lembar per tabel, dengan angka, tanggal, dan jam yang sudah bertipe, serta lembar keterangan kolom. Terbuka benar di Excel apa pun pengaturan wilayahnya."})
    files.append({"url": PACKAGE_URL, "format": "JSON", "title": "Paket data (Frictionless)", "rows": None,
                  "description": "Keterangan setiap tabel CSV situs ini (kolom, jenis, kunci, dialek, pengodean) menurut standar Frictionless Data Package."})
    page = {
        "files": files,
        "tables": [(url.rsplit("/", 1)[-1], [(c.name, c.doc) for c in cols]) for url, cols, _r, _res in tables],
        "series_count": len(s_recs),
        "sample_count": samples,
        "figure_count": len(f_recs),
        "total_series": reports.total_series,
        "total_reach": reports.total_reach,
        "sources": [
            {"judul": f.source.title, "tanggal": f.source.date, "alamat": _web_address(f.source.url)}
            for f in {f.source.id: f for f in site.figures if f.source is not None}.values()
        ],
        "coverage": coverage(site),
        "formula_starts": ["=", "+", "-", "@"],
        "package": PACKAGE_URL,
        "workbook": WORKBOOK_URL,
    }
    routes = [csv_route(url, cols, recs, res) for url, cols, recs, res in tables]
    routes.append(workbook_route(f"Data terbuka {config.title}", config.organisation,
                                 [(res["name"], cols, recs) for _url, cols, recs, res in tables]))
    routes += [
        Route(SERIES_JSON, None, {"meta": series_meta, "records": s_recs}, producer=render_json, sitemap=False),
        Route(FIGURES_JSON, None, {"meta": figures_meta, "records": f_recs}, producer=render_json, sitemap=False),
        Route(DATA_PAGE_URL, "data.html", page),
    ]
    return routes


def package_routes(site, planned: list) -> list[Route]:
    """/datapackage.json: every CSV planned before it that carries a table schema."""
    config = site.config
    resources = []
    for r in planned:
        res = r.context.get("resource") if r.producer is not None else None
        if res is None:
            continue
        resources.append({
            **res, "path": r.url.lstrip("/"), "profile": "tabular-data-resource", "scheme": "file",
            "format": "csv", "mediatype": "text/csv", "encoding": ENCODING, "dialect": dict(DIALECT),
        })
    sources = [{"title": s["judul"], "path": s["alamat"]} if s["alamat"] else {"title": s["judul"]} for s in _sources(site)]
    package = {
        "profile": "tabular-data-package",
        "name": "asn-belajar-dahar-ngopi",
        "title": f"Data terbuka {config.title}",
        "description": (
            f"Seri dan angka jangkauan {config.title} dari {config.organisation}, sebagai tabel CSV. "
            "Lisensi: penerbit belum menyatakan lisensi untuk data ini; tanyakan kepada penerbit sebelum "
            "menggunakannya di luar keperluan wajar. Entri contoh (sample=true) bukan seri sungguhan."
        ),
        "homepage": absolute(config, DATA_PAGE_URL),
        "contributors": [{"title": config.organisation, "role": "publisher"}],
        "sources": [{"title": f"Arsip seri situs {config.title}", "path": absolute(config, "/arsip/")}, *sources],
        "resources": resources,
    }
    return [Route(PACKAGE_URL, None, {"package": package}, producer=render_package, sitemap=False)]


def render_package(globals_: dict, ctx: dict) -> bytes:
    return (json.dumps(ctx["package"], ensure_ascii=False, indent=1) + "\n").encode("utf-8")
