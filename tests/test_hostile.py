"""Hostile content: whatever an editor pastes into front matter or a body, nothing of it runs
for a visitor, and every output stays well-formed.

One project carries attack strings in every text field of a program, a past and an upcoming
series, a page, the declared figures and site.yaml. The build must succeed; then every output
is parsed (HTML, JSON, CSV, iCalendar, Atom) and every HTML page is opened in a real headless
Chromium with traps for dialogs and for the globals the payloads try to set. Values that
cannot be made safe by escaping (addresses, slugs) must be refused with a clean message.
"""

from __future__ import annotations

import csv
import http.client
import io
import json
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import REPO, make_project, run_cli, serve_folder

# Each payload sets window.__pwned (or opens a dialog) if it ever runs as script.
PAYLOADS = [
    "<script>window.__pwned=1</script>",
    '"><img src=x onerror=window.__pwned=2>',
    "'onmouseover='window.__pwned=3'",
    "</script><script>window.__pwned=4</script>",
    "javascript:window.__pwned=5",
    '<a href="JaVaScRiPt:window.__pwned=6">klik</a>',
    "<svg onload=window.__pwned=7>",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "'onmouseover='alert(1)",
    "</script><script>alert(1)</script>",
    '<a href="JaVaScRiPt:alert(1)">klik</a>',
    "<svg onload=alert(1)>",
    "<iframe srcdoc='<script>parent.__pwned=8</script>'></iframe>",
    "{{ 7*7 }} {% raw %} {{ config }}",
    "]]> & &amp; <![CDATA[x]]>",
    "x\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nSUMMARY:palsu",
    "=cmd|' /C calc'!A0",
]
ALL = " ".join(PAYLOADS)


def same_text(value: str) -> str:
    """How a parser hands text back: line ends normalised, runs of whitespace as one space."""
    return re.sub(r"\s+", " ", value.replace("\r\n", "\n")).strip()

CSV_PAYLOAD = "=cmd|' /C calc'!A0"
ICS_PAYLOAD = "x\nEND:VEVENT\nBEGIN:VEVENT\nSUMMARY:palsu"

BODY = """\
# Judul dengan <script>window.__pwned=11</script>

Paragraf dengan <script>window.__pwned=12</script> dan <img src=x onerror="window.__pwned=13">
serta <svg onload="window.__pwned=14"><circle r="1"/></svg> dan <b onmouseover="window.__pwned=15">tebal</b>.

[tautan javascript](javascript:window.__pwned=16) [TAUTAN](JaVaScRiPt:window.__pwned=17)
[spasi](  javascript:window.__pwned=18) [entitas](&#106;avascript:window.__pwned=19)
[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==) [vbs](vbscript:msgbox(1))

<a href="javascript:window.__pwned=20">mentah</a> <a href="java&#x09;script:window.__pwned=21">tab</a>
<a href=" jAvAsCrIpT:window.__pwned=22">spasi</a>

![gambar](x" onerror="window.__pwned=23)

<iframe src="javascript:window.__pwned=24"></iframe>
<object data="javascript:window.__pwned=25"></object><embed src="javascript:window.__pwned=26">
<form action="javascript:window.__pwned=27"><button formaction="javascript:window.__pwned=28">x</button></form>
<meta http-equiv="refresh" content="0;url=javascript:window.__pwned=29">
<base href="javascript:window.__pwned=30//">
<style>body{background:url("javascript:window.__pwned=31")}</style>
<table><tr><td style="position:fixed;inset:0;z-index:9;background:url(https://evil.example/x.png)">tutup</td></tr></table>
<math><mtext><table><mglyph><style><img src=x onerror=window.__pwned=32></style></mglyph></table></mtext></math>
<details open ontoggle="window.__pwned=33">d</details>
<input autofocus onfocus="window.__pwned=34">
<!-- <script>window.__pwned=35</script> -->
</script><script>window.__pwned=36</script>

`<script>window.__pwned=37</script>` dan {{ 7*7 }} dan {% raw %} dan ]]> dan &

```html
<script>window.__pwned=38</script>
```

| kolom <script>window.__pwned=39</script> | b |
|---|---|
| <img src=x onerror=window.__pwned=40> | =cmd|' /C calc'!A0 |
"""


