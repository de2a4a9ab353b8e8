"""Unit tests, one group per pipeline stage."""

from __future__ import annotations

import datetime as dt

import pytest

from sitegen import localeformat, markup
from sitegen.load import parse_document
from sitegen.model import Period
from sitegen.problems import Problems
from sitegen.routes import Route, paginate
from sitegen.schema import json_schema, slugify
from sitegen.yamlfile import parse_yaml


# ---- yamlfile: strict scalars, line numbers ----------------------------------------------

def load(text: str):
    problems = Problems()
    parsed = parse_yaml(text, "x.yaml", problems)
    return parsed, [p.format() for p in problems.items]


@pytest.mark.parametrize("text,value", [
    ("v: 10:00", "10:00"),          # YAML 1.1 would give 600
    ("v: no", "no"),                # YAML 1.1 would give False
    ("v: 2024-02-30", "2024-02-30"),  # a string, checked later with a clear message
    ("v: 0755", "0755"),            # no octal
    ("v: true", True),
    ("v: 42", 42),
    ("v: -3", -3),
    ("v: 1.5", 1.5),
    ("v: ~", None),
    ("v: 1_000", "1_000"),
])
def test_strict_scalars(text, value):
    parsed, problems = load(text)
    assert problems == []
    assert parsed.data == {"v": value}


def test_line_numbers_of_nested_keys():
    parsed, _ = load("a: 1\nreach:\n  zoom: 5\n  youtube: 6\nlist:\n  - x\n  - y\n")
    assert parsed.lines[("reach", "youtube")] == 4
    assert parsed.lines[("list", 1)] == 7


def test_duplicate_keys_are_errors():
    parsed, problems = load("a: 1\nb: 2\na: 3\n")
    assert parsed is None
    assert problems == ["x.yaml:3: field 'a' is given twice (keep one)"]


# ---- load: front matter split -------------------------------------------------------------

def test_front_matter_with_crlf_and_bom():
    data = "\ufeff---\r\ntitle: Hai\r\n---\r\nBaris satu\r\n".encode("utf-8")
    problems = Problems()
    doc = parse_document("series", "content/series/a.md", data, problems)
    assert problems.items == []
    assert doc.meta == {"title": "Hai"}
    assert doc.body == "Baris satu"
    assert doc.line("title") == 2
    assert doc.line("nope") == 1
    assert doc.body_line == 4


def test_same_bytes_same_digest():
    a = parse_document("series", "a.md", b"---\ntitle: x\n---\n", Problems())
    b = parse_document("series", "a.md", b"---\ntitle: x\n---\n", Problems())
    c = parse_document("series", "a.md", b"---\ntitle: y\n---\n", Problems())
    assert a.digest == b.digest != c.digest


# ---- schema ---------------------------------------------------------------------------------

@pytest.mark.parametrize("text,slug", [
    ("Literasi Data: ASN 4.0!", "literasi-data-asn-4-0"),
    ("  Kepemimpinan — Kolaboratif  ", "kepemimpinan-kolaboratif"),
    ("Ngaji Bareng Ustaz Ahmad (Bagian 2)", "ngaji-bareng-ustaz-ahmad-bagian-2"),
    ("Café & Rékan", "cafe-rekan"),
    ("../../etc/passwd", "etc-passwd"),
    ("!!!", ""),
])
def test_slugify(text, slug):
    assert slugify(text) == slug


def test_json_schema_derives_from_fields():
    schema = json_schema("series", {"programs": ["asn-belajar"], "channels": ["zoom"]})
    assert schema["required"] == ["title", "program", "date"]
    assert schema["properties"]["program"]["enum"] == ["asn-belajar"]
    assert schema["properties"]["reach"]["propertyNames"] == {"enum": ["zoom"]}
    assert "additionalProperties" not in schema  # unknown fields are warnings, not errors


# ---- localeformat: Indonesian through Babel ---------------------------------------------------------

def test_indonesian_formats():
    assert localeformat.number(1529584) == "1.529.584"
    assert localeformat.long_date(dt.date(2024, 2, 22)) == "Kamis, 22 Februari 2024"
    assert localeformat.date(dt.date(2023, 9, 14)) == "14 September 2023"
    assert localeformat.decimal(8193.5, 0) == "8.194"
    assert localeformat.decimal(2.364, 1) == "2,4"
    assert localeformat.percent(1.364) == "136,4%"
    assert [localeformat.weekday_name(i) for i in range(5)] == ["Senin", "Selasa", "Rabu", "Kamis", "Jumat"]


@pytest.mark.parametrize("code", ["id", "en"])
def test_dates_are_written_as_babel_writes_their_cldr_patterns(code):
    """long_date and date put the CLDR names together themselves (Babel's pattern engine
    costs a sixteenth of a millisecond a date): the same text as format_date, every day."""
    from babel.dates import format_date

    day, end = dt.date(2000, 1, 1), dt.date(2040, 12, 31)
    while day <= end:
        assert localeformat.long_date(day, code) == format_date(day, format="EEEE, d MMMM y", locale=code), day
        assert localeformat.date(day, code) == format_date(day, format="d MMMM y", locale=code), day
        day += dt.timedelta(days=1)


