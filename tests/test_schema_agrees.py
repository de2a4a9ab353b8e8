"""The JSON Schema (`build.py schema`, read by editors' tools) and the build's checks say the
same thing: generated values of every field, of every kind of file (front matter of series,
programs and pages, content/figures.yaml, site.yaml), unknown keys and empty values included,
are accepted by both or refused by both.

Each value is written to YAML as a file would hold it and checked by the build's own reader
and checker; the JSON Schema judges the same value with the jsonschema library. Two limits
of the comparison, both of the JSON data model: a number is a number (JSON cannot tell
`12.0` from `12`, so generated decimals have a fraction), and whole numbers stay within the
reader's 18 digits. Rules across fields are left out of the values (a base document keeps
them satisfied): those JSON Schema can say are in it (a declared figure's period), the
others are the build's alone (docs/content-format.md lists them).
"""

from __future__ import annotations

import os

import jsonschema
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sitegen.config import load_config
from sitegen.load import parse_document
from sitegen.problems import Problems
from sitegen.schema import FIELDS_BY_KIND, FIGURE_FIELDS, FIGURES_FILE_FIELDS, SITE_FIELDS, SOURCE_FIELDS, json_schema
from sitegen.validate import check_fields, validate_figures
from sitegen.yamlfile import parse_yaml

CTX = {"programs": ["asn-belajar", "asn-mengaji"], "channels": ["zoom", "youtube"]}
EXAMPLES = int(os.environ.get("PROPERTY_SCALE", "1")) * 150
AGREE = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

# Values near the edges of every type, and then anything at all.
EDGES = [
    "", " ", "  \t", "x", "Judul", " Judul ", "asn-belajar", "asn-mengaji", "zoom", "youtube", "Zoom Meeting",
    "https://", "http://", "https:// x", "https://x.org/a b", "https://x.org/", " https://x.org/a ", "ftp://x.org/",
    "javascript:alert(1)", "https://user@x.org/", "https://x.org/?q=1", "https://x.org/#a", "https://x.org:99999/",
    "https://x.org:8080/repo", "https://[::1]/", "https://x.org/<a>", "https://zoom.us/j/1", "http://localhost:8000/",
    "0001-01-01", "1899-12-31", "1900-01-01", "2024-02-22", "2024-02-29", "2023-02-29", "2100-02-29", "2000-02-29",
    "2999-12-31", "3000-01-01", "2024-13-01", "2024-04-31", "24-02-22", "2024-2-2",
    "09:00", "9:00", "23:59", "24:00", "12.000", "1.529.584", "12.5", "12,5", "012.000", "0", "1", " 12.000 ", "0.000",
    "id", "en", "Asia/Jakarta", "Asia/Pontianak", "UTC", "Asia/Jakartaa", "pulldown-cmark", "python-markdown",
    "manajerial", "sosial-kultural", "kamis", "jumat", "minggu", "terjadwal", "dipindah", "dibatalkan",
    "nama@contoh.go.id", " nama@contoh.go.id ", "nama@", "content/pages/*", "s", "Literasi-Data", "a--b",
]
text = st.sampled_from(EDGES) | st.text(
    st.characters(blacklist_categories=("Cs", "Cc", "Cf", "Co", "Cn", "Zl", "Zp")) | st.sampled_from(" \t"),
    max_size=20)
scalars = (st.none() | st.booleans() | st.integers(-10**17, 10**18 - 1) | st.sampled_from([0, 1, 20, 720, 721, 1899, 1900, 2023, 2999, 3000, -1])
           | st.floats(allow_nan=False, allow_infinity=False).filter(lambda x: x != int(x)) | text)
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3), max_leaves=6)


def agree(schema: dict, data, build_ok: bool) -> None:
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    errors = [e.message for e in validator.iter_errors(data)]
    assert (not errors) == build_ok, f"JSON Schema {'refuses' if errors else 'accepts'}, the build {'accepts' if build_ok else 'refuses'}: {data!r} {errors[:2]}"


def dump(data) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=float("inf"))


@st.composite
def varied(draw, base: dict, fields: tuple) -> dict:
    """`base` with one of `fields` given a generated value, removed, or an unknown key added."""
    data = dict(base)
    how = draw(st.sampled_from(["set", "set", "set", "remove", "unknown"]))
    name = draw(st.sampled_from([f.name for f in fields]))
    if how == "set":
        data[name] = draw(st.sampled_from(EDGES) | values)
    elif how == "remove":
        data.pop(name, None)
    else:
        data[draw(text.filter(lambda k: k not in {f.name for f in fields}))] = draw(values)
    return data


# ---- front matter -------------------------------------------------------------------------------

BASES = {
    "series": {"title": "Literasi Data", "program": "asn-belajar", "date": "2024-02-22"},
    "program": {"title": "ASN Belajar", "weekday": "kamis"},
    "page": {"title": "Tentang"},
}
FOLDERS = {"series": "content/series", "program": "content/programs", "page": "content/pages"}