# Plotly draws a few tags in its labels (<b>, <br>, <a href>): chart labels must stay text.
CHART_MARKUP = ' <b>tebal</b> <br> <a href="https://x.org/" target="_top">x</a>'


def q(value) -> str:
    """A YAML scalar/flow value (JSON is valid YAML)."""
    return json.dumps(value, ensure_ascii=False)


SITE_YAML = f"""\
title: {q("Situs " + PAYLOADS[0] + " " + PAYLOADS[1] + " {{ 7*7 }}")}
organisation: {q("BPSDM " + ALL)}
description: {q("Deskripsi " + ALL)}
base_url: https://example.org/
language: id
timezone: Asia/Jakarta
channels:
  zoom: {q("Zoom " + PAYLOADS[2] + " " + PAYLOADS[3] + " " + PAYLOADS[5] + CHART_MARKUP)}
  youtube: {q("YouTube " + PAYLOADS[6] + " " + CSV_PAYLOAD)}
schedule_since: 2023-09-14
search: false
"""

PROGRAM = f"""\
---
title: {q("ASN Belajar " + ALL)}
weekday: kamis
time: "09:00"
summary: {q(ALL)}
place: {q(ALL)}
channels: [zoom, youtube]
competencies: [manajerial, teknis]
---
{BODY}
"""

SERIES_PAST = f"""\
---
title: {q("Seri " + ALL)}
program: asn-belajar
date: "2023-03-09"
time: "09:00"
speakers: {q(["@SUM(1+1)"] + PAYLOADS)}
tags: {q(["+1 tag"] + PAYLOADS)}
competency: manajerial
summary: {q(CSV_PAYLOAD + " " + ALL)}
video: "https://example.org/tonton?v=1&t=2#x"
reach: {{zoom: 10, youtube: 5}}
---
{BODY}
"""

SERIES_UPCOMING = f"""\
---
title: {q(ICS_PAYLOAD + " " + ALL)}
program: asn-belajar
date: "2026-12-03"
speakers: {q(PAYLOADS)}
tags: {q(PAYLOADS)}
summary: {q("-" + ALL + " " + ICS_PAYLOAD)}
video: "https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=1"
---
{BODY}
"""

PAGE = f"""\
---
title: {q("Halaman " + ALL)}
summary: {q(ALL)}
---
{BODY}
"""

FIGURES = f"""\
sources:
  - id: sumber
    title: {q("Sumber " + ALL)}
    date: 2024-02-22
    url: https://example.org/sumber?a=1&b=2
figures:
  - program: asn-belajar
    year: 2022
    series: 49
    reach: 401482
    source: sumber
    note: {q(ALL)}
  - program: asn-belajar
    year: 2023
    series: 44
    reach: 949080
    source: sumber
    note: {q(CSV_PAYLOAD + " " + ALL)}
    channels: {{zoom: 1000, youtube: 2000}}
"""

TODAY = "2026-11-23"
EXPECTED_VEVENTS = 3  # two weekly programs + the one upcoming series

# The site's own scripts: executable <script> elements must load one of these (by path
# below the base URL); data islands (type application/json, ld+json) must parse as JSON.
OWN_SCRIPT_DIRS = ("assets/", "pagefind/")
DATA_SCRIPT_TYPES = ("application/json", "application/ld+json")
URL_ATTRIBUTES = ("href", "src", "action", "formaction", "data", "poster", "srcset", "background",
                  "xlink:href", "{http://www.w3.org/1999/xlink}href", "ping", "cite", "longdesc",
                  "manifest", "codebase", "lowsrc", "dynsrc")
# The site's own templates may use inline SVG icons; what the sanitiser must never let
# through are these (and any event handler, script or javascript: address anywhere).
FORBIDDEN_ELEMENTS = {"iframe", "frame", "frameset", "object", "embed", "applet", "base", "form",
                      "math", "textarea", "select", "button", "portal", "animate", "set",
                      "foreignobject", "handler", "listener"}


def hostile_files() -> dict:
    return {
        "site.yaml": SITE_YAML,
        "content/programs/asn-belajar.md": PROGRAM,
        "content/series/jahat.md": SERIES_PAST,
        "content/series/jahat-mendatang.md": SERIES_UPCOMING,
        "content/pages/halaman.md": PAGE,
        "content/figures.yaml": FIGURES,
    }


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("hostile")
    root = make_project(tmp, hostile_files())
    out = tmp / "out"
    proc = run_cli("build", "--root", str(root), "--output", str(out), "--no-cache", "--no-search", "--today", TODAY)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return out