@pytest.mark.parametrize("code", ["id", "en", "fr", "hi"])
def test_numbers_are_written_as_babel_writes_them(code):
    """localeformat.number groups whole numbers itself where the locale's pattern allows
    (Babel's format_decimal costs about 20 microseconds a number): the same text as Babel's
    for every number below 20,000, for large, negative and fractional ones, and where the
    locale groups otherwise (Hindi: 12,34,567) Babel still writes it."""
    import random

    from babel.numbers import format_decimal

    rng = random.Random(7)
    values = list(range(20_000)) + [rng.randrange(10 ** k) for k in range(5, 22) for _ in range(200)]
    values += [-v for v in values[:1000]] + [v / 8 for v in values[:1000]]
    for value in values:
        assert localeformat.number(value, code) == format_decimal(value, locale=code, group_separator=True), value
    assert (localeformat._int_group(code) is None) == (code == "hi")


def test_period_labels():
    assert Period("year", dt.date(2022, 1, 1), dt.date(2022, 12, 31), 2022).label == "2022"
    assert Period("partial", dt.date(2024, 1, 1), dt.date(2024, 2, 22), 2024).label == "Januari–Februari 2024"
    assert Period("span", None, dt.date(2024, 2, 22), None).label == "sejak awal hingga Februari 2024"
    assert Period("span", dt.date(2023, 9, 14), dt.date(2024, 2, 22), None).label == "September 2023 – Februari 2024"


# ---- markup -----------------------------------------------------------------------------------

def test_markdown_is_sanitised_and_headings_demoted():
    html = markup.render("# Judul\n\n<script>alert(1)</script>\n\nteks <img src=x onerror=alert(1)>\n\n[a](javascript:alert(1))")
    assert "<h2>Judul</h2>" in html
    assert "<script" not in html and "onerror" not in html and "javascript" not in html
    assert '<a rel="noopener noreferrer">a</a>' in html


def test_raw_html_kept_only_when_allowed():
    src = '<div class="kotak">isi</div>'
    assert "<div" not in markup.render(src)
    assert '<div class="kotak">' in markup.render(src, raw_html=True)


def test_both_markdown_engines_agree_on_basics():
    src = "## Sub\n\n- a\n- b\n\n| x | y |\n|---|---|\n| 1 | 2 |\n"
    for engine in ("pulldown-cmark", "python-markdown"):
        html = markup.render(src, engine)
        assert "<h2>Sub</h2>" in html and "<li>a</li>" in html and "<td>1</td>" in html


# ---- routes -----------------------------------------------------------------------------------

def test_route_output_paths():
    assert Route("/", "home.html").output == "index.html"
    assert Route("/seri/a/", "series.html").output == "seri/a/index.html"
    assert Route("/feed.xml", None).output == "feed.xml"


def test_pagination():
    pages = paginate("/arsip/", tuple(range(5)), 2)
    assert [u for u, _, _ in pages] == ["/arsip/", "/arsip/halaman/2/", "/arsip/halaman/3/"]
    assert [items for _, items, _ in pages] == [(0, 1), (2, 3), (4,)]
    assert pages[1][2]["prev"] == "/arsip/" and pages[1][2]["next"] == "/arsip/halaman/3/"
    assert paginate("/arsip/", (), 20)[0][1] == ()


def test_pager_window_has_constant_size():
    pages = paginate("/arsip/", tuple(range(1000)), 10)
    window = pages[49][2]["window"]  # page 50 of 100
    assert [num for num, _ in window] == [1, None, 48, 49, 50, 51, 52, None, 100]
    assert window[0] == (1, "/arsip/") and window[-1] == (100, "/arsip/halaman/100/")
    assert [num for num, _ in pages[0][2]["window"]] == [1, 2, 3, None, 100]
    assert [num for num, _ in paginate("/a/", tuple(range(4)), 1)[1][2]["window"]] == [1, 2, 3, 4]


