"""Open data: every published series and every declared figure as CSV and JSON, and the
/data/ page that describes them.

- /data/seri.csv, /data/seri.json: every series that is not a draft (past and upcoming),
  oldest first; samples included with sample=true (they never count in figures).
- /data/angka-resmi.csv, /data/angka-resmi.json: every declared figure with the values
  reports.py computes from it (average, growth, what the archive holds).

CSV: UTF-8, a header row, csv module with QUOTE_MINIMAL and "\\n" line endings. A text
cell that begins with =, +, -, @, a tab or a carriage return gets a leading apostrophe so
that spreadsheet programs show it as text instead of running it as a formula (CSV formula
injection); numbers are written as numbers. JSON: sorted keys, UTF-8, ISO dates, and a
"meta" header generated from the data (no licence is stated: the source is).

Column names and their descriptions are declared once below; the /data/ page's column
dictionary and the JSON headers are made from the same declarations.
"""

from __future__ import annotations

import csv
import io
import json
from urllib.parse import urlsplit

from .outputs import absolute, public_series
from .routes import COMPETENCY_LABELS, Route

DATA_PAGE_URL = "/data/"
SERIES_CSV = "/data/seri.csv"
SERIES_JSON = "/data/seri.json"
FIGURES_CSV = "/data/angka-resmi.csv"
FIGURES_JSON = "/data/angka-resmi.json"

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
LIST_SEPARATOR = "; "


def series_columns(config) -> list[tuple[str, str]]:
    channels = [
        (f"reach_{slug}", f"Jangkauan seri di {label} (orang); kosong bila tidak tercatat.")
        for slug, label in config.channels
    ]
    return [
        ("slug", "Pengenal seri, sama dengan bagian akhir alamat halamannya."),
        ("title", "Judul seri."),
        ("program", "Slug program penyelenggara."),
        ("program_title", "Nama program."),
        ("date", "Tanggal tayang (YYYY-MM-DD)."),
        ("time", "Jam mulai dalam WIB (HH:MM); kosong bila tidak dicantumkan."),
        ("speakers", f"Narasumber; di CSV dipisah \"{LIST_SEPARATOR.strip()}\", di JSON berupa daftar."),
        ("competency", "Jenis kompetensi: " + ", ".join(COMPETENCY_LABELS) + "; kosong bila tidak ada."),
        ("tags", f"Topik; di CSV dipisah \"{LIST_SEPARATOR.strip()}\", di JSON berupa daftar."),
        *channels,
        ("reach_total", "Jumlah jangkauan semua kanal yang tercatat; kosong bila tidak tercatat."),
        ("video", "Alamat rekaman video; kosong bila tidak ada."),
        ("summary", "Ringkasan satu kalimat."),
        ("sample", "true bila entri ini contoh tampilan, bukan seri sungguhan; entri contoh tidak dihitung dalam angka resmi."),
        ("url", "Alamat lengkap halaman seri."),
    ]


FIGURE_COLUMNS = [
    ("program", "Slug program."),
    ("program_title", "Nama program."),
    ("period_kind", "Jenis periode: year (satu tahun penuh), partial (sebagian tahun), span (rentang lintas tahun)."),
    ("period_label", "Nama periode seperti yang tampil di situs."),
    ("start", "Awal periode (YYYY-MM-DD); kosong bila sejak program dimulai dan tanggalnya tidak disebut sumber."),
    ("end", "Akhir periode (YYYY-MM-DD)."),
    ("year", "Tahun periode; kosong untuk rentang lintas tahun."),
    ("series", "Jumlah seri yang dinyatakan sumber."),
    ("reach", "Jangkauan yang dinyatakan sumber (orang, gabungan semua kanal)."),
    ("average", "Rata-rata jangkauan per seri = reach / series, dua angka desimal (dihitung)."),
    ("growth", "Pertumbuhan jangkauan terhadap tahun penuh sebelumnya dari program yang sama, sebagai rasio (0,5 = naik 50%); kosong bila tidak ada pembanding (dihitung)."),
    ("archived_series", "Jumlah seri resmi (bukan contoh) dalam periode ini yang ada di arsip situs (dihitung)."),
    ("archived_reach", "Jangkauan tercatat dari seri arsip tersebut (dihitung)."),
    ("source_title", "Sumber angka."),
    ("source_date", "Tanggal sumber (YYYY-MM-DD)."),
    ("source_url", "Alamat sumber; kosong bila tidak dicantumkan."),
    ("note", "Catatan atas angka ini."),
]


# ---- records ---------------------------------------------------------------------------------