def html_files(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("*.html") if not p.relative_to(site).as_posix().startswith("pagefind/"))


def is_javascript_url(value: str) -> bool:
    """Browsers ignore ASCII whitespace and control characters inside the scheme."""
    squashed = re.sub(r"[\x00-\x20\x7f]+", "", value).lower()
    return squashed.startswith(("javascript:", "vbscript:", "data:text/html", "livescript:"))


def html_problems(text: str, where: str, base_path: str = "/") -> list[str]:
    """Every sign of injected markup in one HTML document or fragment; the site's own
    scripts are under `base_path` (the path of its base_url: "/repo/" on a project site)."""
    import lxml.html

    found = []
    doc = lxml.html.document_fromstring(text)
    for el in doc.iter():
        if not isinstance(el.tag, str):
            continue
        tag = el.tag.lower().split("}")[-1]
        line = el.sourceline
        if tag in FORBIDDEN_ELEMENTS:
            found.append(f"{where}:{line}: <{tag}> element")
        if tag == "meta" and (el.get("http-equiv") or "").lower() == "refresh":
            found.append(f"{where}:{line}: <meta http-equiv=refresh>")
        for name, value in el.attrib.items():
            lname = name.lower().split("}")[-1]
            if lname.startswith("on"):
                found.append(f"{where}:{line}: <{tag} {name}=...> event handler attribute")
            if lname in ("srcdoc", "formaction") or (lname in URL_ATTRIBUTES or name in URL_ATTRIBUTES) and is_javascript_url(value):
                found.append(f"{where}:{line}: <{tag} {name}={value!r}>")
            if lname == "style" and re.search(r"javascript:|expression\(|url\(|position\s*:\s*(fixed|absolute|sticky)", value, re.I):
                found.append(f"{where}:{line}: <{tag} style={value!r}>")
        if tag == "script":
            kind = (el.get("type") or "").strip().lower()
            src = el.get("src")
            if kind in DATA_SCRIPT_TYPES:
                try:
                    json.loads(el.text or "")
                except ValueError as exc:
                    found.append(f"{where}:{line}: data <script type={kind}> is not valid JSON: {exc}")
            elif src is not None:
                path = src[len(base_path):] if src.startswith(base_path) else None if src.startswith("/") else src
                if path is None or not path.startswith(OWN_SCRIPT_DIRS) or is_javascript_url(src) or "//" in src:
                    found.append(f"{where}:{line}: <script src={src!r}> is not one of the site's own scripts")
            else:
                body = el.text or ""
                if re.search(r"pwned|alert\(|7\*7|BEGIN:VEVENT", body):
                    found.append(f"{where}:{line}: inline script carries content text: {body[:80]!r}")
    return found


# ---- refusals: what escaping cannot make safe is refused, cleanly --------------------------

PROBLEM_LINE = re.compile(r"^(?P<path>[^:\n]+):(?P<line>[0-9]+): (?P<message>.+)$")


def problem_lines(stderr: str) -> list[re.Match]:
    lines = [ln for ln in stderr.splitlines() if ln.strip() and not ln.startswith("build failed")]
    matches = [PROBLEM_LINE.match(ln) for ln in lines]
    assert all(matches), f"messages not all in path:line: message form:\n{stderr}"
    return matches


