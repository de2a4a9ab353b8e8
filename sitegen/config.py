"""site.yaml: one typed option per key, each documented; unknown keys are warnings."""

from __future__ import annotations

import datetime as dt
import fnmatch
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .messages import _
from .load import CONFIG_FILE, decode, read_regular, regular_file
from .problems import Problems
from .schema import Bool, Count, Date, Email, Invalid, Text, Url, describe
from .yamlfile import parse_yaml

MARKDOWN_ENGINES = ("pulldown-cmark", "python-markdown")


@dataclass(frozen=True)
class Config:
    title: str
    organisation: str
    base_url: str  # absolute, ends with "/"
    description: str = ""
    language: str = "id"
    timezone: str = "Asia/Jakarta"
    channels: tuple = (("zoom", "Zoom Meeting"), ("youtube", "YouTube BPSDM Jatim"))
    channel_links: tuple = ()  # (slug, url) for channels with an address of their own
    per_page: int = 20
    feed_size: int = 30
    markdown: str = "pulldown-cmark"
    raw_html: tuple = ()  # source paths (globs) whose raw HTML is kept unsanitised
    schedule_since: dt.date | None = None
    search: bool = True
    share_images: bool = True
    youtube_channel: str = ""  # https address of the YouTube channel; "" when not known
    contact_email: str = ""
    contact_url: str = ""  # https address of a contact page or form
    digest: str = field(default="", compare=False)  # hash of the file, for the build cache

    @property
    def base_path(self) -> str:
        """The path part of base_url: "/" at a domain root, "/<repo>/" on a project site."""
        return urlsplit(self.base_url).path or "/"

    @property
    def channel_labels(self) -> dict:
        return dict(self.channels)

    @property
    def channel_urls(self) -> dict:
        return dict(self.channel_links)

    def raw_html_allowed(self, source_path: str) -> bool:
        return any(fnmatch.fnmatch(source_path, pattern) for pattern in self.raw_html)

    def with_base_url(self, base_url: str) -> "Config":
        from dataclasses import replace

        return replace(self, base_url=normalise_base_url(base_url))


# key -> (type checker, required, documentation)
OPTIONS = {
    "title": (Text(), True, "Nama situs, tampil di kepala setiap halaman."),
    "organisation": (Text(), True, "Penyelenggara (BPSDM Provinsi Jawa Timur)."),
    "base_url": (Text(), True, "Alamat lengkap situs, diakhiri '/'; --base-url menggantinya."),
    "description": (Text(), False, "Deskripsi singkat situs untuk mesin pencari dan feed."),
    "language": (Text(), False, "Kode bahasa (id)."),
    "timezone": (Text(), False, "Zona waktu jadwal (Asia/Jakarta, WIB)."),
    "channels": (None, False, "Kanal siaran: slug -> nama tampilan, atau slug -> {name: nama, url: alamat kanal}."),
    "per_page": (Count(), False, "Jumlah seri per halaman arsip."),
    "feed_size": (Count(), False, "Jumlah seri terbaru di feed Atom."),
    "markdown": (Text(), False, "Mesin Markdown: pulldown-cmark (bawaan, cepat) atau python-markdown."),
    "raw_html": (None, False, "Daftar berkas (boleh pola *) yang HTML mentahnya tidak disaring."),
    "schedule_since": (Date(), False, "Awal jadwal mingguan (peluncuran Dahar Ngopi)."),
    "search": (Bool(), False, "Bangun indeks pencarian (Pagefind)."),
    "share_images": (Bool(), False, "Gambar pratinjau tautan (og:image) untuk setiap halaman seri, program, dan laporan."),
    "youtube_channel": (Url(secure=True), False, "Alamat https:// kanal YouTube penyelenggara; ditautkan di kaki setiap halaman. Kosongkan bila belum pasti."),
    "contact_email": (Email(), False, "Alamat surel untuk pertanyaan pengunjung; ditautkan di kaki halaman. Kosongkan bila belum pasti."),
    "contact_url": (Url(secure=True), False, "Alamat https:// halaman atau formulir kontak; ditautkan di kaki halaman. Kosongkan bila belum pasti."),
}
# Settings an editor may leave empty (`key:` or `key: ""`): the site then shows no link.
BLANK_ALLOWED = ("youtube_channel", "contact_email", "contact_url")


def normalise_base_url(value: str) -> str:
    value = value.strip()
    return value if value.endswith("/") else value + "/"


def check_base_url(value: str) -> str | None:
    try:
        parts = urlsplit(value)
        host, _port = parts.hostname, parts.port  # a port out of range raises ValueError
    except ValueError:
        host = parts = None
    if (
        parts is None or parts.scheme not in ("http", "https") or not host or parts.username is not None
        or parts.query or parts.fragment or any(c.isspace() or c in "<>\"'`\\" or ord(c) < 32 for c in value)
    ):
        return _("expected an absolute address such as https://example.org/ or https://user.github.io/repo/, got {found}").format(found=describe(value))
    return None


