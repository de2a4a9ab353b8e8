"""Field types, and the field tables of everything an editor writes: the front matter of
every content kind, the declared figures (content/figures.yaml) and the site settings
(site.yaml).

One declaration per field serves every purpose: the build's checks (sitegen/fieldcheck.py,
with messages that say what was expected and what was found), the JSON Schema that
`build.py schema` writes for editors' tools, the browser editor's form (sitegen/admin.py)
and the settings reference in docs/content-format.md (`type_doc` below). Each type's
`check` and `json` say the same thing twice, in Python and in JSON Schema;
tests/test_schema_agrees.py generates values and proves the two agree.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from .messages import N_, _

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
TIME_RE = re.compile(r"^([01][0-9]|2[0-3]):([0-5][0-9])$")
DATE_RE = re.compile(r"^([0-9]{4})-([0-9]{2})-([0-9]{2})$")

# The competencies and their labels, as the site and the browser editor show them.
COMPETENCY_LABELS = {
    "manajerial": "Manajerial",
    "teknis": "Teknis",
    "fungsional": "Fungsional",
    "sosial-kultural": "Sosial Kultural",
}
COMPETENCIES = tuple(COMPETENCY_LABELS)
MAX_MINUTES = 720
WEEKDAYS = ("senin", "selasa", "rabu", "kamis", "jumat", "sabtu", "minggu")  # Monday first, as datetime.weekday()
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

    def json(self, ctx=None) -> dict:  # the same rule as check(), in JSON Schema
        raise NotImplementedError

    def doc(self) -> str:  # the type in a few words of English (the settings reference)
        raise NotImplementedError


@dataclass(frozen=True)
class Text(Type):
    multiline: bool = False

    def check(self, value, ctx):
        if not isinstance(value, str) or not value.strip():
            raise expected(N_("non-empty text"), value)
        return value.strip()

    def json(self, ctx=None):
        return {"type": "string", "pattern": r"\S"}  # not only white space, as strip() sees it

    def doc(self):
        return "text"


@dataclass(frozen=True)
class Slug(Type):
    def check(self, value, ctx):
        if not isinstance(value, str) or not SLUG_RE.match(value):
            raise expected(N_("a slug of lowercase letters, digits and single hyphens"), value)
        return value

    def json(self, ctx=None):
        return {"type": "string", "pattern": SLUG_RE.pattern}

    def doc(self):
        return "slug (a-z, 0-9, single hyphens)"


# The dates any field may hold: the calendar, the feeds and the reports count days and
# years on both sides of a date, which fails at the ends of Python's calendar (9999-12-31
# has no next day). No series or figure falls outside these.
FIRST_DAY = dt.date(1900, 1, 1)
LAST_DAY = dt.date(2999, 12, 31)
# The days from FIRST_DAY to LAST_DAY as a pattern, for the JSON Schema: months of 31 and
# 30 days, 28 February, and 29 February in the leap years (1900, 2100, 2200, 2300, 2500,
# 2600, 2700 and 2900 are not; 2000 and 2400 are).
DAY_PATTERN = (
    r"^(?:(?:19|2[0-9])[0-9]{2}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)"
    r"|02-(?:0[1-9]|1[0-9]|2[0-8]))|(?:(?:19|2[0-9])(?:0[48]|[2468][048]|[13579][26])|2000|2400)-02-29)$"
)


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

    def json(self, ctx=None):
        return {"type": "string", "format": "date", "pattern": DAY_PATTERN}

    def doc(self):
        return f"date YYYY-MM-DD, {FIRST_DAY} to {LAST_DAY}"


@dataclass(frozen=True)
class Time(Type):
    def check(self, value, ctx):
        if not isinstance(value, str) or not TIME_RE.match(value):
            raise expected(N_("a time as HH:MM in WIB, in quotes (for example \"09:00\")"), value)
        h, m = TIME_RE.match(value).groups()
        return dt.time(int(h), int(m))

    def json(self, ctx=None):
        return {"type": "string", "pattern": TIME_RE.pattern}

    def doc(self):
        return 'time "HH:MM" (WIB), in quotes'


@dataclass(frozen=True)
class Minutes(Type):
    """A duration in whole minutes, from 1 to 720 (12 hours)."""

    def check(self, value, ctx):
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_MINUTES:
            raise expected(_("a duration in whole minutes from 1 to {max} (for example 90)").format(max=MAX_MINUTES), value)
        return value

    def json(self, ctx=None):
        return {"type": "integer", "minimum": 1, "maximum": MAX_MINUTES}

    def doc(self):
        return f"minutes, 1 to {MAX_MINUTES}"


@dataclass(frozen=True)
class Bool(Type):
    def check(self, value, ctx):
        if not isinstance(value, bool):
            raise expected(N_("true or false"), value)
        return value

    def json(self, ctx=None):
        return {"type": "boolean"}

    def doc(self):
        return "true or false"


# A whole number as Indonesians write it: 12000, or 12.000 and 1.529.584 with dots
# grouping thousands (strict groups of three). In YAML `12.000` is a decimal and
# `1.529.584` text, so the check reads the number as the file wrote it.
GROUPED_RE = re.compile(r"^(?:0|[1-9][0-9]*|[1-9][0-9]{0,2}(?:\.[0-9]{3})+)$")
_NUMBERISH_RE = re.compile(r"^[-+]?[0-9., ]*[0-9][0-9., ]*$")
HOW_TO_WRITE = N_("a whole number of 0 or more, written 12000 or 12.000 (a dot only between groups of three digits; no decimals)")


# The largest whole number a file may hold: the YAML reader refuses more than 18 digits
# (sitegen/yamlfile.py, MAX_INT_DIGITS).
MAX_WHOLE = 10**18 - 1
POSITIVE_GROUPED_RE = re.compile(r"^(?:[1-9][0-9]*|[1-9][0-9]{0,2}(?:\.[0-9]{3})+)$")


@dataclass(frozen=True)
class Count(Type):
    """A whole number of `minimum` (0 or 1) or more (participants, series). With `grouped`,
    also as Indonesians write it: `12.000`, `1.529.584` (reach and the declared figures).
    `too_small` is the message for a number under the minimum."""

    grouped: bool = False
    minimum: int = 0
    too_small: str = ""

    def check(self, value, ctx):
        number = self._whole(value)
        if number < self.minimum:
            if self.too_small:
                raise Invalid(_(self.too_small))
            raise expected(N_("a whole number of 0 or more"), value)
        return number

    def _whole(self, value) -> int:
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

    def json(self, ctx=None):
        whole = {"type": "integer", "minimum": self.minimum, "maximum": MAX_WHOLE}
        if self.grouped:
            pattern = (GROUPED_RE if self.minimum == 0 else POSITIVE_GROUPED_RE).pattern
            pattern = r"^\s*(?:" + pattern[1:-1] + r")\s*$"  # check() strips the text first
            return {"anyOf": [whole, {"type": "string", "pattern": pattern}]}
        return whole

    def doc(self):
        what = f"whole number, {self.minimum} or more"
        return what + (" (12000 or 12.000)" if self.grouped else "")


@dataclass(frozen=True)
class Year(Type):
    """A calendar year from FIRST_DAY's to LAST_DAY's."""

    def check(self, value, ctx):
        if isinstance(value, bool) or not isinstance(value, int) or not FIRST_DAY.year <= value <= LAST_DAY.year:
            raise expected(N_("a year such as 2023"), value)
        return value

    def json(self, ctx=None):
        return {"type": "integer", "minimum": FIRST_DAY.year, "maximum": LAST_DAY.year}

    def doc(self):
        return f"year, {FIRST_DAY.year} to {LAST_DAY.year}"


# The names of the values a Choice holds, translated where a message names them.
NOUNS = (N_("value"), N_("program"), N_("channel"), N_("competency"), N_("weekday"), N_("status"), N_("source"))


@dataclass(frozen=True)
class Choice(Type):
    choices: tuple = ()
    # Name of a context entry holding the allowed values when they come from the content
    # (program slugs, channel slugs); `choices` is then ignored.
    from_ctx: str = ""
    # How an unknown value is named: "unknown program 'x'" (one of NOUNS); empty: the
    # message is "expected one of: ..., got ...".
    noun: str = "value"

    def allowed(self, ctx) -> tuple:
        return tuple(ctx.get(self.from_ctx, ())) if self.from_ctx else self.choices

    def check(self, value, ctx):
        allowed = self.allowed(ctx)
        if not isinstance(value, str) or value not in allowed:
            what = _("one of: {values}").format(values=", ".join(allowed)) if allowed else _("a known value")
            if isinstance(value, str) and value and self.noun:
                raise Invalid(_("unknown {noun} {value} (expected {what})").format(noun=_(self.noun), value=repr(value), what=what))
            raise expected(what, value)
        return value

    def json(self, ctx=None):
        allowed = self.allowed(ctx or {})
        if self.from_ctx and not (ctx or {}).get(self.from_ctx):
            return {"type": "string"}  # no project given: any text (the build knows the list)
        return {"type": "string", "enum": list(allowed)}

    def doc(self):
        if self.from_ctx:
            return f"a {self.noun} slug"
        return "one of: " + ", ".join(self.choices)


# An http(s) address with a host, as the build accepts it: no white space, quotes or angle
# brackets anywhere (white space around it is dropped). The same pattern is the JSON Schema's.
URL_RE = re.compile(r"^\s*https?://[^\s/?#<>\"'`\\]+(?:[/?#][^\s<>\"'`\\]*)?\s*$")


SECURE_URL_RE = re.compile(URL_RE.pattern.replace("https?://", "https://"))


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

    def json(self, ctx=None):
        one = {"type": "string", "enum": list(self.choices)}
        return {"anyOf": [one, {"type": "array", "items": one, "minItems": 1, "uniqueItems": True}]}


@dataclass(frozen=True)
class Url(Type):
    secure: bool = False  # only https:// (addresses the site links from every page)

    @property
    def pattern(self) -> re.Pattern:
        return SECURE_URL_RE if self.secure else URL_RE

    def check(self, value, ctx):
        if not isinstance(value, str) or not self.pattern.match(value):
            raise expected(N_("a web address starting with https://"), value)
        return value.strip()

    def json(self, ctx=None):
        return {"type": "string", "pattern": self.pattern.pattern}

    def doc(self):
        return "https address" if self.secure else "http(s) address"


@dataclass(frozen=True)
class Email(Type):
    def check(self, value, ctx):
        if not isinstance(value, str) or not EMAIL_RE.match(value.strip()):
            raise expected(N_("an e-mail address such as nama@contoh.go.id"), value)
        return value.strip()

    def json(self, ctx=None):
        return {"type": "string", "pattern": r"^\s*(?:" + EMAIL_RE.pattern[1:-1] + r")\s*$"}  # check() strips first

    def doc(self):
        return "e-mail address"


# The site's own address: http(s), a host (a name, an IPv4 address or an IPv6 one in
# brackets) with an optional port up to 65535, a path; no user, query or fragment, no white
# space, quotes, backslash or control character. The same pattern is the JSON Schema's.
PORT = r"(?:6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[0-9]{1,4})"
BASE_URL_RE = re.compile(
    r"^https?://(?:[^\s/?#@:<>\"'`\\\[\]\x00-\x1f\x7f]+|\[[0-9A-Fa-f:.]+\])(?::" + PORT + r"?)?"
    r"(?:/[^\s?#<>\"'`\\\x00-\x1f\x7f]*)?$"
)


def base_url_problem(value: object) -> str | None:
    """Why `value` cannot be the site's address (site.yaml's base_url, --base-url), or None."""
    if isinstance(value, str) and BASE_URL_RE.match(value):
        try:
            urlsplit(value).port  # an IPv6 host Python cannot read raises ValueError
            return None
        except ValueError:
            pass
    return _("expected an absolute address such as https://example.org/ or https://user.github.io/repo/, got {found}").format(found=describe(value))


@dataclass(frozen=True)
class BaseUrl(Type):
    def check(self, value, ctx):
        message = base_url_problem(value)
        if message:
            raise Invalid(message)
        return value if value.endswith("/") else value + "/"

    def json(self, ctx=None):
        return {"type": "string", "pattern": BASE_URL_RE.pattern}

    def doc(self):
        return "http(s) address of the site, with a path ending in /"


@dataclass(frozen=True)
class Patterns(Type):
    """File paths or glob patterns; true stands for every file, false for none."""

    def check(self, value, ctx):
        if isinstance(value, bool):
            return ("*",) if value else ()
        if isinstance(value, list) and all(isinstance(x, str) and x for x in value):
            return tuple(value)
        raise expected(N_("a list of file paths or patterns"), value)

    def json(self, ctx=None):
        return {"anyOf": [{"type": "boolean"}, {"type": "array", "items": {"type": "string", "minLength": 1}}]}

    def doc(self):
        return "list of file paths or patterns (true: all files)"


@dataclass(frozen=True)
class Named(Type):
    """A value from a fixed list, with a message of its own for an unknown one (a time zone,
    a language): `unknown` takes {value}."""

    choices: tuple = ()
    unknown: str = ""

    def check(self, value, ctx):
        if not isinstance(value, str) or value not in self.choices:
            if isinstance(value, str) and value:
                raise Invalid(_(self.unknown).format(value=repr(value)))
            raise expected(_("one of: {values}").format(values=", ".join(self.choices)), value)
        return value

    def json(self, ctx=None):
        return {"type": "string", "enum": list(self.choices)}

    def doc(self):
        return "one of: " + ", ".join(self.choices)


@dataclass(frozen=True)
class ListOf(Type):
    item: Type = field(default_factory=Text)
    unique: bool = True
    # Text given where a list is expected is told how to write it as a list; False for lists
    # of field sets (the sections of figures.yaml), where that hint would not help.
    hint: bool = True

    def check(self, value, ctx):
        if self.hint and isinstance(value, str) and value.strip():
            raise Invalid(_("expected a list (write it as [{value}] or as '- ' lines), got {found}").format(value=repr(value), found=describe(value)))
        if not isinstance(value, list):
            raise expected(N_("a list"), value)
        return value  # items are checked one by one (sitegen/fieldcheck.py), for their own lines

    def json(self, ctx=None):
        out = {"type": "array", "items": self.item.json(ctx)}
        if self.unique:
            out["uniqueItems"] = True
        return out

    def doc(self):
        return f"list of {self.item.doc()}" + (", each once" if self.unique else "")


@dataclass(frozen=True)
class MapOf(Type):
    """A mapping with keys of one type and values of another (reach by channel)."""

    key: Type = field(default_factory=Choice)
    value: Type = field(default_factory=Count)
    pairs: str = N_("a set of 'channel: number' pairs (for example {zoom: 950})")
    min_items: int = 0

    def check(self, value, ctx):
        if not isinstance(value, dict) or len(value) < self.min_items:
            raise expected(self.pairs, value)
        return value  # pairs are checked one by one (sitegen/fieldcheck.py)

    def json(self, ctx=None):
        out = {"type": "object", "additionalProperties": self.value.json(ctx)}
        names = self.key.json(ctx)
        names.pop("type", None)
        if names:
            out["propertyNames"] = names
        if self.min_items:
            out["minProperties"] = self.min_items
        return out

    def doc(self):
        return f"{self.key.doc()} -> {self.value.doc()}"


@dataclass(frozen=True)
class Record(Type):
    """A set of fields of its own (a channel with an address, a declared figure): checked
    field by field against `fields`, unknown keys warned. `what` names it in a message."""

    fields: tuple = ()
    what: str = N_("a set of fields")
    # Rules across fields that JSON Schema can say, in its words (the build says them in
    # the code that reads the record; see FIGURE_RULES).
    rules: dict = field(default_factory=dict, compare=False, hash=False)
    summary: str = ""  # how the browser editor names one item of a list of these


    def check(self, value, ctx):
        if not isinstance(value, dict):
            raise expected(self.what, value)
        return value  # fields are checked one by one (sitegen/fieldcheck.py)

    def json(self, ctx=None):
        return {**record_schema(self.fields, ctx), **self.rules}

    def doc(self):
        return "fields " + ", ".join(f.name for f in self.fields)


@dataclass(frozen=True)
class Either(Type):
    """Text, or a Record (a channel: a name, or a name and an address)."""

    text: Type = field(default_factory=Text)
    record: Record = field(default_factory=Record)
    what: str = ""

    def check(self, value, ctx):
        if isinstance(value, dict):
            return value
        if isinstance(value, str):
            return self.text.check(value, ctx)
        raise expected(self.what, value)

    def json(self, ctx=None):
        return {"anyOf": [self.text.json(ctx), self.record.json(ctx)]}

    def doc(self):
        return f"{self.text.doc()}, or {self.record.doc()}"


@dataclass(frozen=True)
class Field:
    name: str
    type: Type
    required: bool = False
    doc: str = ""  # for editors, in Bahasa Indonesia: the JSON Schema's description, the form's hint
    example: object = None
    default: object = None  # what an absent optional field means, for the settings reference
    label: str = ""  # the browser editor's label (sitegen/admin.py has those of the front matter)
    hint: str = ""  # the browser editor's hint, where `doc` speaks of the file's syntax
    blank: bool = False  # empty text (`key: ""`) is as good as no value: nothing is known yet


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


# ---- content/figures.yaml -------------------------------------------------------------------

GROUPED_HINT = "Bilangan bulat: 12000 atau 12.000 (titik hanya di antara kelompok tiga angka; tanpa desimal atau koma)."

SOURCE_FIELDS = (
    Field("id", Slug(), True, "Pengenal sumber; angka merujuknya lewat 'source'.", label="id",
          hint="Huruf kecil, angka, dan tanda hubung."),
    Field("title", Text(), True, "Judul sumber: siapa menyatakan angka itu, dan di mana diberitakan.", label="Judul sumber"),
    Field("date", Date(), True, "Tanggal sumber: hari angka itu dinyatakan.", label="Tanggal"),
    Field("url", Url(), False, "Alamat sumber (https://...).", label="Alamat"),
)

FIGURE_FIELDS = (
    Field("program", Choice(from_ctx="programs", noun="program"), True, "Program yang angkanya dinyatakan.", label="Program"),
    Field("year", Year(), False, "Satu tahun kalender, misalnya 2023; dengan 'as_of': sebagian tahun itu. Kosongkan untuk rentang.",
          label="Tahun", hint="Satu tahun kalender, misalnya 2023. Kosongkan untuk rentang (pakai 'Sejak' dan 'Per tanggal')."),
    Field("from", Date(), False, "Awal rentang (tanpa 'year'); kosongkan bila sejak program dimulai.", label="Sejak",
          hint="Awal rentang; kosongkan bila sejak program dimulai."),
    Field("as_of", Date(), False, "Akhir periode: sebagian tahun (dengan 'year') atau akhir rentang.", label="Per tanggal",
          hint="Akhir periode: sebagian tahun (dengan 'Tahun') atau akhir rentang."),
    Field("series", Count(grouped=True, minimum=1, too_small=N_(
        "expected 1 or more (a period without series has nothing to declare; remove the entry)")), True,
        "Jumlah seri dalam periode itu, 1 atau lebih.", label="Jumlah seri", hint=GROUPED_HINT),
    Field("reach", Count(grouped=True), True, "Jangkauan: jumlah peserta dan penonton dalam periode itu.", label="Jangkauan",
          hint=GROUPED_HINT),
    Field("source", Choice(from_ctx="sources", noun="source"), False, "id salah satu sumber di 'sources'.", label="Sumber",
          hint="id salah satu sumber di atas."),
    Field("note", Text(), False, "Catatan, tampil bersama angkanya.", label="Catatan"),
    Field("channels", MapOf(Choice(from_ctx="channels", noun="channel"), Count(grouped=True), N_("'channel: number' pairs")), False,
          "Rincian jangkauan per kanal; jumlahnya tidak boleh melebihi jangkauan.", label="Rincian per kanal",
          hint="Opsional; jumlahnya tidak boleh melebihi jangkauan."),
)

# A period is a year, part of one (year and as_of), or a span (as_of, maybe from): so
# 'year' or 'as_of', and no 'from' with a 'year' (sitegen/validate.py says it to editors).
# What JSON Schema cannot say is left to the build: as_of in the year, from before as_of,
# a known source, channels adding up to no more than the reach, periods that do not overlap.
_GIVEN = {"not": {"type": "null"}}
FIGURE_RULES = {
    "anyOf": [{"required": ["year"], "properties": {"year": _GIVEN}},
              {"required": ["as_of"], "properties": {"as_of": _GIVEN}}],
    "if": {"required": ["year"], "properties": {"year": _GIVEN}},
    "then": {"properties": {"from": {"type": "null"}}},
}

FIGURES_FILE_FIELDS = (
    Field("sources", ListOf(Record(SOURCE_FIELDS, N_("fields id, title, date")), unique=False, hint=False), False,
          "Sumber angka-angka di bawah.", label="Sumber"),
    Field("figures", ListOf(Record(FIGURE_FIELDS, N_("fields program, year, series, reach"), FIGURE_RULES, "{{program}} {{year}}{{as_of}}"), unique=False, hint=False), False,
          "Angka jangkauan yang dinyatakan, satu per program dan periode.", label="Angka"),
)
FIGURES_FILE = Record(FIGURES_FILE_FIELDS, N_("'sources:' and 'figures:' sections"))


# ---- site.yaml ----------------------------------------------------------------------------------

MARKDOWN_ENGINES = ("pulldown-cmark", "python-markdown")
# The pages write every time in WIB (Western Indonesian Time), so the schedule's zone is one
# of WIB's; and they are written in Bahasa Indonesia.
TIMEZONES = ("Asia/Jakarta", "Asia/Pontianak")
LANGUAGES = ("id",)

CHANNEL_FIELDS = (
    Field("name", Text(), True, "Nama kanal yang tampil."),
    Field("url", Url(), False, "Alamat kanal itu sendiri (https://...)."),
)

SITE_FIELDS = (
    Field("title", Text(), True, "Nama situs, tampil di kepala setiap halaman."),
    Field("organisation", Text(), True, "Penyelenggara (BPSDM Provinsi Jawa Timur)."),
    Field("base_url", BaseUrl(), True, "Alamat lengkap situs, diakhiri '/'; --base-url menggantinya."),
    Field("description", Text(), False, "Deskripsi singkat situs untuk mesin pencari dan feed.", default=""),
    Field("language", Named(LANGUAGES, N_("unknown language {value} (expected id)")), False,
          "Kode bahasa (id).", default="id"),
    Field("timezone", Named(TIMEZONES, N_("unknown time zone {value} (expected for example Asia/Jakarta)")), False,
          "Zona waktu jadwal (Asia/Jakarta, WIB).", default="Asia/Jakarta"),
    Field("channels", MapOf(Slug(), Either(Text(), Record(CHANNEL_FIELDS, N_("'name:' and 'url:' fields")),
                                           N_("a name, or 'name:' and 'url:' fields")),
                            N_("'slug: Name' pairs"), min_items=1), False,
          "Kanal siaran: slug -> nama tampilan, atau slug -> {name: nama, url: alamat kanal}.",
          default={"zoom": "Zoom Meeting", "youtube": "YouTube BPSDM Jatim"}),
    Field("per_page", Count(), False, "Jumlah seri per halaman arsip.", default=20),
    Field("feed_size", Count(), False, "Jumlah seri terbaru di feed Atom.", default=30),
    Field("markdown", Choice(MARKDOWN_ENGINES, noun=""), False,
          "Mesin Markdown: pulldown-cmark (bawaan, cepat) atau python-markdown.", default="pulldown-cmark"),
    Field("raw_html", Patterns(), False, "Daftar berkas (boleh pola *) yang HTML mentahnya tidak disaring.", default=[]),
    Field("schedule_since", Date(), False, "Awal jadwal mingguan (peluncuran Dahar Ngopi)."),
    Field("search", Bool(), False, "Bangun indeks pencarian (Pagefind).", default=True),
    Field("share_images", Bool(), False,
          "Gambar pratinjau tautan (og:image) untuk setiap halaman seri, program, dan laporan.", default=True),
    Field("youtube_channel", Url(secure=True), False,
          "Alamat https:// kanal YouTube penyelenggara; ditautkan di kaki setiap halaman. Kosongkan bila belum pasti.",
          default="", blank=True),
    Field("contact_email", Email(), False,
          "Alamat surel untuk pertanyaan pengunjung; ditautkan di kaki halaman. Kosongkan bila belum pasti.",
          default="", blank=True),
    Field("contact_url", Url(secure=True), False,
          "Alamat https:// halaman atau formulir kontak; ditautkan di kaki halaman. Kosongkan bila belum pasti.",
          default="", blank=True),
)
SITE_FILE = Record(SITE_FIELDS, N_("'key: value' settings"))


# ---- the JSON Schema ------------------------------------------------------------------------------

def nullable(spec: dict) -> dict:
    """`spec`, or null. Keywords of one type (pattern, minimum, items, properties) leave
    other types alone, so null is added where a keyword names the types."""
    spec = dict(spec)
    if "anyOf" in spec:
        spec["anyOf"] = [*spec["anyOf"], {"type": "null"}]
    if "type" in spec:
        spec["type"] = [spec["type"], "null"]
    if "enum" in spec:
        spec["enum"] = [*spec["enum"], None]
    return spec


def record_schema(fields: tuple, ctx: dict | None = None) -> dict:
    """The JSON Schema of a set of fields. An empty optional field (`summary:` with nothing
    after it, or null) is as good as an absent one, as the build reads it; unknown keys are
    allowed, since the build only warns about them."""
    props = {}
    for f in fields:
        spec = dict(f.type.json(ctx))
        if f.blank:
            spec = {"anyOf": [spec, {"type": "string", "pattern": r"^\s*$"}]}
        if not f.required:
            spec = nullable(spec)
        if f.doc:
            spec["description"] = f.doc
        props[f.name] = spec
    out = {"type": "object", "properties": props}
    required = [f.name for f in fields if f.required]
    if required:
        out["required"] = required
    return out


SCHEMA_TITLES = {"series": "Front matter: series", "program": "Front matter: program", "page": "Front matter: page",
                 "figures": "content/figures.yaml", "site": "site.yaml"}


def fields_of(kind: str) -> tuple:
    """The field table of a kind of file: series, program, page, figures or site."""
    return {**FIELDS_BY_KIND, "figures": FIGURES_FILE_FIELDS, "site": SITE_FIELDS}[kind]


def json_schema(kind: str = "series", ctx: dict | None = None) -> dict:
    """JSON Schema (draft 2020-12) of a kind of file, derived from its field table; with a
    project's `ctx`, its program and channel slugs are listed."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": SCHEMA_TITLES[kind],
        **record_schema(fields_of(kind), ctx),
    }


def slugify(text: str, max_length: int = 80) -> str:
    """A safe URL slug from any text: 'Literasi Data: ASN 4.0!' -> 'literasi-data-asn-4-0'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(slug) > max_length:
        slug = slug[:max_length].rsplit("-", 1)[0] or slug[:max_length]
    return slug.strip("-")