@pytest.mark.parametrize(
    "rel, text, expect",
    [
        ("content/series/a.md", "---\ntitle: A\nprogram: asn-belajar\ndate: \"2023-03-02\"\nslug: ../../etc/passwd\n---\n", "slug"),
        ("content/series/a.md", "---\ntitle: A\nprogram: asn-belajar\ndate: \"2023-03-02\"\nslug: \"<script>alert(1)</script>\"\n---\n", "slug"),
        ("content/series/a.md", "---\ntitle: A\nprogram: asn-belajar\ndate: \"2023-03-02\"\nslug: \"javascript:alert(1)\"\n---\n", "slug"),
        ("content/series/a.md", "---\ntitle: A\nprogram: asn-belajar\ndate: \"2023-03-02\"\nvideo: \"javascript:alert(1)\"\n---\n", "video"),
        ("content/series/a.md", "---\ntitle: A\nprogram: asn-belajar\ndate: \"2023-03-02\"\nvideo: \"JaVaScRiPt:alert(1)//https://x.org/\"\n---\n", "video"),
        ("content/series/a.md", "---\ntitle: A\nprogram: asn-belajar\ndate: \"2023-03-02\"\nvideo: \"https://x.org/\\\"><script>alert(1)</script>\"\n---\n", "video"),
        ("content/series/a.md", "---\ntitle: A\nprogram: asn-belajar\ndate: \"2023-03-02\"\nvideo: \"data:text/html,<script>alert(1)</script>\"\n---\n", "video"),
        ("content/series/a.md", "---\ntitle: A\nprogram: \"<script>alert(1)</script>\"\ndate: \"2023-03-02\"\n---\n", "program"),
        ("content/series/a.md", "---\ntitle: A\nprogram: asn-belajar\ndate: \"2023-03-02\"\ncompetency: \"<svg onload=alert(1)>\"\n---\n", "competency"),
        ("content/series/a.md", "---\ntitle: A\nprogram: asn-belajar\ndate: \"2023-03-02\"\nreach: {\"<script>\": 5}\n---\n", "reach"),
        ("content/series/\"><svg onload=alert(1)>.md", "---\ntitle: A\nprogram: asn-belajar\ndate: \"2023-03-02\"\n---\n", "file name"),
        ("content/pages/x%2f..%2f..%2findex.md", "---\ntitle: A\n---\n", "file name"),
        ("content/programs/x.md", "---\ntitle: X\nweekday: kamis\nslug: \"../seri\"\n---\n", "slug"),
        ("content/programs/x.md", "---\ntitle: X\nweekday: \"<script>\"\n---\n", "weekday"),
        ("content/figures.yaml", FIGURES.replace("https://example.org/sumber?a=1&b=2", "\"javascript:alert(1)\""), "url"),
    ],
)
def test_unsafe_addresses_and_names_are_refused(tmp_path, rel, text, expect):
    root = make_project(tmp_path, {rel: text})
    out = tmp_path / "out"
    proc = run_cli("build", "--root", str(root), "--output", str(out), "--no-cache", "--no-search", "--today", TODAY)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    problems = problem_lines(proc.stderr)
    assert any(expect in m["message"] for m in problems), proc.stderr
    assert all(int(m["line"]) >= 1 for m in problems)
    assert not out.exists(), "a refused build wrote output"


# ---- the built site, parsed ---------------------------------------------------------------

def test_hostile_build_succeeds_and_keeps_text_as_text(hostile_site):
    import lxml.html

    page = hostile_site / "seri/jahat/index.html"
    assert page.is_file()
    doc = lxml.html.fromstring(page.read_bytes())
    h1 = doc.xpath("//h1")[0].text_content()
    # The title is shown exactly as written: escaped, not stripped, not evaluated.
    assert same_text(h1) == same_text("Seri " + ALL)
    text = doc.text_content()
    assert "{{ 7*7 }}" in text and "{% raw %}" in text
    assert "<script>window.__pwned=1</script>" in text  # shown, as text
    # The template's own variables never leak through a payload.
    assert "Config(" not in text


def test_no_injected_markup_in_any_page(hostile_site):
    pages = html_files(hostile_site)
    assert len(pages) >= 10
    found = []
    for page in pages:
        found += html_problems(page.read_text(encoding="utf-8"), page.relative_to(hostile_site).as_posix())
    assert found == [], "\n".join(found)


def test_check_catches_injection():
    """The checker itself is not blind."""
    assert html_problems('<p><img src=x onerror="x()"></p>', "t")
    assert html_problems('<a href=" JaVa\tScRiPt:x()">a</a>', "t")
    assert html_problems("<script>window.__pwned=1</script>", "t")
    assert html_problems('<script src="https://cdn.example/x.js"></script>', "t")
    assert html_problems('<script type="application/json">{"a": </script>', "t")
    assert html_problems('<table><tr><td style="position: fixed; inset: 0">x</td></tr></table>', "t")
    assert not html_problems('<script src="/assets/site.js" defer></script><a href="https://x.org/?a=1&amp;b=2">x</a>', "t")
    assert not html_problems('<script src="/repo/assets/site.js" defer></script>', "t", base_path="/repo/")
    assert html_problems('<script src="/repo/assets/site.js" defer></script>', "t")  # not under this site's path
    assert html_problems('<script src="/other/assets/x.js" defer></script>', "t", base_path="/repo/")