def load_config(root: Path, problems: Problems, base_url: str | None = None) -> Config | None:
    path = CONFIG_FILE
    full = root / path
    found = Problems()
    st = regular_file(root, path, found)  # a link or special file is reported, never opened
    if st is None:
        problems.extend(found)
        if not found.items:
            problems.error(path, 1, _("site settings file not found (expected site.yaml at the project root)"))
        return None
    try:
        data_bytes = read_regular(full)
    except OSError as exc:
        problems.error(path, 1, _("cannot read the file: {reason}").format(reason=exc.strerror or exc))
        return None
    text = decode(data_bytes, path, problems)
    if text is None:
        return None
    parsed = parse_yaml(text, path, problems)
    if parsed is None:
        return None
    data = parsed.data if parsed.data is not None else {}
    if not isinstance(data, dict):
        problems.error(path, 1, _("expected 'key: value' settings, got {found}").format(found=describe(data)))
        return None

    def line(*key):
        return parsed.lines.get(tuple(key), 1)

    values: dict = {}
    ok = True
    import difflib

    for key in data:
        if key not in OPTIONS:
            hint = difflib.get_close_matches(str(key), list(OPTIONS), n=1)
            if hint:
                message = _("unknown setting '{key}' is ignored; did you mean '{hint}'?").format(key=key, hint=hint[0])
            else:
                message = _("unknown setting '{key}' is ignored").format(key=key)
            problems.warning(path, line(key), message)
    for key, (typ, required, _doc) in OPTIONS.items():
        if data.get(key) is None or (key in BLANK_ALLOWED and isinstance(data[key], str) and not data[key].strip()):
            if required:
                problems.error(path, 1, _("missing required setting '{key}'").format(key=key))
                ok = False
            continue
        if typ is None:
            continue
        try:
            values[key] = typ.check(data[key], {})
        except Invalid as exc:
            problems.error(path, line(key), _("setting '{setting}': {problem}").format(setting=key, problem=exc))
            ok = False

    if base_url is not None:
        values["base_url"] = base_url
    if "base_url" in values:
        message = check_base_url(values["base_url"])
        if message:
            problems.error(path if base_url is None else "--base-url", line("base_url") if base_url is None else 1, _("setting '{setting}': {problem}").format(setting="base_url", problem=message))
            ok = False
        else:
            values["base_url"] = normalise_base_url(values["base_url"])
    if "timezone" in values:
        try:
            ZoneInfo(values["timezone"])
        except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: "Asia" is a folder
            problems.error(path, line("timezone"), _("setting '{setting}': {problem}").format(setting="timezone", problem=_("unknown time zone {value} (expected for example Asia/Jakarta)").format(value=repr(values["timezone"]))))
            ok = False
    if "language" in values:
        from babel import Locale, UnknownLocaleError

        try:
            Locale.parse(values["language"])
        except (UnknownLocaleError, ValueError):
            problems.error(path, line("language"), _("setting '{setting}': {problem}").format(setting="language", problem=_("unknown language {value} (expected id)").format(value=repr(values["language"]))))
            ok = False
    if "markdown" in values and values["markdown"] not in MARKDOWN_ENGINES:
        problems.error(path, line("markdown"), _("setting '{setting}': {problem}").format(setting="markdown", problem=_("expected one of: {values}, got {found}").format(values=", ".join(MARKDOWN_ENGINES), found=describe(values["markdown"]))))
        ok = False
    if data.get("channels") is not None:
        raw = data["channels"]
        if not isinstance(raw, dict) or not raw:
            problems.error(path, line("channels"), _("setting '{setting}': {problem}").format(setting="channels", problem=_("expected 'slug: Name' pairs, got {found}").format(found=describe(raw))))
            ok = False
        else:
            pairs, links = [], []
            from .schema import Slug, Url

            for k, v in raw.items():
                try:
                    slug = Slug().check(k, {})
                    if isinstance(v, dict):
                        for extra in v:
                            if extra not in ("name", "url"):
                                problems.warning(path, line("channels", k, extra), _("setting '{setting}': {problem}").format(setting=f"channels.{k}", problem=_("unknown key '{key}' is ignored (expected name and url)").format(key=extra)))
                        try:
                            name = Text().check(v.get("name"), {})
                        except Invalid as exc:
                            raise Invalid(_("field '{field}': {problem}").format(field="name", problem=exc)) from None
                        if v.get("url") is not None:
                            try:
                                links.append((slug, Url().check(v["url"], {})))
                            except Invalid as exc:
                                problems.error(path, line("channels", k, "url"), _("setting '{setting}': {problem}").format(setting=f"channels.{k}.url", problem=exc))
                                ok = False
                    elif isinstance(v, str):
                        name = Text().check(v, {})
                    else:
                        raise Invalid(_("expected a name, or 'name:' and 'url:' fields, got {found}").format(found=describe(v)))
                    pairs.append((slug, name))
                except Invalid as exc:
                    problems.error(path, line("channels", k), _("setting '{setting}': {problem}").format(setting=f"channels.{k}", problem=exc))
                    ok = False
            values["channels"] = tuple(pairs)
            values["channel_links"] = tuple(links)
    if data.get("raw_html") is not None:
        raw = data["raw_html"]
        if isinstance(raw, bool):
            values["raw_html"] = ("*",) if raw else ()
        elif isinstance(raw, list) and all(isinstance(x, str) and x for x in raw):
            values["raw_html"] = tuple(raw)
        else:
            problems.error(path, line("raw_html"), _("setting '{setting}': {problem}").format(setting="raw_html", problem=_("expected a list of file paths or patterns, got {found}").format(found=describe(raw))))
            ok = False
    if not ok:
        return None
    from .load import digest_bytes

    return Config(**values, digest=digest_bytes(repr(sorted(values.items())).encode()))
