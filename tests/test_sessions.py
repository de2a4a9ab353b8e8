"""What is on next, when, and how to join: the dated sessions of the home page and /jadwal/,
seen as a visitor sees them on a 360x800 phone in Chromium with the clock fixed, before
and after the day passes (decided again in the browser), and with cancelled, postponed and
moved series."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from conftest import make_project, needs_chromium, run_cli, serve_folder

BUILD_DAY = dt.date(2026, 12, 7)  # a Monday

# ASN Belajar (Thursday) has no time or links of its own: the upcoming series does.
SERIES = {
    "content/series/akan-datang.md": """\
        ---
        title: Literasi Data untuk Pengambil Keputusan
        program: asn-belajar
        date: "2026-12-10"
        time: "09:00"
        duration: 90
        links:
          zoom: https://zoom.us/j/1234567890
          youtube: https://www.youtube.com/watch?v=abcdefghijk
        summary: Membaca data sebelum memutuskan.
        speakers: [Narasumber Pertama, Narasumber Kedua]
        competency: teknis
        tags: [literasi-data, pengambilan-keputusan]
        ---
        Seri ini membahas cara membaca tabel dan grafik sebelum mengambil keputusan di
        unit kerja, dari pertanyaan yang tepat sampai memeriksa asal angka.

        Peserta diajak mengenali angka yang menyesatkan, rata-rata yang menutupi sebaran,
        dan perbandingan yang tidak setara, dengan contoh dari laporan pemerintah daerah.

        Sesi ditutup dengan latihan singkat menyusun ringkasan data satu halaman untuk
        pimpinan, lengkap dengan sumber dan tanggal datanya.
        """,
    "content/series/batal.md": """\
        ---
        title: Kajian yang Dibatalkan
        program: asn-mengaji
        date: "2026-12-09"
        time: "11:30"
        links:
          zoom: https://zoom.us/j/999
        status: dibatalkan
        ---
        Isi seri.
        """,
    "content/series/tunda.md": """\
        ---
        title: Kajian yang Ditunda
        program: asn-mengaji
        date: "2026-12-16"
        status: ditunda
        ---
        Isi seri.
        """,
    "content/series/pindah.md": """\
        ---
        title: Seri yang Dipindah
        program: asn-belajar
        date: "2026-12-18"
        time: "13:00"
        status: dipindah
        previous_date: "2026-12-17"
        ---
        Isi seri.
        """,
}


def build_fixture(tmp: Path, today: dt.date = BUILD_DAY) -> Path:
    root = make_project(tmp, SERIES)
    out = tmp / "site"
    proc = run_cli("build", "--root", str(root), "--output", str(out), "--no-cache", "--no-search", "--today", today.isoformat())
    assert proc.returncode == 0, proc.stderr
    return out


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    return build_fixture(tmp_path_factory.mktemp("sessions"))


def soup(site: Path, rel: str) -> BeautifulSoup:
    return BeautifulSoup((site / rel).read_bytes(), "lxml")


# ---- the built pages (no browser) ---------------------------------------------------

def test_home_lists_the_next_sessions_with_the_series_time_and_links(site):
    page = soup(site, "index.html")
    first = page.select_one("#berikutnya ~ [data-sessions] [data-session]:not([hidden])")
    # Monday 7 December: the Wednesday session is cancelled, so the next one held is Thursday's.
    shown = [s for s in page.select("#berikutnya ~ [data-sessions] [data-session]") if not s.has_attr("hidden")]
    assert [s["data-date"] for s in shown] == ["2026-12-09", "2026-12-10"]
    assert "Dibatalkan" in shown[0].get_text() and not shown[0].select(".join-link") and not shown[0].has_attr("data-happens")
    nxt = page.select_one("#berikutnya ~ [data-sessions] .is-next")
    assert nxt is shown[1] and first is shown[0]
    text = " ".join(nxt.get_text(" ").split())
    assert "Kamis, 10 Desember 2026" in text and "09.00–10.30 WIB" in text
    assert "Literasi Data untuk Pengambil Keputusan" in text and "ASN Belajar" in text
    assert [a["href"] for a in nxt.select("a.join-link")] == ["https://zoom.us/j/1234567890", "https://www.youtube.com/watch?v=abcdefghijk"]


def test_week_cards_take_the_series_time_over_the_program(site):
    page = soup(site, "index.html")
    thursday = page.select_one('.week > li[data-weekday="3"]')
    visible = thursday.select_one("[data-session]:not([hidden])")
    assert "09.00–10.30 WIB" in visible.get_text() and "belum diumumkan" not in visible.get_text()
    assert visible.select("a.join-link")


def test_schedule_opens_with_this_week_and_next_by_date(site):
    page = soup(site, "jadwal/index.html")
    main = page.select_one("main")
    order = [el.get("id") for el in main.select("#pekan-ini, #pola, #langganan, #segera")]
    assert order == ["pekan-ini", "pola", "langganan", "segera"]
    heads = [(h["data-week"], h.get_text(strip=True), h.has_attr("hidden")) for h in main.select("[data-week]")]
    assert heads == [("2026-12-07", "Pekan ini", False), ("2026-12-14", "Pekan depan", False), ("2026-12-21", "Pekan berikutnya", True)]
    days = [(s["data-date"], s.has_attr("hidden")) for s in main.select(".by-week [data-session]")]
    assert [d for d, hidden in days if not hidden] == ["2026-12-09", "2026-12-10", "2026-12-16", "2026-12-17", "2026-12-18"]
    by_date = {s["data-date"]: " ".join(s.get_text(" ").split()) for s in main.select(".by-week [data-session]")}
    assert "Dibatalkan" in by_date["2026-12-09"]
    assert "Ditunda" in by_date["2026-12-16"]
    assert "Dipindah ke Jumat, 18 Desember 2026" in by_date["2026-12-17"]
    assert "Dipindah dari Kamis, 17 Desember 2026" in by_date["2026-12-18"]
    # The home page's button leads to these dates.
    home = soup(site, "index.html")
    assert any(a["href"].endswith("/jadwal/#pekan-ini") for a in home.select("a.button"))


def test_series_pages_say_what_became_of_them(site):
    cancelled = soup(site, "seri/batal/index.html")
    note = cancelled.select_one(".status-notice")
    assert note and "Dibatalkan" in note.get_text()
    assert not cancelled.select(".join-box") and not cancelled.select("a.join-link")
    moved = soup(site, "seri/pindah/index.html")
    assert "Dipindah dari Kamis, 17 Desember 2026" in " ".join(moved.select_one(".status-notice").get_text(" ").split())
    assert "Ditunda" in soup(site, "seri/tunda/index.html").select_one(".status-notice").get_text()
    plain = soup(site, "seri/akan-datang/index.html")
    assert not plain.select(".status-notice")


def test_add_to_calendar_links(site):
    from urllib.parse import parse_qs, urlsplit

    page = soup(site, "seri/akan-datang/index.html")
    ics = page.select_one('a[href$="acara.ics"]')
    assert ics is not None and ics["href"] == "/seri/akan-datang/acara.ics"
    if (site / "seri/akan-datang/acara.ics").exists():  # made by the calendar outputs
        assert (site / "seri/akan-datang/acara.ics").read_bytes().startswith(b"BEGIN:VCALENDAR")
    google = page.select_one('a[href^="https://calendar.google.com/calendar/render?"]')
    query = parse_qs(urlsplit(google["href"]).query)
    assert query["action"] == ["TEMPLATE"]
    assert query["dates"] == ["20261210T020000Z/20261210T033000Z"]  # 09.00–10.30 WIB in UTC
    assert query["text"] == ["Literasi Data untuk Pengambil Keputusan (ASN Belajar)"]
    assert query["location"] == ["https://zoom.us/j/1234567890"]
    assert query["details"][0].endswith("https://example.org/seri/akan-datang/")
    assert not soup(site, "seri/batal/index.html").select('a[href*="calendar.google.com"]')


# ---- in Chromium, at 360x800, with the clock fixed -------------------------------------

@pytest.fixture(scope="module")
def served(site):
    with serve_folder(site) as origin:
        yield origin


def visible_text(locator) -> str:
    return " ".join(locator.inner_text().split())


@needs_chromium
@pytest.mark.parametrize("path", ["/", "/jadwal/"])
def test_next_session_is_on_the_first_screen_of_a_phone(tab, served, path):
    opened = tab(served + path, clock="2026-12-08T10:00:00+07:00")
    page, errors = opened.page, opened.errors
    nxt = page.locator(".session.is-next").first
    assert "Literasi Data untuk Pengambil Keputusan" in visible_text(nxt)
    for part in (nxt.locator("time").first, nxt.locator(".time").first, nxt.locator("a.join-link").first):
        box = part.bounding_box()
        assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= 800, (path, part, box)
    assert "Kamis, 10 Desember 2026" in visible_text(nxt) and "09.00–10.30 WIB" in visible_text(nxt)
    # No visible card says the time is unknown for a day whose series has a time.
    for card in page.locator('[data-session][data-date="2026-12-10"]').all():
        if card.is_visible():
            assert "belum diumumkan" not in visible_text(card)
    assert not errors


@needs_chromium
@pytest.mark.parametrize("path", ["/", "/jadwal/"])
def test_after_the_day_the_browser_moves_on(tab, served, path):
    """The page was built on Monday 7 December; read on Friday 11 December, Thursday's
    session is over: no longer next, no join button; the next one held is on the 18th."""
    opened = tab(served + path, clock="2026-12-11T08:00:00+07:00")
    page, errors = opened.page, opened.errors
    nxt = page.locator(".session.is-next").first
    assert nxt.get_attribute("data-date") == "2026-12-18"
    assert "Seri yang Dipindah" in visible_text(nxt)
    box = nxt.locator("time").first.bounding_box()
    assert box is not None and box["y"] + box["height"] <= 800
    thursday = page.locator('.sessions [data-session][data-date="2026-12-10"]')
    for i in range(thursday.count()):
        card = thursday.nth(i)
        if card.is_visible():
            assert "Sudah berlangsung" in visible_text(card) and card.locator("a.join-link").count() == 0
    if path == "/":
        assert page.locator('#berikutnya ~ [data-sessions] [data-date="2026-12-10"]').count() == 0
    assert not errors


@needs_chromium
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_a_series_page_offers_joining_on_a_phones_first_screen(tab, served, scheme):
    """An upcoming series' page answers "how do I join" before its description: the join
    buttons are inside the first 800 px at 360 px wide, above the series' text."""
    opened = tab(served + "/seri/akan-datang/", clock="2026-12-08T10:00:00+07:00", scheme=scheme)
    page, errors = opened.page, opened.errors
    zoom = page.locator(".join-box a.join-link").first
    box = zoom.bounding_box()
    assert box is not None and box["y"] + box["height"] <= 800, box
    assert "Zoom" in zoom.inner_text()
    assert box["y"] < page.locator(".series .prose").bounding_box()["y"]
    assert not errors