def test_json_outputs_parse_and_keep_the_text(hostile_site):
    files = sorted(hostile_site.rglob("*.json"))
    files = [f for f in files if not f.relative_to(hostile_site).as_posix().startswith("pagefind/")]
    assert files, "no JSON outputs"
    texts = []
    for f in files:
        data = json.loads(f.read_text(encoding="utf-8"))
        texts.append(json.dumps(data, ensure_ascii=False))
    joined = "\n".join(texts)
    assert json.dumps("Seri " + ALL, ensure_ascii=False)[1:-1] in joined


def test_csv_cells_are_neutralised(hostile_site):
    files = sorted(hostile_site.rglob("*.csv"))
    assert files, "no CSV outputs"
    bad = []
    seen_payload = False
    for f in files:
        rows = list(csv.reader(io.StringIO(f.read_text(encoding="utf-8"), newline="")))
        width = len(rows[0])
        for n, row in enumerate(rows, 1):
            assert len(row) == width, f"{f.name}:{n}: {len(row)} cells, header has {width}"
            for cell in row:
                if CSV_PAYLOAD in cell:
                    seen_payload = True
                if cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
                    try:
                        float(cell)
                    except ValueError:
                        bad.append(f"{f.relative_to(hostile_site)}:{n}: {cell[:60]!r}")
    assert bad == [], "cells a spreadsheet would run as formulas:\n" + "\n".join(bad)
    assert seen_payload, "the CSV payload text was lost instead of neutralised"


def test_calendar_has_exactly_the_real_events(hostile_site):
    import icalendar

    data = (hostile_site / "jadwal.ics").read_bytes()
    cal = icalendar.Calendar.from_ical(data)
    events = list(cal.walk("VEVENT"))
    assert len(events) == EXPECTED_VEVENTS
    # No content line was injected: the raw file has exactly one BEGIN:VEVENT per event.
    raw_lines = data.decode("utf-8").split("\r\n")
    assert sum(1 for ln in raw_lines if ln == "BEGIN:VEVENT") == EXPECTED_VEVENTS
    assert not any(ln.startswith("SUMMARY:palsu") for ln in raw_lines)
    summaries = [str(e["SUMMARY"]) for e in events]
    assert any(ICS_PAYLOAD in s for s in summaries), summaries


def test_atom_feed_parses_and_its_html_is_clean(hostile_site):
    import feedparser
    from lxml import etree

    data = (hostile_site / "feed.xml").read_bytes()
    root = etree.fromstring(data)
    parsed = feedparser.parse(data)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.entries
    ns = {"a": "http://www.w3.org/2005/Atom"}
    titles = [t.text for t in root.findall("a:entry/a:title", ns)]
    assert any(same_text(t or "") == same_text("Seri " + ALL) for t in titles), titles
    found = []
    for el in root.iter("{http://www.w3.org/2005/Atom}content", "{http://www.w3.org/2005/Atom}summary"):
        if el.get("type") == "html" and el.text:
            found += html_problems(el.text, "feed.xml")
        elif el.get("type") == "xhtml":
            found += html_problems(etree.tostring(el, encoding="unicode"), "feed.xml")
    assert found == [], "\n".join(found)


def test_other_xml_outputs_parse(hostile_site):
    from lxml import etree

    files = sorted(hostile_site.rglob("*.xml"))
    assert files
    for f in files:
        etree.fromstring(f.read_bytes())


# ---- in a real browser ---------------------------------------------------------------------

TRAP = """
window.__dialogs = [];
for (const name of ["alert", "confirm", "prompt", "print"]) {
  const record = (...args) => { window.__dialogs.push(name + ":" + args.join(",")); };
  Object.defineProperty(window, name, {value: record, writable: false, configurable: false});
}
"""

