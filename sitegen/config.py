"""site.yaml: the settings as a typed Config. Each key is declared once, with its type and
documentation, in schema.SITE_FIELDS; unknown keys are warnings."""

from __future__ import annotations

import datetime as dt
import fnmatch
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from .fieldcheck import SETTINGS, Report, check_record, line_finder
from .load import CONFIG_FILE, decode, digest_bytes, read_regular, regular_file
from .messages import _
from .problems import Problems
from .schema import SITE_FIELDS, SITE_FILE, Invalid, base_url_problem
from .yamlfile import parse_yaml


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


def normalise_base_url(value: str) -> str:
    value = value.strip()
    return value if value.endswith("/") else value + "/"


def check_base_url(value: str) -> str | None:
    """Why `value` cannot be the site's address, or None (--base-url; site.yaml's base_url is
    checked by its field, schema.BaseUrl, with the same rule)."""
    return base_url_problem(value)


def load_config(root: Path, problems: Problems, base_url: str | None = None) -> Config | None:
    """site.yaml, checked against its field table (schema.SITE_FIELDS): every problem
    reported, unknown keys warned; the Config, or None when there is an error."""
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
    try:
        SITE_FILE.check(data, {})
    except Invalid as exc:
        problems.error(path, 1, str(exc))
        return None
    record = check_record(data, SITE_FIELDS, (), {}, Report(problems, path, line_finder(parsed.lines), SETTINGS))
    if base_url is not None:
        message = check_base_url(base_url)
        if message:
            problems.error("--base-url", 1, _("setting '{setting}': {problem}").format(setting="base_url", problem=message))
            return None
        if record is not None:
            record["base_url"] = normalise_base_url(base_url)
    if record is None:
        return None
    values = dict(record)
    if "channels" in values:
        pairs = values.pop("channels")
        values["channels"] = tuple((slug, v if isinstance(v, str) else v["name"]) for slug, v in pairs)
        values["channel_links"] = tuple((slug, v["url"]) for slug, v in pairs if isinstance(v, dict) and "url" in v)
    return Config(**values, digest=digest_bytes(repr(sorted(values.items())).encode()))
