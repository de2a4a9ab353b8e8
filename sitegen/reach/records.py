"""`content/reach/<series>.yaml`: the imported figures as a content kind.

One file per series, written by `build.py reach import` (never by hand), read by the
build like the other sources: its fields are declared once below, checked with
`path:line` messages, and turned into frozen `ReachImport` objects that the series
carries. The writer and the reader share the declaration, so what the command writes is
exactly what the build accepts.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass

from ..digests import fingerprint
from ..messages import N_, _
from ..problems import Problems
from ..fieldcheck import unknown_field
from ..schema import Choice, Count, Date, Field, Invalid, ListOf, MapOf, Slug, Text, Type, describe, expected
from ..yamlfile import Parsed

REACH_DIR = "content/reach"
FILE_HEADER = (
    "# Jangkauan dari berkas ekspor platform, ditulis oleh `python build.py reach import`.\n"
    "# Jangan diubah dengan tangan: impor ulang berkas ekspornya (docs/panduan-editor.md).\n"
    "# Tidak memuat nama, e-mail, atau alamat IP peserta.\n"
)

# What a figure counts, in the words the site shows (docs/reach.md states the rules).
MEASURES = {
    "unique-participants": "peserta unik Zoom",
    "webinar-attendees": "peserta webinar Zoom yang hadir",
    "views": "penayangan YouTube",
}
PLATFORMS = ("zoom", "youtube")
FORMATS = ("zoom-meeting-participants", "zoom-webinar-attendees", "youtube-studio-table")
LAYOUTS = ("older", "unique-users", "2024", "sectioned", "advanced-mode")
FIGURE_NAMES = (
    "unique_participants", "attendees", "panelists", "registered_not_attended", "minutes_total",
    "peak_concurrent", "zoom_headline", "rows_merged_into_a_person", "waiting_room_only_people",
    "views", "impressions", "unique_viewers",
)
LEFT_OUT_REASONS = (
    "waiting-room", "no-name-or-email", "host", "panelist", "registered-not-attended", "unknown",
    "total-row", "other-video",
)
SHA256_RE = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class Pattern(Type):
    regex: str = ""
    what: str = ""

    def check(self, value, ctx):
        if not isinstance(value, str) or not re.match(self.regex, value):
            raise expected(self.what, value)
        return value

    def json(self):
        return {"type": "string", "pattern": self.regex}


@dataclass(frozen=True)
class Moment(Type):
    """A time with its offset as the import wrote it: 2024-01-11T11:02:40+07:00."""

    def check(self, value, ctx):
        try:
            moment = dt.datetime.fromisoformat(value) if isinstance(value, str) else None
        except ValueError:
            moment = None
        if moment is None or moment.tzinfo is None:
            raise expected(N_("a time with its offset, as the import writes it (for example 2024-01-11T11:02:40+07:00)"), value)
        return moment

    def json(self):
        return {"type": "string", "format": "date-time"}


FILE_FIELDS = (
    Field("series", Slug(), True, "Seri yang diukur (nama berkas di content/series/ tanpa .md)."),
    Field("imports", ListOf(Text(), unique=False), True, "Satu impor per kanal."),
)
IMPORT_FIELDS = (
    Field("channel", Choice(from_ctx="channels", noun="channel"), True, "Kanal situs yang diukur."),
    Field("figure", Count(), True, "Angka yang ditampilkan."),
    Field("measure", Choice(tuple(MEASURES)), True, "Apa yang dihitung angka itu."),
    Field("as_of", Date(), True, "Tanggal angka: akhir rapat, atau tanggal ekspor."),
    Field("file", Text(), True, "Nama berkas ekspor (berkasnya sendiri tidak disimpan)."),
    Field("sha256", Pattern(SHA256_RE.pattern, N_("the SHA-256 of the export as 64 lowercase hexadecimal digits")), True, "Sidik SHA-256 berkas ekspor."),
    Field("platform", Choice(PLATFORMS), True, "Platform asal."),
    Field("format", Choice(FORMATS), True, "Jenis laporan."),
    Field("layout", Choice(LAYOUTS), True, "Tata letak laporan yang dikenali."),
    Field("labels", Choice(("en", "id")), True, "Bahasa label kolom laporan."),
    Field("encoding", Text(), False, "Pengodean berkas."),
    Field("delimiter", Choice((",", ";", "\t")), False, "Pemisah kolom."),
    Field("member", Text(), False, "Nama tabel di dalam zip."),
    Field("timezone", Text(), False, "Zona waktu jam-jam di laporan."),
    Field("date_order", Choice(("ymd", "mdy", "dmy")), False, "Urutan tanggal di laporan."),
    Field("started", Moment(), False, "Mulai rapat atau webinar."),
    Field("ended", Moment(), False, "Akhir rapat atau webinar."),
    Field("ids", ListOf(Text()), False, "ID rapat, webinar, atau video."),
    Field("figures", MapOf(Choice(FIGURE_NAMES), Count(), N_("a set of 'name: number' pairs")), False, "Angka-angka lain dari laporan."),
    Field("rows_read", Count(), True, "Baris peserta atau video yang dibaca."),
    Field("rows_counted", Count(), True, "Baris yang dihitung."),
    Field("left_out", MapOf(Choice(LEFT_OUT_REASONS), Count(), N_("a set of 'reason: number' pairs")), False, "Baris yang tidak dihitung, per alasan."),
)
_ORDER = [f.name for f in IMPORT_FIELDS]


@dataclass(frozen=True)
class ReachImport:
    """One channel's imported figure with its provenance (never any participant data)."""

    channel: str
    figure: int
    measure: str
    as_of: dt.date
    file: str
    sha256: str
    platform: str
    format: str
    layout: str
    labels: str
    started: dt.datetime | None
    ended: dt.datetime | None
    timezone: str | None
    ids: tuple
    figures: tuple  # (name, number)
    rows_read: int
    rows_counted: int
    left_out: tuple  # (reason, rows)
    path: str
    line: int

    @property
    def counts(self) -> str:
        """What the figure counts, in words: "peserta unik Zoom"."""
        return MEASURES[self.measure]

    def extra(self, name: str) -> int | None:
        return dict(self.figures).get(name)

    @property
    def headline(self) -> int | None:
        """Zoom's own figure, when it differs from ours (shown beside it with the reason)."""
        value = self.extra("zoom_headline")
        return value if value is not None and value != self.figure else None