POKE = """
() => {
  for (const el of document.querySelectorAll("*")) {
    for (const type of ["mouseover", "mouseenter", "focus"]) {
      const init = {bubbles: true, cancelable: true, view: window};
      try { el.dispatchEvent(type === "focus" ? new FocusEvent(type, init) : new MouseEvent(type, init)); } catch (e) {}
    }
  }
  return {
    pwned: typeof window.__pwned === "undefined" ? null : String(window.__pwned),
    dialogs: window.__dialogs,
    jsLinks: [...document.querySelectorAll("a[href], area[href]")]
      .filter(a => a.protocol === "javascript:" || a.protocol === "data:" || a.protocol === "vbscript:")
      .map(a => a.getAttribute("href")),
    frames: document.querySelectorAll("iframe, frame, object, embed").length,
  };
}
"""

# Plotly turns <a href>, <b>, <br> in label text into SVG markup; content must stay text.
CHART_TEXT = """
() => {
  const out = [];
  for (const plot of document.querySelectorAll(".js-plotly-plot")) {
    for (const a of plot.querySelectorAll("svg a")) {
      out.push("a chart label became a link: " + a.outerHTML.slice(0, 160));
    }
    const text = plot.textContent;
    if (text.includes("tebal") && !text.includes("<b>tebal</b>")) {
      out.push("a chart label's <b> became bold text instead of staying text");
    }
  }
  return out;
}
"""
DRAWN = "document.querySelectorAll('figure[data-state=drawn]').length"
STATE = "() => [typeof window.__pwned === 'undefined' ? null : String(window.__pwned), window.__dialogs]"


def browse(browser, base: str, rels: list[str]) -> list[str]:
    """Open each page, poke it and click what a visitor would; every sign that script from
    the content ran, as 'page: what'."""
    context = browser.new_context()
    context.add_init_script(TRAP)
    page = context.new_page()
    found: list[str] = []
    where = [""]
    clicking = [False]
    page.on("dialog", lambda d: (found.append(f"{where[0]}: dialog {d.message!r}"), d.dismiss()))
    page.on("pageerror", lambda exc: found.append(f"{where[0]}: script error {exc}"))

    def block(route):  # nothing a page loads by itself may leave the local server
        if not clicking[0]:
            found.append(f"{where[0]}: request to {route.request.url}")
        route.abort()

    page.route(re.compile(r"^(?!" + re.escape(base) + r"/).*"), block)
    for rel in rels:
        where[0] = rel
        page.goto(base + "/" + (rel[: -len("index.html")] if rel.endswith("index.html") else rel), wait_until="load")
        charts = len(page.query_selector_all("figure[data-chart]"))
        if charts:  # a chart's button draws them all, with the payloads
            page.evaluate("document.querySelector('figure[data-chart] .chart-load button').click()")
            try:
                page.wait_for_function(f"document.querySelectorAll('figure[data-state=drawn]').length >= {charts}", timeout=15000)
            except Exception:
                found.append(f"{rel}: only {page.evaluate(DRAWN)} of {charts} charts were drawn")
            found += [f"{rel}: {problem}" for problem in page.evaluate(CHART_TEXT)]
        r = page.evaluate(POKE)
        found += [f"{rel}: window.__pwned = {r['pwned']}"] if r["pwned"] else []
        found += [f"{rel}: {d}" for d in r["dialogs"]]
        found += [f"{rel}: javascript link {h!r}" for h in r["jsLinks"]]
        found += [f"{rel}: {r['frames']} frame(s)"] if r["frames"] else []
        # What a visitor clicks that runs the site's own scripts (video facade, toggles).
        clicking[0] = True
        for handle in page.query_selector_all("[data-video], button"):
            try:
                if handle.is_visible():
                    handle.click(timeout=1000, no_wait_after=True)
            except Exception:
                pass
        page.wait_for_timeout(100)
        page.wait_for_load_state("load")
        if page.url.startswith(base):
            try:
                pwned, dialogs = page.evaluate(STATE)
            except Exception:  # a click navigated: look at where it led
                page.wait_for_load_state("load")
                pwned, dialogs = page.evaluate(STATE)
            found += [f"{rel}: after a click, window.__pwned = {pwned}"] if pwned else []
            found += [f"{rel}: after a click, {d}" for d in dialogs]
        clicking[0] = False
    context.close()
    return found