@needs_chromium
@pytest.mark.parametrize("zone", ["America/New_York", "Asia/Tokyo"])
def test_the_day_turns_at_midnight_in_jakarta_whatever_the_devices_zone(tab, served, zone):
    """Thursday 10 December ends at 24:00 WIB (17:00 UTC): half an hour before, its session
    is still the next one and Thursday is today; half an hour after, both have moved on,
    on a phone set to New York or Tokyo time alike."""
    before, after = "2026-12-10T16:30:00+00:00", "2026-12-10T17:30:00+00:00"
    for when, next_date, thursday in ((before, "2026-12-10", True), (after, "2026-12-18", False)):
        opened = tab(served + "/", clock=when, timezone_id=zone)
        page = opened.page
        assert page.locator("#berikutnya ~ [data-sessions] .is-next").get_attribute("data-date") == next_date, when
        assert page.locator('.week > li[data-weekday="3"]').evaluate("li => li.classList.contains('today')") is thursday, when
        assert not opened.errors


@needs_chromium
def test_a_week_later_the_schedule_shows_the_new_weeks(tab, served):
    opened = tab(served + "/jadwal/", clock="2026-12-15T08:00:00+07:00")
    page, errors = opened.page, opened.errors
    heads = page.locator(".by-week [data-week]")
    shown = [(heads.nth(i).get_attribute("data-week"), visible_text(heads.nth(i))) for i in range(heads.count()) if heads.nth(i).is_visible()]
    assert shown == [("2026-12-14", "Pekan ini"), ("2026-12-21", "Pekan depan")]
    assert not page.locator('.by-week [data-date="2026-12-10"]').is_visible()
    assert not errors


