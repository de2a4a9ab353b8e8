"""Property-based tests: random front matter, Markdown and bytes never make the builder fall
over. The only outcomes allowed are a clean list of problems (`path:line: message`, line 1
or more, one line each) or a valid site whose pages show the text exactly as written.

Bounded to keep CI quick: a hundred cheap examples per loader property, a few dozen full
builds; no deadline (a build's time depends on the machine, not on the property).
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import json
import os
import re
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

import jinja2
import pytest
import yaml
from hypothesis import HealthCheck, event, example, given, settings, strategies as st

from conftest import make_project
from sitegen import pipeline
from sitegen.config import normalise_base_url
from sitegen.load import parse_document
from sitegen.problems import BuildFailed, Problems
from sitegen.schema import COMPETENCIES, WEEKDAYS
from sitegen.validate import validate_documents
from test_hostile import html_problems

# PROPERTY_SCALE=20 runs twenty times as many examples (a deeper search, by hand).
SCALE = max(1, int(os.environ.get("PROPERTY_SCALE", "1") or 1))
SLOW = [HealthCheck.too_slow, HealthCheck.data_too_large]
CHEAP = settings(max_examples=100 * SCALE, deadline=None, suppress_health_check=SLOW)
BUILDS = settings(max_examples=40 * SCALE, deadline=None, suppress_health_check=SLOW)
FEW_BUILDS = settings(max_examples=25 * SCALE, deadline=None, suppress_health_check=SLOW)

CTX = {"channels": ["zoom", "youtube"], "programs": ["asn-belajar", "asn-mengaji"]}

# ---- strategies ---------------------------------------------------------------------------

TRICKY = [
    "", " ", "\t", "NaN", "nan", ".nan", "-.inf", "inf", "1e309", "-0", "0x1F", "0o17", "1_000",
    "yes", "no", "on", "off", "~", "null", "None", "true", "2024-02-30", "2024-13-01", "0000-00-00",
    "24:00", "09:60", "9:00", "10:00:00", "09:00 ", "---", "...", "<script>alert(1)</script>", "&",
    "{{ 7*7 }}", "{% raw %}", "%", "@", "`", "!!python/object:os.system", "*a", "&a", "? x", "- x",
    "[", "{", "'", '"', "\\", "\x00", "\x1b[31m", "\u2028", "\u202e", "\ufeff", "\U0001f600", "é",
    "asn-belajar", "zoom", "https://example.org/", "javascript:alert(1)", "a" * 300,
    "Kamis, 22 Februari 2024", "1.529.584", "../../etc/passwd",
]
KEYS = ["title", "program", "date", "time", "speakers", "competency", "tags", "reach", "video",
        "summary", "draft", "sample", "slug", "weekday", "place", "channels", "zoom", "", "0", "\n",
        "a\nb", "tïtle", "Title", "<b>", "x: y"]

text = st.text(st.characters(exclude_categories=("Cs",)), max_size=30) | st.sampled_from(TRICKY)
scalars = (
    st.none() | st.booleans() | st.integers() | st.integers(min_value=-(2**80), max_value=2**80)
    | st.floats(allow_nan=True, allow_infinity=True) | text
)
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(text, inner, max_size=4),
                      max_leaves=12)
keys = st.sampled_from(KEYS) | text

# Values that are valid or nearly valid for each series field, so that many examples get
# past validation and exercise the rendering of random text.
plausible = {
    "title": text,
    "program": st.sampled_from(["asn-belajar", "asn-mengaji", "tidak-ada", ""]),
    "date": st.dates(dt.date(1990, 1, 1), dt.date(2035, 12, 31)).map(dt.date.isoformat),
    "time": st.times().map(lambda t: t.strftime("%H:%M")),
    "speakers": st.lists(text, max_size=4),
    "competency": st.sampled_from(COMPETENCIES + ("", "lain")),
    "tags": st.lists(text, max_size=4),
    "reach": st.dictionaries(st.sampled_from(["zoom", "youtube", "tv"]), st.integers(-5, 10**15), max_size=3),
    "video": st.sampled_from(["https://www.youtube.com/watch?v=abc&t=1", "https://youtu.be/x?a=1&b=2",
                              "http://x.org/a?b=<c>", "ftp://x.org/"]),
    "summary": text,
    "draft": st.booleans(),
    "sample": st.booleans(),
    "slug": st.from_regex(r"\A[a-z0-9]{1,8}(-[a-z0-9]{1,8}){0,2}\Z"),
}
VALID_SERIES = {"title": "Seri acak", "program": "asn-belajar", "date": "2023-03-02"}


@st.composite
def series_meta(draw) -> dict:
    """A series' front matter: valid at the start, then fields replaced or added. Most
    replacements are plausible values, so that most examples build and random text reaches
    every template; one in five is anything at all."""
    meta = dict(VALID_SERIES)
    for name in draw(st.lists(st.sampled_from(sorted(plausible)), max_size=6, unique=True)):
        meta[name] = draw(values) if draw(st.integers(0, 4)) == 0 else draw(plausible[name])
    if draw(st.integers(0, 4)) == 0:
        for key in draw(st.lists(keys, min_size=1, max_size=2)):
            meta[key] = draw(values)
    if draw(st.integers(0, 9)) == 0:
        meta.pop(draw(st.sampled_from(sorted(VALID_SERIES))))
    return meta


MD_TOKENS = [
    "#", "##", "*", "**", "_", "[", "]", "(", ")", "<", ">", "!", "`", "```", "|", "\\", "-", "=",
    "+", "~", ":", '"', "'", " ", "  ", "\n", "\n\n", "\t", "a", "Kata", "123", "&", ";", "/", "%",
    "<script>window.__pwned=1</script>", "<img src=x onerror=window.__pwned=2>", "<b>", "</b>",
    "<div>", "</div>", "<table>", "<p>", "</p>", "<!--", "-->", "<![CDATA[", "]]>", "\x00", "\u2028",
    "{{ 7*7 }}", "{%", "%}", "- [ ] ", "1. ", "> ", "| a | b |\n|---|---|\n| c | d |\n",
    "[x](javascript:alert(1))", "![i](x\" onerror=\"y)", "<a href='javascript:alert(1)'>a</a>",
    "https://example.org/", "<https://example.org>", "[^1]", "&#0;", "&#x110000;", "&nbsp;", "---",
    "é", "\U0001f600", "\u202e", "\r", "\r\n", "<h1>", "</h1>",
]
markdown = st.lists(st.sampled_from(MD_TOKENS) | text, max_size=60).map("".join)


def front_matter(meta: dict) -> str:
    return yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, default_flow_style=False)


# ---- what every problem must look like -------------------------------------------------------

def assert_well_formed(problems: Problems, n_lines: dict | None = None) -> None:
    for p in problems.items:
        assert isinstance(p.path, str) and p.path, p
        assert isinstance(p.line, int) and p.line >= 1, p
        assert isinstance(p.message, str) and p.message.strip(), p
        formatted = p.format()
        assert "\n" not in formatted and "\r" not in formatted, f"a problem spans lines: {formatted!r}"
        assert re.match(r"^[^\n]+:[0-9]+: ", formatted), formatted
        if n_lines and p.path in n_lines:
            assert p.line <= n_lines[p.path] + 1, f"line {p.line} past the end of {p.path}: {formatted}"


def line_count(data: bytes) -> int:
    """Lines as YAML counts them (it also breaks lines at NEL, LS and PS)."""
    breaks = [b"\n", b"\r", "\u0085".encode(), "\u2028".encode(), "\u2029".encode()]
    return sum(data.count(b) for b in breaks) + 1


# ---- loader and validation --------------------------------------------------------------------

@CHEAP
@given(st.binary(max_size=400))
def test_any_bytes_give_a_document_or_problems(data):
    problems = Problems()
    path = "content/series/x.md"
    doc = parse_document("series", path, data, problems)
    if doc is None:
        assert problems.errors, "no document and no problem"
    else:
        validate_documents([doc], CTX, problems)
    assert_well_formed(problems, {path: line_count(data)})


@CHEAP
@given(st.binary(max_size=120), st.binary(max_size=200))
def test_front_matter_with_random_bytes_inside(head, tail):
    data = b"---\n" + head + b"\n---\n" + tail
    problems = Problems()
    doc = parse_document("series", "content/series/x.md", data, problems)
    if doc is not None:
        validate_documents([doc], CTX, problems)
    assert_well_formed(problems, {"content/series/x.md": line_count(data)})


@CHEAP
@given(st.dictionaries(keys, values, max_size=8), markdown, st.sampled_from(["series", "program", "page"]))
def test_random_front_matter_validates_without_exceptions(meta, body, kind):
    data = ("---\n" + front_matter(meta) + "---\n" + body).encode("utf-8", "surrogatepass")
    problems = Problems()
    path = f"content/{kind}/x.md"
    doc = parse_document(kind, path, data, problems)
    if doc is not None:
        validate_documents([doc], CTX, problems)
    assert_well_formed(problems, {path: line_count(data)})


@CHEAP
@given(text.filter(lambda s: s.strip()), st.sampled_from(["---", "", "title: x", "- a", "a: [", "a: {b", "\t", "a: 'x"]))
def test_random_yaml_text_validates_without_exceptions(raw, extra):
    data = ("---\n" + raw + "\n" + extra + "\n---\nIsi\n").encode("utf-8", "surrogatepass")
    problems = Problems()
    doc = parse_document("series", "content/series/x.md", data, problems)
    if doc is not None:
        validate_documents([doc], CTX, problems)
    assert_well_formed(problems, {"content/series/x.md": line_count(data)})


# ---- the full builder -------------------------------------------------------------------------

class MemoryBytecodeCache(jinja2.BytecodeCache):
    """Compiled templates kept across the many builds of one test run (Jinja's own caching
    mechanism; the templates and what they render are unchanged)."""

    def __init__(self):
        self.store: dict = {}

    def load_bytecode(self, bucket):
        if bucket.key in self.store:
            bucket.bytecode_from_string(self.store[bucket.key])

    def dump_bytecode(self, bucket):
        self.store[bucket.key] = bucket.bytecode_to_string()


@pytest.fixture(scope="module")
def fast_templates():
    cache = MemoryBytecodeCache()
    original = pipeline.make_environment
    mp = pytest.MonkeyPatch()

    def make_environment(*args, **kwargs):
        env = original(*args, **kwargs)
        if env.bytecode_cache is None:
            env.bytecode_cache = cache
        return env

    mp.setattr(pipeline, "make_environment", make_environment)
    yield
    mp.undo()


def normalise(value: str) -> str:
    """Text as an HTML parser hands it back: no control characters, whitespace runs as one
    space, CR LF as LF."""
    value = value.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "\ufffd")
    value = re.sub(r"[\x01-\x08\x0b\x0e-\x1f\x7f-\x9f]", "", value)
    return re.sub(r"[\s\u0085]+", " ", value).strip()


@contextlib.contextmanager
def built(files: dict):
    """Build a project with `files` over the base project in a temporary folder; yields
    (result, output, problems, lines per file) and removes the folder afterwards."""
    with tempfile.TemporaryDirectory(prefix="prop-") as tmp_name:
        tmp = Path(tmp_name)
        root = make_project(tmp, files)
        lines = {rel: line_count((root / rel).read_bytes()) for rel in files if (root / rel).is_file()}
        out = tmp / "out"
        opts = pipeline.Options(root=root, output=out, search=False, use_cache=False, today=dt.date(2024, 6, 1))
        try:
            result = pipeline.build(opts, write=True)
        except BuildFailed as exc:
            assert not out.exists(), "a failed build wrote output"
            yield None, None, exc.problems, lines
            return
        yield result, out, None, lines


def assert_valid_site(out: Path, sanitised: bool = True, base_path: str = "/") -> None:
    import icalendar
    import lxml.etree
    import lxml.html

    pages = sorted(out.rglob("*.html"))
    assert pages
    found = []
    for page in pages:
        text = page.read_text(encoding="utf-8")
        doc = lxml.html.document_fromstring(text)
        assert doc.find("body") is not None, page
        assert len(doc.xpath("//h1")) <= 1, f"{page}: more than one h1"
        if sanitised:
            found += html_problems(text, page.relative_to(out).as_posix(), base_path)
    assert found == [], "\n".join(found)
    for f in out.rglob("*.xml"):
        lxml.etree.fromstring(f.read_bytes())
    for f in out.rglob("*.json"):
        json.loads(f.read_text(encoding="utf-8"))
    for f in out.rglob("*.csv"):
        rows = list(csv.reader(io.StringIO(f.read_text(encoding="utf-8"), newline="")))
        assert len({len(r) for r in rows}) == 1, f"{f}: rows of different widths"
    for f in out.rglob("*.ics"):
        icalendar.Calendar.from_ical(f.read_bytes())


@BUILDS
@given(meta=series_meta(), body=markdown)
def test_random_series_builds_or_fails_cleanly(fast_templates, meta, body):
    import lxml.html

    data = ("---\n" + front_matter(meta) + "---\n" + body).encode("utf-8", "surrogatepass")
    rel = "content/series/acak.md"
    with built({rel: data}) as (result, out, problems, lines):
        event("refused" if problems is not None else "built")
        if problems is not None:
            assert problems.errors or problems.warnings
            assert_well_formed(problems, lines)
            return
        assert_well_formed(result.problems, lines)
        assert_valid_site(out)
        slug = meta["slug"] if isinstance(meta.get("slug"), str) else "acak"
        page = out / "seri" / slug / "index.html"
        if meta.get("draft") is True:  # drafts are built only with --drafts
            assert not page.exists()
            return
        assert page.is_file(), sorted(p.relative_to(out).as_posix() for p in out.rglob("index.html"))
        h1 = lxml.html.fromstring(page.read_bytes()).xpath("//h1")[0].text_content()
        assert normalise(meta["title"]) in normalise(h1), (meta["title"], h1)


PROGRAM_VALUES = {
    "title": text, "summary": text, "place": text,
    "time": st.times().map(lambda t: t.strftime("%H:%M")),
    "weekday": st.sampled_from(WEEKDAYS),
    "channels": st.lists(st.sampled_from(["zoom", "youtube"]), max_size=2, unique=True),
    "competencies": st.lists(st.sampled_from(COMPETENCIES), max_size=2, unique=True),
    "movement": st.sampled_from(["dahar-ngopi", "x"]), "since": st.dates().map(dt.date.isoformat),
    "order": st.integers(0, 10**20),
}
PAGE_VALUES = {"title": text, "summary": text, "slug": plausible["slug"]}
SITE_VALUES = {
    "title": text, "organisation": text, "description": text,
    "base_url": st.sampled_from(["https://x.org/repo", "https://x.org/a/b/", "http://127.0.0.1:8000/",
                                 "https://x.org/%C3%BC/", "https://x.org/a b/", "https://x.org/?q=1"]),
    "language": st.sampled_from(["id", "en", "jv"]),
    "timezone": st.sampled_from(["Asia/Jakarta", "UTC", "Asia/Makassar", "Pacific/Kiritimati"]),
    "channels": st.dictionaries(st.from_regex(r"\A[a-z]{1,6}\Z"), text, min_size=1, max_size=3),
    "per_page": st.integers(0, 50), "feed_size": st.integers(0, 50),
    "markdown": st.sampled_from(["pulldown-cmark", "python-markdown"]),
    "raw_html": st.sampled_from([[], ["content/pages/*"], True]),
    "schedule_since": st.dates().map(dt.date.isoformat), "search": st.just(False),
}


@st.composite
def mutated(draw, valid: dict, plausible_values: dict) -> dict:
    """`valid`, with some fields replaced by plausible values and, one time in five, one by
    anything at all."""
    meta = dict(valid)
    for name in draw(st.lists(st.sampled_from(sorted(plausible_values)), max_size=5, unique=True)):
        meta[name] = draw(plausible_values[name])
    if draw(st.integers(0, 4)) == 0:
        meta[draw(st.sampled_from(sorted(plausible_values)) | keys)] = draw(values)
    return meta


@FEW_BUILDS
@given(
    mutated({"title": "Program acak", "weekday": "jumat"}, PROGRAM_VALUES),
    mutated({"title": "Halaman acak"}, PAGE_VALUES),
    markdown,
)
def test_random_program_and_page_build_or_fail_cleanly(fast_templates, program, page, body):
    files = {
        "content/programs/program-acak.md": ("---\n" + front_matter(program) + "---\n" + body).encode("utf-8", "surrogatepass"),
        "content/pages/halaman-acak.md": ("---\n" + front_matter(page) + "---\n" + body).encode("utf-8", "surrogatepass"),
    }
    with built(files) as (result, out, problems, lines):
        event("refused" if problems is not None else "built")
        if problems is not None:
            assert problems.errors
            assert_well_formed(problems, lines)
            return
        assert_well_formed(result.problems, lines)
        assert_valid_site(out)


@FEW_BUILDS
@given(mutated({}, SITE_VALUES), markdown)
@example(settings_={"base_url": "https://x.org/repo"}, body="")  # a project site: its scripts are under /repo/
@example(settings_={"base_url": "https://x.org/a/b/"}, body="")
def test_random_site_settings_build_or_fail_cleanly(fast_templates, settings_, body):
    from conftest import SITE_YAML

    merged = {**yaml.safe_load(SITE_YAML), **settings_}
    if merged.get("search") is not False:
        merged["search"] = False  # the search index is another program's business
    files = {
        "site.yaml": front_matter(merged).encode("utf-8", "surrogatepass"),
        "content/series/satu.md": ("---\ntitle: Seri Satu\nprogram: asn-belajar\ndate: \"2023-03-02\"\n---\n" + body).encode("utf-8", "surrogatepass"),
        "content/pages/halaman.md": ("---\ntitle: Halaman\n---\n" + body).encode("utf-8", "surrogatepass"),
    }
    with built(files) as (result, out, problems, lines):
        event("refused" if problems is not None else "built")
        if problems is not None:
            assert problems.errors
            assert_well_formed(problems, lines)
            return
        assert_well_formed(result.problems, lines)
        # raw_html lets the named files' HTML through unsanitised: that is its purpose.
        raw = merged.get("raw_html")
        base_path = urlsplit(normalise_base_url(merged["base_url"])).path or "/"  # a project site: "/repo/"
        assert_valid_site(out, sanitised=not raw, base_path=base_path)