def test_browser_check_sees_script_that_runs(tmp_path, browser):
    """The browser check is not blind: each of these pages runs a payload."""
    pages = {
        "a.html": "<!doctype html><title>a</title><img src=x onerror=window.__pwned=1>",
        "b.html": "<!doctype html><title>b</title><p onmouseover=window.__pwned=2>x</p>",
        "c.html": "<!doctype html><title>c</title><script>alert(1)</script>",
        "d.html": '<!doctype html><title>d</title><a href="javascript:x()">x</a>',
        "e.html": '<!doctype html><title>e</title><script src="https://cdn.example/x.js"></script>',
        "f.html": '<!doctype html><title>f</title><button onclick="window.__pwned=6">x</button>',
    }
    for name, text in pages.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    with serve_folder(tmp_path) as base:
        found = browse(browser, base, sorted(pages))
    assert sorted({f.split(":")[0] for f in found}) == sorted(pages), found


def test_no_payload_runs_in_a_browser(hostile_site, browser):
    rels = [f.relative_to(hostile_site).as_posix() for f in html_files(hostile_site)]
    with serve_folder(hostile_site) as base:
        found = browse(browser, base, rels)
    # Resources that fail to load are the link checker's business; everything else counts.
    assert found == [], "\n".join(found)


SEARCH_QUERIES = [
    "pwned", "script", "Seri", "<img src=x onerror=window.__pwned=91>", '"><svg onload=window.__pwned=92>',
    "</script><script>window.__pwned=93</script>", "[SEARCH_TERM]{{ 7*7 }}",
]


@pytest.fixture(scope="module")
def hostile_search_site(tmp_path_factory) -> Path:
    """The hostile project with its Pagefind index: search results and filters show the
    hostile titles, and the query itself comes from the address (?q=)."""
    tmp = tmp_path_factory.mktemp("hostile-search")
    files = hostile_files()
    files["site.yaml"] = SITE_YAML.replace("search: false", "search: true")
    root = make_project(tmp, files)
    out = tmp / "out"
    proc = run_cli("build", "--root", str(root), "--output", str(out), "--no-cache", "--today", TODAY)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    if not (out / "pagefind").is_dir():
        pytest.skip("the build made no Pagefind index")
    return out


def test_search_shows_hostile_titles_and_queries_as_text(hostile_search_site, browser):
    if not (hostile_search_site / "cari" / "index.html").is_file():
        pytest.skip("no search page")
    from urllib.parse import quote

    found = []
    with serve_folder(hostile_search_site) as base:
        context = browser.new_context()
        context.add_init_script(TRAP)
        page = context.new_page()
        page.on("dialog", lambda d: (found.append(f"dialog {d.message!r}"), d.dismiss()))
        page.on("pageerror", lambda exc: found.append(f"script error {exc}"))
        shown = 0
        for q in SEARCH_QUERIES:
            page.goto(f"{base}/cari/?q={quote(q)}", wait_until="load")
            try:
                page.wait_for_selector(".pagefind-ui__message", timeout=10000)
                page.wait_for_load_state("networkidle")
            except Exception:
                found.append(f"?q={q!r}: the search UI showed no result message")
                continue
            shown += len(page.query_selector_all(".pagefind-ui__result"))
            r = page.evaluate(POKE)
            found += [f"?q={q!r}: window.__pwned = {r['pwned']}"] if r["pwned"] else []
            found += [f"?q={q!r}: {d}" for d in r["dialogs"]]
            found += [f"?q={q!r}: javascript link {h!r}" for h in r["jsLinks"]]
            for check in ("#cari img[src='x']", "#cari svg[onload]", "#cari script"):
                if page.query_selector(check):
                    found.append(f"?q={q!r}: {check} in the search results")
        context.close()
    assert found == [], "\n".join(found)
    assert shown > 0, "no search gave a result: the test saw no hostile result"


# ---- the development server ----------------------------------------------------------------

