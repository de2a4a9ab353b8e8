"""Field types and the front-matter schemas of every content kind.

One declaration serves three purposes: validation (with messages that say what was
expected and what was found), the editors' documentation, and the JSON Schema that
`build.py schema` writes for editors' tools.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from .messages import N_, _

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
TIME_RE = re.compile(r"^([01][0-9]|2[0-3]):([0-5][0-9])$")
DATE_RE = re.compile(r"^([0-9]{4})-([0-9]{2})-([0-9]{2})$")

COMPETENCIES = ("manajerial", "teknis", "fungsional", "sosial-kultural")
MAX_MINUTES = 720
WEEKDAYS = ("senin", "selasa", "rabu", "kamis", "jumat", "sabtu", "minggu")
# What became of a series: as planned (the default), cancelled, postponed (no new date yet;
# `date` keeps the original day) or moved (`date` is the new day, `previous_date` the old).
STATUSES = ("terjadwal", "dibatalkan", "ditunda", "dipindah")
SCHEDULED, CANCELLED, POSTPONED, MOVED = STATUSES
EMAIL_RE = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$")


class Invalid(Exception):
    """A value that does not fit its type; the message completes "field 'x': ..."."""


def describe(value: object) -> str:
    """How a found value is named in a message."""
    if value is None:
        return _("nothing")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return _("the number {value}").format(value=value)
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return _("text {value}").format(value=repr(shown)) if value else _("empty text")
    if isinstance(value, list):
        return _("a list")
    if isinstance(value, dict):
        return _("a set of fields")
    return type(value).__name__


def expected(what: str, value: object) -> Invalid:
    """`what` is an untranslated message id (marked with N_ or already translated)."""
    return Invalid(_("expected {what}, got {found}").format(what=_(what), found=describe(value)))


@dataclass(frozen=True)
class Type:
    def check(self, value, ctx: dict):  # returns the converted value or raises Invalid
        raise NotImplementedError

    def json(self) -> dict:
        raise NotImplementedError


@dataclass(frozen=True)
class Text(Type):
    multiline: bool = False

    def check(self, value, ctx):
        if not isinstance(value, str) or not value.strip():
            raise expected(N_("non-empty text"), value)
        return value.strip()

    def json(self):
        return {"type": "string", "minLength": 1}


@dataclass(frozen=True)
class Slug(Type):
    def check(self, value, ctx):
        if not isinstance(value, str) or not SLUG_RE.match(value):
            raise expected(N_("a slug of lowercase letters, digits and single hyphens"), value)
        return value

    def json(self):
        return {"type": "string", "pattern": SLUG_RE.pattern}


# The dates any field may hold: the calendar, the feeds and the reports count days and
# years on both sides of a date, which fails at the ends of Python's calendar (9999-12-31
# has no next day). No series or figure falls outside these.
FIRST_DAY = dt.date(1900, 1, 1)
LAST_DAY = dt.date(2999, 12, 31)


@dataclass(frozen=True)
class Date(Type):
    def check(self, value, ctx):
        if not isinstance(value, str) or not DATE_RE.match(value):
            raise expected(N_("a date as YYYY-MM-DD"), value)
        y, m, d = (int(x) for x in DATE_RE.match(value).groups())
        try:
            day = dt.date(y, m, d)
        except ValueError:
            raise Invalid(_("impossible date {value} (no such day in the calendar)").format(value=repr(value))) from None
        if not FIRST_DAY <= day <= LAST_DAY:
            raise Invalid(_("expected a date from {first} to {last}, got {value}").format(first=FIRST_DAY, last=LAST_DAY, value=repr(value)))
        return day

    def json(self):
        return {"type": "string", "format": "date", "pattern": DATE_RE.pattern}


@dataclass(frozen=True)
class Time(Type):
    def check(self, value, ctx):
        if not isinstance(value, str) or not TIME_RE.match(value):
            raise expected(N_("a time as HH:MM in WIB, in quotes (for example \"09:00\")"), value)
        h, m = TIME_RE.match(value).groups()
        return dt.time(int(h), int(m))

    def json(self):
        return {"type": "string", "pattern": TIME_RE.pattern}


@dataclass(frozen=True)
class Minutes(Type):
    """A duration in whole minutes, from 1 to 720 (12 hours)."""

    def check(self, value, ctx):
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_MINUTES:
            raise expected(_("a duration in whole minutes from 1 to {max} (for example 90)").format(max=MAX_MINUTES), value)
        return value

    def json(self):
        return {"type": "integer", "minimum": 1, "maximum": MAX_MINUTES}


@dataclass(frozen=True)
class Bool(Type):
    def check(self, value, ctx):
        if not isinstance(value, bool):
            raise expected(N_("true or false"), value)
        return value

    def json(self):
        return {"type": "boolean"}


# A whole number as Indonesians write it: 12000, or 12.000 and 1.529.584 with dots
# grouping thousands (strict groups of three). In YAML `12.000` is a decimal and
# `1.529.584` text, so the check reads the number as the file wrote it.
GROUPED_RE = re.compile(r"^(?:0|[1-9][0-9]*|[1-9][0-9]{0,2}(?:\.[0-9]{3})+)$")
_NUMBERISH_RE = re.compile(r"^[-+]?[0-9., ]*[0-9][0-9., ]*$")
HOW_TO_WRITE = N_("a whole number of 0 or more, written 12000 or 12.000 (a dot only between groups of three digits; no decimals)")


@dataclass(frozen=True)
class Count(Type):
    """A non-negative whole number (participants, series). With `grouped`, also as
    Indonesians write it: `12.000`, `1.529.584` (reach and the declared figures)."""

    grouped: bool = False

    def check(self, value, ctx):
        if self.grouped and not isinstance(value, bool):
            written = getattr(value, "text", value) if isinstance(value, float) else value
            if isinstance(written, str):
                text = written.strip()
                if GROUPED_RE.match(text):
                    return int(text.replace(".", ""))
                if _NUMBERISH_RE.match(text) or isinstance(value, float):
                    raise Invalid(_("expected {what}, got {found}").format(what=_(HOW_TO_WRITE), found=text))
            elif isinstance(written, float):
                raise Invalid(_("expected {what}, got {found}").format(what=_(HOW_TO_WRITE), found=written))
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise expected(N_("a whole number of 0 or more"), value)
        return value

    def json(self):
        if self.grouped:
            return {"anyOf": [
                {"type": "integer", "minimum": 0},
                {"type": "string", "pattern": GROUPED_RE.pattern},
            ]}
        return {"type": "integer", "minimum": 0}


# The names of the values a Choice holds, translated where a message names them.
NOUNS = (N_("value"), N_("program"), N_("channel"), N_("competency"), N_("weekday"), N_("status"))


@dataclass(frozen=True)
class Choice(Type):
    choices: tuple = ()
    # Name of a context entry holding the allowed values when they come from the content
    # (program slugs, channel slugs); `choices` is then ignored.
    from_ctx: str = ""
    noun: str = "value"  # how an unknown value is named: "unknown program 'x'" (one of NOUNS)

    def allowed(self, ctx) -> tuple:
        return tuple(ctx.get(self.from_ctx, ())) if self.from_ctx else self.choices

    def check(self, value, ctx):
        allowed = self.allowed(ctx)
        if not isinstance(value, str) or value not in allowed:
            what = _("one of: {values}").format(values=", ".join(allowed)) if allowed else _("a known value")
            if isinstance(value, str) and value:
                raise Invalid(_("unknown {noun} {value} (expected {what})").format(noun=_(self.noun), value=repr(value), what=what))
            raise expected(what, value)
        return value

    def json(self):
        if self.from_ctx:
            return {"type": "string"}
        return {"type": "string", "enum": list(self.choices)}


@dataclass(frozen=True)
class Weekdays(Choice):
    """The day, or the days, a program runs: `kamis`, or a list such as [senin, kamis].
    Checked as a tuple of days in week order."""

    def check(self, value, ctx):
        if isinstance(value, list):
            if not value:
                raise expected(N_("a day of the week, or a list of days"), value)
            days = [Choice.check(self, v, ctx) for v in value]
            if len(set(days)) != len(days):
                raise Invalid(_("a day is listed twice in {value}").format(value=", ".join(days)))
            return tuple(sorted(days, key=self.choices.index))
        return (Choice.check(self, value, ctx),)

    def json(self):
        one = {"type": "string", "enum": list(self.choices)}
        return {"anyOf": [one, {"type": "array", "items": one, "minItems": 1, "uniqueItems": True}]}


@dataclass(frozen=True)
class Url(Type):
    secure: bool = False  # only https:// (addresses the site links from every page)

    def check(self, value, ctx):
        if not isinstance(value, str):
            raise expected(N_("a web address starting with https://"), value)
        parts = urlsplit(value.strip())
        schemes = ("https",) if self.secure else ("http", "https")
        if parts.scheme not in schemes or not parts.netloc or any(c in value for c in " <>\"'"):
            raise expected(N_("a web address starting with https://"), value)
        return value.strip()

    def json(self):
        return {"type": "string", "format": "uri", "pattern": "^https://" if self.secure else "^https?://"}


@dataclass(frozen=True)
class Email(Type):
    def check(self, value, ctx):
        if not isinstance(value, str) or not EMAIL_RE.match(value.strip()):
            raise expected(N_("an e-mail address such as nama@contoh.go.id"), value)
        return value.strip()

    def json(self):
        return {"type": "string", "format": "email", "pattern": EMAIL_RE.pattern}


@dataclass(frozen=True)
class ListOf(Type):
    item: Type = field(default_factory=Text)
    unique: bool = True

    def check(self, value, ctx):
        if isinstance(value, str) and value.strip():
            raise Invalid(_("expected a list (write it as [{value}] or as '- ' lines), got {found}").format(value=repr(value), found=describe(value)))
        if not isinstance(value, list):
            raise expected(N_("a list"), value)
        return value  # items are checked one by one by the validator, for their own lines

    def json(self):
        out = {"type": "array", "items": self.item.json()}
        if self.unique:
            out["uniqueItems"] = True
        return out


@dataclass(frozen=True)
class MapOf(Type):
    """A mapping with keys from a choice and values of a type (reach by channel)."""

    key: Choice = field(default_factory=Choice)
    value: Type = field(default_factory=Count)
    pairs: str = N_("a set of 'channel: number' pairs (for example {zoom: 950})")

    def check(self, value, ctx):
        if not isinstance(value, dict):
            raise expected(self.pairs, value)
        return value

    def json(self):
        return {"type": "object", "additionalProperties": self.value.json()}


@dataclass(frozen=True)
class Field:
    name: str
    type: Type
    required: bool = False
    doc: str = ""
    example: object = None


LINKS = MapOf(Choice(from_ctx="channels", noun="channel"), Url(), N_("a set of 'channel: address' pairs (for example {zoom: https://...})"))

SERIES_FIELDS = (
    Field("title", Text(), True, "Judul seri.", "Literasi Data untuk ASN"),
    Field("program", Choice(from_ctx="programs", noun="program"), True, "Slug program (nama berkas di content/programs/).", "asn-belajar"),
    Field("date", Date(), True, "Tanggal tayang, YYYY-MM-DD.", "2024-02-22"),
    Field("time", Time(), False, "Jam mulai (WIB), \"HH:MM\" dalam tanda kutip.", "09:00"),
    Field("speakers", ListOf(Text()), False, "Daftar narasumber.", ["Nama Narasumber"]),
    Field("competency", Choice(COMPETENCIES, noun="competency"), False, "Jenis kompetensi.", "manajerial"),
    Field("tags", ListOf(Text()), False, "Daftar topik.", ["literasi-data"]),
    Field("reach", MapOf(Choice(from_ctx="channels", noun="channel"), Count(grouped=True)), False, "Jangkauan per kanal: kanal -> bilangan bulat >= 0, ditulis 12000 atau 12.000 (titik pemisah ribuan).", {"zoom": 950, "youtube": 12000}),
    Field("duration", Minutes(), False, "Lama acara dalam menit (1 sampai 720); bawaan: durasi programnya.", 90),
    Field("links", LINKS, False, "Tautan untuk bergabung atau menonton per kanal: kanal -> alamat https://.", {"zoom": "https://zoom.us/j/...", "youtube": "https://www.youtube.com/watch?v=..."}),
    Field("video", Url(), False, "Alamat rekaman video (https://...).", "https://www.youtube.com/watch?v=..."),
    Field("summary", Text(), False, "Ringkasan satu kalimat.", ""),
    Field("status", Choice(STATUSES, noun="status"), False, "Keadaan seri: terjadwal (bawaan), dibatalkan, ditunda (tanggal baru belum ada; date tetap tanggal semula), atau dipindah (date = tanggal baru, previous_date = tanggal semula).", "dipindah"),
    Field("previous_date", Date(), False, "Tanggal semula seri yang dipindah, YYYY-MM-DD; wajib bersama status: dipindah dan hanya dengannya.", "2024-02-15"),
    Field("draft", Bool(), False, "true: belum terbit (hanya dibangun dengan --drafts).", False),
    Field("sample", Bool(), False, "true: entri contoh, diberi label dan tidak dihitung dalam angka resmi.", False),
    Field("slug", Slug(), False, "Alamat seri; bawaan: nama berkas tanpa .md.", "literasi-data-untuk-asn"),
)

PROGRAM_FIELDS = (
    Field("title", Text(), True, "Nama program."),
    Field("weekday", Weekdays(WEEKDAYS, noun="weekday"), True, "Hari program dalam jadwal mingguan (satu hari, atau daftar hari: [senin, kamis])."),
    Field("summary", Text(), False, "Ringkasan satu kalimat."),
    Field("time", Time(), False, "Jam mulai (WIB), \"HH:MM\" dalam tanda kutip."),
    Field("duration", Minutes(), False, "Lama acara dalam menit (1 sampai 720), misalnya 90."),
    Field("links", LINKS, False, "Tautan tetap untuk bergabung atau menonton per kanal: kanal -> alamat https://."),
    Field("place", Text(), False, "Tempat, bila ada."),
    Field("channels", ListOf(Choice(from_ctx="channels", noun="channel")), False, "Kanal siaran."),
    Field("competencies", ListOf(Choice(COMPETENCIES, noun="competency")), False, "Jenis kompetensi yang dikembangkan."),
    Field("movement", Slug(), False, "Gerakan induk, misalnya dahar-ngopi."),
    Field("since", Date(), False, "Awal jadwal mingguan program."),
    Field("order", Count(), False, "Urutan tampil."),
    Field("slug", Slug(), False, "Alamat program; bawaan: nama berkas tanpa .md."),
)

PAGE_FIELDS = (
    Field("title", Text(), True, "Judul halaman."),
    Field("summary", Text(), False, "Ringkasan untuk mesin pencari."),
    Field("slug", Slug(), False, "Alamat halaman; bawaan: nama berkas tanpa .md."),
)

FIELDS_BY_KIND = {"series": SERIES_FIELDS, "program": PROGRAM_FIELDS, "page": PAGE_FIELDS}


def json_schema(kind: str = "series", ctx: dict | None = None) -> dict:
    """JSON Schema (draft 2020-12) of a kind's front matter, derived from the fields above."""
    ctx = ctx or {}
    props = {}
    for f in FIELDS_BY_KIND[kind]:
        spec = dict(f.type.json())
        if isinstance(f.type, Choice) and f.type.from_ctx and ctx.get(f.type.from_ctx):
            spec["enum"] = list(ctx[f.type.from_ctx])
        if isinstance(f.type, ListOf) and isinstance(f.type.item, Choice) and f.type.item.from_ctx and ctx.get(f.type.item.from_ctx):
            spec["items"] = {"type": "string", "enum": list(ctx[f.type.item.from_ctx])}
        if isinstance(f.type, MapOf) and f.type.key.from_ctx and ctx.get(f.type.key.from_ctx):
            spec["propertyNames"] = {"enum": list(ctx[f.type.key.from_ctx])}
        if f.doc:
            spec["description"] = f.doc
        props[f.name] = spec
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": f"Front matter: {kind}",
        "type": "object",
        "required": [f.name for f in FIELDS_BY_KIND[kind] if f.required],
        "properties": props,
        "additionalProperties": False,
    }


def slugify(text: str, max_length: int = 80) -> str:
    """A safe URL slug from any text: 'Literasi Data: ASN 4.0!' -> 'literasi-data-asn-4-0'."""
    import unicodedata

    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(slug) > max_length:
        slug = slug[:max_length].rsplit("-", 1)[0] or slug[:max_length]
    return slug.strip("-")