def test_imports_read_the_same_module_as_jinjas_own_method():
    """render._Template takes a faster way to the module `{% from x import m %}` reads. It
    must give what Jinja's own method gives: the module made once when the importing page
    has no globals of its own, a new one (seeing them) when it has."""
    import jinja2

    from sitegen import render

    sources = {
        "m.html": '{% macro who() %}{{ name }}{{ extra | default("") }}{% endmacro %}',
        "page.html": '{% from "m.html" import who %}[{{ who() }}]',
        "with-context.html": '{% from "m.html" import who with context %}[{{ who() }}]',
        "own.html": '{% from "m.html" import who %}[{{ who() }}]',
    }
    seen = {}
    for cls in (jinja2.Template, render._Template):
        env = jinja2.Environment(loader=jinja2.DictLoader(sources), autoescape=True)
        env.template_class = cls
        env.globals["name"] = "site"
        calls = []
        method = cls._get_default_module

        def spy(self, ctx=None, method=method, calls=calls):
            module = method(self, ctx)
            calls.append(module)
            return module

        cls._get_default_module = spy
        try:
            out = [env.get_template("page.html").render(), env.get_template("page.html").render(name="page"),
                   env.get_template("with-context.html").render(name="page")]
            own = env.get_template("own.html", globals={"extra": "+own"})  # a page with a global of its own
            out.append(own.render())
            out.append(env.get_template("page.html").render())
        finally:
            cls._get_default_module = method
        seen[cls] = out
        assert calls[0] is calls[1] is calls[-1] is env.get_template("m.html")._module, cls
        assert calls[-2] is not calls[0], cls  # the page with its own global: a new module
    assert seen[jinja2.Template] == seen[render._Template] == ["[site]", "[site]", "[page]", "[site+own]", "[site]"]


def test_with_slug_gives_what_selectattr_first_gives():
    """`items | with_slug(x)` stands for `items | selectattr('slug', 'equalto', x) | first`
    in the templates: the same item, and an undefined value that fails when used."""
    import types

    import jinja2

    from sitegen import render

    env = jinja2.Environment(undefined=jinja2.StrictUndefined)
    env.filters["with_slug"] = lambda items, slug: render.with_slug(env, items, slug)
    items = [types.SimpleNamespace(slug="a", title="A"), {"slug": "b", "title": "B"},
             types.SimpleNamespace(slug="b", title="B2")]
    for slug in ("a", "b"):
        ours = env.from_string("{{ (items | with_slug(slug)).title }}").render(items=items, slug=slug)
        theirs = env.from_string("{{ (items | selectattr('slug', 'equalto', slug) | first).title }}").render(items=items, slug=slug)
        assert ours == theirs == {"a": "A", "b": "B"}[slug]
    for source in ("{{ (items | with_slug('z')).title }}", "{{ (items | selectattr('slug', 'equalto', 'z') | first).title }}"):
        with pytest.raises(jinja2.UndefinedError):
            env.from_string(source).render(items=items)


@pytest.mark.parametrize("one_line", [True, False])
def test_a_body_nested_one_level_over_the_limit_is_refused_at_its_line(one_line):
    """load._too_deep reads only lines longer than the limit for markers, and a body's tags
    only when it has more '<' than the limit: at the limit it passes, one over it fails."""
    from sitegen import load

    limit = load.MAX_BODY_DEPTH
    for depth in (limit, limit + 1):
        for head in (">", "> ", "-  ", "1. ", " 2) "):
            line = head * depth + "x"
            assert load._too_deep(["---", "a: 1", "---", "", line], 3) == (5 if depth > limit else None), (head, depth)
        tags = ["<div>" * depth + "x"] if one_line else ["<div>"] * depth + ["x"]
        assert load._too_deep(["intro"] + tags, 0) == ((2 if one_line else depth + 1) if depth > limit else None), depth
        flat = ["<br><p>" * depth + "x"]  # elements that never hold others
        assert load._too_deep(flat, 0) is None


def _pid_of(item):
    import os

    return item, os.getpid()


def test_items_kept_together_are_done_by_one_worker_and_results_keep_their_order():
    """parallel.run(..., together=): the items it picks are done by one worker (the pages
    that show series cards, so that each card is made once), and the results come back in
    the items' order; `meanwhile` is called while the workers work."""
    import os

    from sitegen import parallel

    items = list(range(600))
    for together in (lambda i: i % 5 == 2, lambda i: i >= 590, lambda i: i == 0):
        out = parallel.run(_pid_of, items, 2, together=together)
        assert [item for item, _pid in out] == items
        grouped = {pid for item, pid in out if together(item)}
        assert len(grouped) == 1 and os.getpid() not in grouped
    assert [item for item, _pid in parallel.run(_pid_of, items, 2, together=lambda i: True)] == items
    # `meanwhile` runs in this process while the workers work, once; not when nothing is forked.
    calls = []
    for jobs in (2, 1):
        out = parallel.run(_pid_of, items, jobs, meanwhile=lambda: calls.append((jobs, os.getpid())))
        assert [item for item, _pid in out] == items
    assert calls == [(2, os.getpid())]
    # The pages kept together are those that can load the card (pipeline._render): the
    # shipped card is where render.CARD_TEMPLATE says, and the list pages load it.
    from pathlib import Path

    import jinja2

    from sitegen import render
    from sitegen.problems import Problems

    root = Path(__file__).resolve().parent.parent
    assert "{% macro card(" in (root / "templates" / render.CARD_TEMPLATE).read_text(encoding="utf-8")
    templates = render.TemplateSet(root)
    env = jinja2.Environment(loader=templates.loader(), **render.ENV_OPTIONS)
    closures = render.template_closures(env, templates, Problems(), root)
    assert {"archive.html", "program.html", "home.html"} <= {n for n, c in closures.items() if render.CARD_TEMPLATE in c}