SECRET = "rahasia-5b0f2c7e-jangan-disajikan"
TRAVERSALS = [
    "/../site.yaml", "/%2e%2e/site.yaml", "/%2E%2E%2Fsite.yaml", "/..%2fsite.yaml", "/..%2Fsite.yaml",
    "/%252e%252e/site.yaml", "/%252e%252e%252fsite.yaml", "//etc/passwd", "/../../../../etc/passwd",
    "/..\\site.yaml", "/%5c..%5csite.yaml", "/.%2e/site.yaml", "/seri/../../site.yaml",
    "/%2e%2e%2f%2e%2e%2fsite.yaml", "/..;/site.yaml", "/%c0%ae%c0%ae/site.yaml",
    "/" + "%2e%2e/" * 8 + "etc/passwd", "/.." + "/" + "site.yaml%00.html", "/secret.txt",
    "/../secret.txt", "/%2e%2e/secret.txt", "/..%2fsecret.txt", "file:///etc/passwd",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def raw_get(port: int, target: str) -> tuple[int, bytes]:
    """GET with the target sent byte for byte (no client-side normalisation)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n".encode("latin-1"))
        chunks = []
        while True:
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                break
            if not chunk:
                break
            chunks.append(chunk)
    data = b"".join(chunks)
    m = re.match(rb"HTTP/1\.[01] ([0-9]{3})", data)
    return (int(m.group(1)) if m else 0), data


def listening_addresses(pid: int) -> list[str]:
    """Local addresses the process listens on (TCP), from /proc."""
    inodes = set()
    fd_dir = Path(f"/proc/{pid}/fd")
    for fd in fd_dir.iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    found = []
    for table, v6 in (("/proc/net/tcp", False), ("/proc/net/tcp6", True)):
        try:
            rows = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            cols = row.split()
            local, state, inode = cols[1], cols[3], cols[9]
            if state != "0A" or inode not in inodes:  # 0A: LISTEN
                continue
            addr_hex, port_hex = local.split(":")
            if v6:
                raw = bytes.fromhex(addr_hex)
                words = b"".join(raw[i:i + 4][::-1] for i in range(0, 16, 4))
                addr = socket.inet_ntop(socket.AF_INET6, words)
            else:
                addr = socket.inet_ntoa(bytes.fromhex(addr_hex)[::-1])
            found.append(f"{addr}:{int(port_hex, 16)}")
    return found


@pytest.fixture
def dev_server(tmp_path):
    from conftest import SITE_YAML as BASE_SITE_YAML

    # site.yaml holds the secret: it sits beside the output folder, as in every project.
    root = make_project(tmp_path, {"site.yaml": BASE_SITE_YAML + f"# {SECRET}\n"})
    (root / "secret.txt").write_text(SECRET + "\n", encoding="utf-8")
    port = free_port()
    env = dict(os.environ)
    env.pop("SOURCE_DATE_EPOCH", None)
    proc = subprocess.Popen(
        [sys.executable, str(REPO / "build.py"), "serve", "--root", str(root), "--port", str(port), "--no-search"],
        cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                pytest.fail("serve exited early:\n" + proc.stdout.read())
            try:
                status, _ = raw_get(port, "/")
                if status == 200:
                    break
            except OSError:
                pass
            time.sleep(0.2)
        else:
            pytest.fail("serve did not answer within 60 s")
        yield proc, port
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=2)
        except subprocess.TimeoutExpired:  # the preview must stop when told: this fails the test
            proc.kill()
            proc.wait()
            pytest.fail("serve did not stop within 2 s of SIGTERM")


def test_dev_server_binds_loopback_and_stays_in_its_folder(dev_server):
    proc, port = dev_server
    addresses = listening_addresses(proc.pid)
    assert addresses, "the serve process listens on nothing"
    assert all(a.startswith(("127.0.0.1:", "::1:", "::ffff:127.0.0.1:")) for a in addresses), addresses
    leaked = []
    for target in TRAVERSALS:
        status, data = raw_get(port, target)
        if SECRET.encode() in data or b"root:x:0:0" in data or b"base_url:" in data:
            leaked.append(f"{target} -> {status}")
    assert leaked == [], "served a file outside the output folder:\n" + "\n".join(leaked)
    # The same through http.client, which does not normalise the path either.
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    for target in TRAVERSALS[:6]:
        conn.request("GET", target)
        resp = conn.getresponse()
        body = resp.read()
        assert SECRET.encode() not in body, target
    conn.close()
    # And the site itself is served.
    status, data = raw_get(port, "/")
    assert status == 200 and b"<html" in data.lower()