def series_records(site) -> list[dict]:
    config = site.config
    titles = {p.slug: p.title for p in site.programs}
    ordered = sorted(public_series(site), key=lambda s: (s.date, s.time.isoformat() if s.time else "", s.slug))
    out = []
    for s in ordered:
        reach = dict(s.reach)
        rec = {
            "slug": s.slug,
            "title": s.title,
            "program": s.program,
            "program_title": titles.get(s.program, s.program),
            "date": s.date.isoformat(),
            "time": s.time.strftime("%H:%M") if s.time else None,
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
        out.append(rec)
    return out


def figure_records(site, reports) -> list[dict]:
    titles = {p.slug: p.title for p in site.programs}
    out = []
    for row in reports.rows:
        f = row.figure
        out.append({
            "program": f.program,
            "program_title": titles.get(f.program, f.program),
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
    return [{"nama": name, "arti": doc} for name, doc in columns]


def _sources(site) -> list[dict]:
    seen = {}
    for f in site.figures:
        if f.source is not None and f.source.id not in seen:
            seen[f.source.id] = {"judul": f.source.title, "tanggal": f.source.date.isoformat(), "alamat": f.source.url}
    return [seen[k] for k in sorted(seen)]


# ---- encoders --------------------------------------------------------------------------------

def csv_cell(value) -> str | int | float:
    """One CSV cell: lists joined, booleans as true/false, text defused against formulas."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, (list, tuple)):
        value = LIST_SEPARATOR.join(str(v) for v in value)
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def render_csv(globals_: dict, ctx: dict) -> bytes:
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
    names = [name for name, _ in ctx["columns"]]
    writer.writerow(names)
    for rec in ctx["records"]:
        writer.writerow([csv_cell(rec[name]) for name in names])
    return buf.getvalue().encode("utf-8")


def render_json(globals_: dict, ctx: dict) -> bytes:
    doc = {"meta": ctx["meta"], "data": ctx["records"]}
    return (json.dumps(doc, sort_keys=True, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


# ---- routes ----------------------------------------------------------------------------------

def coverage(site) -> tuple:
    """First and last day the data speaks of (series dates, figure periods); (None, None) if none."""
    days = [s.date for s in site.series] + [f.period.end for f in site.figures]
    days += [f.period.start for f in site.figures if f.period.start is not None]
    return (min(days), max(days)) if days else (None, None)


def data_routes(site, reports) -> list[Route]:
    config = site.config
    s_cols = series_columns(config)
    s_recs = series_records(site)
    f_recs = figure_records(site, reports)
    samples = sum(1 for r in s_recs if r["sample"])
    sources = _sources(site)
    series_meta = {
        "judul": f"Seri {config.title}",
        "penerbit": config.organisation,
        "sumber": f"Arsip seri situs {config.title} ({config.organisation}); jangkauan per seri seperti tercatat di arsip.",
        "alamat": absolute(config, SERIES_JSON),
        "halaman": absolute(config, DATA_PAGE_URL),
        "jumlah_baris": len(s_recs),
        "jumlah_contoh": samples,
        "catatan": "Baris dengan sample=true adalah contoh tampilan, bukan seri sungguhan, dan tidak dihitung dalam angka resmi.",
        "kolom": _column_list(s_cols),
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
    files = [
        {"url": SERIES_CSV, "format": "CSV", "title": "Seri (CSV)", "rows": len(s_recs),
         "description": "Satu baris per seri yang terbit, dari yang terlama."},
        {"url": SERIES_JSON, "format": "JSON", "title": "Seri (JSON)", "rows": len(s_recs),
         "description": "Isi yang sama dengan seri.csv, dengan keterangan di bagian meta."},
        {"url": FIGURES_CSV, "format": "CSV", "title": "Angka resmi (CSV)", "rows": len(f_recs),
         "description": "Satu baris per angka jangkauan yang dinyatakan sumber, beserta nilai turunannya."},
        {"url": FIGURES_JSON, "format": "JSON", "title": "Angka resmi (JSON)", "rows": len(f_recs),
         "description": "Isi yang sama dengan angka-resmi.csv, dengan sumber dan jumlah di bagian meta."},
    ]
    page = {
        "files": files,
        "series_columns": s_cols,
        "figure_columns": FIGURE_COLUMNS,
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
        "list_separator": LIST_SEPARATOR.strip(),
    }
    return [
        Route(SERIES_CSV, None, {"columns": s_cols, "records": s_recs}, producer=render_csv, sitemap=False),
        Route(SERIES_JSON, None, {"meta": series_meta, "records": s_recs}, producer=render_json, sitemap=False),
        Route(FIGURES_CSV, None, {"columns": FIGURE_COLUMNS, "records": f_recs}, producer=render_csv, sitemap=False),
        Route(FIGURES_JSON, None, {"meta": figures_meta, "records": f_recs}, producer=render_json, sitemap=False),
        Route(DATA_PAGE_URL, "data.html", page),
    ]