@needs_chromium
def test_a_cancelled_series_is_never_the_next_session(tab, served):
    opened = tab(served + "/", clock="2026-12-09T07:00:00+07:00")
    page, errors = opened.page, opened.errors
    nxt = page.locator("#berikutnya ~ [data-sessions] .is-next")
    assert nxt.get_attribute("data-date") == "2026-12-10"
    cancelled = page.locator('#berikutnya ~ [data-sessions] [data-date="2026-12-09"]')
    assert "Dibatalkan" in visible_text(cancelled) and cancelled.locator("a.join-link").count() == 0
    assert not errors


def test_footer_links_the_channel_and_contact_only_when_set(tmp_path, site):
    from conftest import SITE_YAML

    footer = soup(site, "index.html").select_one("footer")
    assert not footer.select('a[href^="mailto:"]') and "Kanal YouTube" not in footer.get_text()
    root = make_project(tmp_path, {"site.yaml": SITE_YAML + "youtube_channel: https://www.youtube.com/@contoh\n"
                                   "contact_email: humas@contoh.go.id\ncontact_url: https://contoh.go.id/kontak\n"})
    out = tmp_path / "out"
    assert run_cli("build", "--root", str(root), "--output", str(out), "--no-cache", "--no-search").returncode == 0
    links = {a.get_text(strip=True): a["href"] for a in BeautifulSoup((out / "index.html").read_bytes(), "lxml").select("footer a")}
    assert links["Kanal YouTube"] == "https://www.youtube.com/@contoh"
    assert links["Surel: humas@contoh.go.id"] == "mailto:humas@contoh.go.id"
    assert links["Hubungi kami"] == "https://contoh.go.id/kontak"