def front_matter_ok(kind: str, data: dict) -> bool:
    problems = Problems()
    doc = parse_document(kind, f"{FOLDERS[kind]}/x.md", f"---\n{dump(data)}---\nIsi.\n".encode("utf-8"), problems)
    if doc is None:
        return False
    record = check_fields(doc, FIELDS_BY_KIND[kind], CTX, problems)
    return record is not None and not problems.errors


@pytest.mark.parametrize("kind", ["series", "program", "page"])
def test_front_matter(kind):
    schema = json_schema(kind, CTX)

    @AGREE
    @given(varied(BASES[kind], FIELDS_BY_KIND[kind]))
    def run(data):
        agree(schema, data, front_matter_ok(kind, data))

    run()


# ---- content/figures.yaml -----------------------------------------------------------------------

SOURCE = {"id": "s", "title": "Laporan", "date": "2024-02-22"}
# A base figure for each field, so that varying the field never trips a rule across fields
# that only the build knows (as_of within the year, from before as_of, channels within reach).
FIGURE_BASES = {
    "year": {"program": "asn-belajar", "series": 1, "reach": 1},
    "as_of": {"program": "asn-belajar", "series": 1, "reach": 1},
    "from": {"program": "asn-belajar", "series": 1, "reach": 1, "as_of": "2999-12-31"},
    "channels": {"program": "asn-belajar", "year": 2023, "series": 1, "reach": "999" + ".999" * 20},
}
FIGURE = {"program": "asn-belajar", "year": 2023, "series": 1, "reach": 1, "source": "s"}
FIGURES_CTX = {**CTX, "sources": ["s"]}


def figures_ok(data) -> bool:
    problems = Problems()
    parsed = parse_yaml(dump(data), "content/figures.yaml", problems)
    if parsed is None:
        return False
    validate_figures(parsed, "content/figures.yaml", CTX, problems)
    return not problems.errors


@st.composite
def figures_files(draw) -> dict:
    where = draw(st.sampled_from(["figure", "source", "file"]))
    if where == "figure":
        field = draw(st.sampled_from(FIGURE_FIELDS))
        base = FIGURE_BASES.get(field.name, FIGURE)
        figure = draw(varied(base, (field,)))
        return {"sources": [SOURCE], "figures": [figure]}
    if where == "source":
        return {"sources": [draw(varied(SOURCE, SOURCE_FIELDS))], "figures": [{k: v for k, v in FIGURE.items() if k != "source"}]}
    unsourced = {k: v for k, v in FIGURE.items() if k != "source"}  # the sources may go
    return draw(varied({"sources": [SOURCE], "figures": [unsourced]}, FIGURES_FILE_FIELDS))


def test_figures():
    schema = json_schema("figures", FIGURES_CTX)

    @AGREE
    @given(figures_files())
    def run(data):
        agree(schema, data, figures_ok(data))

    run()


def test_a_declared_period_is_said_by_both():
    """The rules across a figure's fields that JSON Schema can say: a period is needed, and
    'from' does not go with 'year'."""
    schema = json_schema("figures", FIGURES_CTX)
    for figure, ok in (({"program": "asn-belajar", "series": 1, "reach": 1}, False),
                       ({"program": "asn-belajar", "series": 1, "reach": 1, "year": 2023, "from": "2023-01-01"}, False),
                       ({"program": "asn-belajar", "series": 1, "reach": 1, "year": 2023, "from": None}, True),
                       ({"program": "asn-belajar", "series": 1, "reach": 1, "as_of": "2024-02-22"}, True)):
        data = {"figures": [figure]}
        assert figures_ok(data) == ok, figure
        agree(schema, data, ok)


# ---- site.yaml ----------------------------------------------------------------------------------

SITE = {"title": "Situs", "organisation": "BPSDM", "base_url": "https://example.org/"}


def test_site_settings(tmp_path_factory):
    schema = json_schema("site", {})
    root = tmp_path_factory.mktemp("site")

    @AGREE
    @given(varied(SITE, SITE_FIELDS))
    def run(data):
        (root / "site.yaml").write_text(dump(data), encoding="utf-8")
        problems = Problems()
        config = load_config(root, problems)
        agree(schema, data, config is not None and not problems.errors)

    run()


def test_the_drift_that_was_is_gone():
    """What the JSON Schema once accepted and the build refused, and what it refused and the
    build only warned about."""
    series = json_schema("series", CTX)
    base = BASES["series"]
    for change in ({"video": "https://"}, {"video": "https://contoh.id/video saya"}, {"date": "0001-01-01"}):
        data = {**base, **change}
        assert not front_matter_ok("series", data)
        agree(series, data, False)
    data = {**base, "judul": "x"}
    assert front_matter_ok("series", data)
    agree(series, data, True)