@dataclass(frozen=True)
class ReachFile:
    series: str
    imports: tuple  # ReachImport, by channel
    path: str
    line: int  # of `series:`
    fingerprint: str


# ---- writing ---------------------------------------------------------------------------------

def _scalar(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return json.dumps(str(value), ensure_ascii=False)


def emit(series: str, imports: list) -> str:
    """The file's text: fields in declaration order, imports by channel, every value in
    one fixed spelling, so that the same imports always give the same bytes."""
    out = [FILE_HEADER, f"series: {series}\n", "imports:\n"]
    for rec in sorted(imports, key=lambda r: r["channel"]):
        first = True
        for name in _ORDER:
            if name not in rec or rec[name] is None or rec[name] == {} or rec[name] == ():
                continue
            value = rec[name]
            lead = "  - " if first else "    "
            first = False
            if isinstance(value, dict):
                out.append(f"{lead}{name}:\n")
                for key in sorted(value):
                    out.append(f"      {key}: {_scalar(value[key])}\n")
            elif isinstance(value, (list, tuple)):
                out.append(f"{lead}{name}: [{', '.join(_scalar(v) for v in value)}]\n")
            else:
                out.append(f"{lead}{name}: {_scalar(value)}\n")
    return "".join(out)


# ---- reading ---------------------------------------------------------------------------------

_LINE = re.compile(r"^( *)(- )?([a-z0-9_-]+):(?: (.*))?$")


def _value(text: str):
    """A value as emit() spells it: a whole number, a bare date or slug, a JSON string or
    a flow list of them; ValueError for anything else."""
    if text.startswith('"'):
        value = json.loads(text)
        if not isinstance(value, str):
            raise ValueError(text)
        return value
    if text.startswith("["):
        items = json.loads(text)
        if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
            raise ValueError(text)
        return items
    if re.fullmatch(r"0|[1-9][0-9]*", text):
        return int(text)
    if re.fullmatch(r"[a-z0-9-]+", text):
        return text
    raise ValueError(text)


def read_emitted(text: str) -> Parsed | None:
    """The file as emit() writes it, read line by line with each key's line (a reach file
    is read on every build; this is several times faster than the YAML reader). None when
    the text is not in emit()'s exact form (edited by hand): the caller then reads it as
    YAML, with the YAML reader's messages."""
    data: dict = {}
    lines: dict = {}
    imports: list = []
    item = sub = None
    try:
        for number, line in enumerate(text.split("\n"), 1):
            if not line or line.startswith("#"):
                continue
            m = _LINE.match(line)
            if m is None:
                return None
            indent, dash, key, raw = len(m.group(1)), m.group(2), m.group(3), m.group(4)
            lines.setdefault((), number)
            if indent == 0 and not dash:
                if key == "imports" and raw is None:
                    data["imports"], lines[("imports",)] = imports, number
                elif raw is not None and key not in data:
                    data[key], lines[(key,)] = _value(raw), number
                else:
                    return None
            elif indent == 2 and dash:
                item, sub = {}, None
                imports.append(item)
                lines[("imports", len(imports) - 1)] = number
                item[key] = _value(raw)
                lines[("imports", len(imports) - 1, key)] = number
            elif indent == 4 and not dash and item is not None and key not in item:
                where = ("imports", len(imports) - 1, key)
                if raw is None:
                    sub = item[key] = {}
                else:
                    sub, item[key] = None, _value(raw)
                    if isinstance(item[key], list):
                        for i in range(len(item[key])):
                            lines[where + (i,)] = number
                lines[where] = number
            elif indent == 6 and not dash and sub is not None and raw is not None and key not in sub:
                sub[key] = _value(raw)
                lines[("imports", len(imports) - 1, next(reversed(item)), key)] = number
            else:
                return None
    except (ValueError, TypeError):
        return None
    return Parsed(data, lines)


def validate(parsed: Parsed | None, path: str, ctx: dict, problems: Problems) -> dict | None:
    """{"series": slug, "imports": [record...], "line": n} or None when unusable."""
    if parsed is None:
        return None
    data, lines = parsed.data, parsed.lines

    def line(*key) -> int:
        while key:
            if key in lines:
                return lines[key]
            key = key[:-1]
        return 1

    if not isinstance(data, dict):
        problems.error(path, 1, _("expected 'series:' and 'imports:' (a file written by build.py reach import), got {found}").format(found=describe(data)))
        return None
    ok = True
    record = {}
    for key in data:
        if key not in ("series", "imports"):
            problems.warning(path, line(key), unknown_field(key, ["series", "imports"]))
    for f in FILE_FIELDS:
        if data.get(f.name) is None:
            problems.error(path, 1, _("missing required field '{field}'").format(field=f.name))
            ok = False
            continue
        try:
            record[f.name] = f.type.check(data[f.name], ctx)
        except Invalid as exc:
            problems.error(path, line(f.name), _("field '{field}': {problem}").format(field=f.name, problem=exc))
            ok = False
    if not ok:
        return None
    imports, seen = [], {}
    for i, item in enumerate(record["imports"]):
        where = ("imports", i)
        if not isinstance(item, dict):
            problems.error(path, line(*where), _("field '{field}': {problem}").format(field=f"imports[{i + 1}]", problem=expected(N_("a set of fields"), item)))
            continue
        rec = _validate_import(item, where, path, line, ctx, problems)
        if rec is None:
            continue
        if rec["channel"] in seen:
            problems.error(path, line(*where, "channel"), _("channel '{channel}' is imported twice (also on line {line}); keep one import per channel").format(channel=rec["channel"], line=seen[rec["channel"]]))
            continue
        seen[rec["channel"]] = line(*where, "channel")
        rec["line"] = line(*where)
        imports.append(rec)
    return {"series": record["series"], "imports": imports, "line": line("series")}


def _validate_import(item: dict, where: tuple, path: str, line, ctx: dict, problems: Problems) -> dict | None:
    rec, ok = {}, True
    for key in item:
        if key not in _ORDER:
            problems.warning(path, line(*where, key), unknown_field(key, _ORDER))
    for f in IMPORT_FIELDS:
        value = item.get(f.name)
        label = f"imports[{where[1] + 1}].{f.name}"
        if value is None:
            if f.required:
                problems.error(path, line(*where), _("missing required field '{field}'").format(field=label))
                ok = False
            continue
        try:
            checked = f.type.check(value, ctx)
            if isinstance(f.type, ListOf):
                checked = tuple(f.type.item.check(v, ctx) for v in checked)
            elif isinstance(f.type, MapOf):
                checked = {f.type.key.check(k, ctx): f.type.value.check(v, ctx) for k, v in checked.items()}
        except Invalid as exc:
            problems.error(path, line(*where, f.name), _("field '{field}': {problem}").format(field=label, problem=exc))
            ok = False
            continue
        rec[f.name] = checked
    return rec if ok else None


def make_file(valid: dict, path: str, digest: str) -> ReachFile:
    imports = tuple(
        ReachImport(
            channel=r["channel"], figure=r["figure"], measure=r["measure"], as_of=r["as_of"], file=r["file"],
            sha256=r["sha256"], platform=r["platform"], format=r["format"], layout=r["layout"], labels=r["labels"],
            started=r.get("started"), ended=r.get("ended"), timezone=r.get("timezone"), ids=r.get("ids", ()),
            figures=tuple(sorted(r.get("figures", {}).items())), rows_read=r["rows_read"],
            rows_counted=r["rows_counted"], left_out=tuple(sorted(r.get("left_out", {}).items())),
            path=path, line=r["line"],
        )
        for r in sorted(valid["imports"], key=lambda r: r["channel"])
    )
    return ReachFile(valid["series"], imports, path, valid["line"], fingerprint(digest, path))
