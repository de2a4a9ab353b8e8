"""The browser editor at /admin/ (Sveltia CMS): its configuration generated from the schema
(and kept fresh, like `schema --check`), the vendored script served from the site itself,
/admin/ kept out of the sitemap, feeds and search, and an end-to-end run in headless
Chromium without network: create a series through the form in the CMS's local-repository
mode, then check the file it wrote with `check --strict` and build it into its page."""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup

from conftest import REPO, copy_repo_project, needs_chromium, run_cli, serve_folder
from sitegen import admin
from sitegen.problems import Problems
from sitegen.schema import COMPETENCIES, FIELDS_BY_KIND, GROUPED_RE



def committed_config() -> dict:
    return yaml.safe_load((REPO / admin.CONFIG).read_text(encoding="utf-8"))


def collection(config: dict, name: str) -> dict:
    return next(c for c in config["collections"] if c["name"] == name)


def fields_by_name(fields: list) -> dict:
    return {f["name"]: f for f in fields}


def admin_project(dest: Path) -> Path:
    root = copy_repo_project(dest)
    shutil.copytree(REPO / "admin", root / "admin")
    return root


# ---- the configuration ----------------------------------------------------------------------

def test_committed_config_is_generated_from_the_schema():
    problems = Problems()
    ctx = admin.admin_context(REPO, problems)
    assert ctx is not None, problems.items
    text = admin.config_text(ctx, admin.committed_repo(REPO))
    assert (REPO / admin.CONFIG).read_text(encoding="utf-8") == text, "admin/config.yml is stale: run python build.py admin"
    proc = run_cli("admin", "--check")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("admin configuration up to date: admin/config.yml")


def test_check_finds_a_stale_config_and_admin_rewrites_it(tmp_path):
    root = admin_project(tmp_path / "p")
    program = root / "content/programs/asn-mengaji.md"
    program.write_text(program.read_text(encoding="utf-8").replace("title: ASN Mengaji", "title: ASN Mengaji Bersama"), encoding="utf-8")
    proc = run_cli("admin", "--root", str(root), "--check")
    assert proc.returncode == 1
    assert proc.stderr.strip() == "admin/config.yml: out of date (run: python build.py admin, then commit it)"
    assert run_cli("admin", "--root", str(root)).stdout.strip() == "wrote admin/config.yml"
    options = fields_by_name(collection(yaml.safe_load((root / admin.CONFIG).read_text()), "series")["fields"])["program"]["options"]
    assert {"label": "ASN Mengaji Bersama", "value": "asn-mengaji"} in options
    assert run_cli("admin", "--root", str(root), "--check").returncode == 0


def test_repository_is_set_once_and_kept(tmp_path):
    root = admin_project(tmp_path / "p")
    assert run_cli("admin", "--root", str(root), "--repo", "bukan repo").returncode == 2
    assert run_cli("admin", "--root", str(root), "--repo", "contoh-pemilik/asn-belajar").returncode == 0
    assert yaml.safe_load((root / admin.CONFIG).read_text())["backend"]["repo"] == "contoh-pemilik/asn-belajar"
    assert run_cli("admin", "--root", str(root)).returncode == 0  # regenerated: the repository stays
    assert yaml.safe_load((root / admin.CONFIG).read_text())["backend"]["repo"] == "contoh-pemilik/asn-belajar"
    assert run_cli("admin", "--root", str(root), "--check").returncode == 0


def test_series_form_has_every_field_with_its_widget():
    config = committed_config()
    assert config["publish_mode"] == "editorial_workflow"
    assert config["backend"]["name"] == "github" and config["backend"]["branch"] == "main"
    series = collection(config, "series")
    assert series["folder"] == "content/series" and series["extension"] == "md" and series["format"] == "frontmatter"
    fields = fields_by_name(series["fields"])
    declared = [f.name for f in FIELDS_BY_KIND["series"] if f.name not in admin.HIDDEN_FOR_NEW]
    assert [f["name"] for f in series["fields"]] == declared + ["body"]
    for f in FIELDS_BY_KIND["series"]:
        if f.name in fields:
            assert fields[f.name]["required"] == f.required, f.name
            assert fields[f.name]["label"] and fields[f.name].get("hint"), f.name  # Indonesian label and hint
    programs = sorted(p.stem for p in (REPO / "content/programs").glob("*.md"))
    assert fields["program"]["widget"] == "select"
    assert sorted(o["value"] for o in fields["program"]["options"]) == programs
    assert [o["value"] for o in fields["competency"]["options"]] == list(COMPETENCIES)
    assert fields["date"]["widget"] == "datetime" and fields["date"]["format"] == "YYYY-MM-DD" and fields["date"]["time_format"] is False
    assert fields["time"]["widget"] == "datetime" and fields["time"]["format"] == "HH:mm" and fields["time"]["date_format"] is False
    assert fields["speakers"]["widget"] == "list" and fields["tags"]["widget"] == "list"
    assert fields["body"]["widget"] == "markdown"
    site = yaml.safe_load((REPO / "site.yaml").read_text(encoding="utf-8"))
    reach = fields_by_name(fields["reach"]["fields"])
    assert list(reach) == list(site["channels"])
    assert [r["label"] for r in reach.values()] == list(site["channels"].values())
    for r in reach.values():  # 12000 and 12.000 both accepted, as by the build
        assert r["widget"] == "string" and r["pattern"][0] == GROUPED_RE.pattern
        assert re.fullmatch(r["pattern"][0].strip("^$"), "12.000") and not re.fullmatch(r["pattern"][0].strip("^$"), "12,5")


def test_programs_pages_and_figures_are_editable():
    config = committed_config()
    programs = collection(config, "programs")
    assert programs["folder"] == "content/programs" and programs["create"] is False
    assert [f["name"] for f in programs["fields"]] == [f.name for f in FIELDS_BY_KIND["program"]] + ["body"]
    weekday = fields_by_name(programs["fields"])["weekday"]
    assert weekday["widget"] == "select" and [o["value"] for o in weekday["options"]][:5] == ["senin", "selasa", "rabu", "kamis", "jumat"]
    pages = collection(config, "pages")
    assert [f["name"] for f in pages["fields"]] == [f.name for f in FIELDS_BY_KIND["page"]] + ["body"]
    (figures,) = collection(config, "figures")["files"]
    assert figures["file"] == "content/figures.yaml"
    items = fields_by_name(fields_by_name(figures["fields"])["figures"]["fields"])
    assert set(items) == {"program", "year", "from", "as_of", "series", "reach", "channels", "source", "note"}
    assert items["reach"]["pattern"][0] == GROUPED_RE.pattern


# ---- served from the site, pinned, out of the sitemap, feeds and search -------------------------

def test_vendored_cms_is_pinned_and_self_contained():
    js = (REPO / admin.SVELTIA_JS).read_text(encoding="utf-8")
    assert f"version:`{admin.SVELTIA_VERSION}`" in js or f'version:"{admin.SVELTIA_VERSION}"' in js
    assert "cdn.jsdelivr.net" not in js  # the fonts come from admin/fonts/
    for (name, version), (url, file) in admin.FONTS.items():
        rel = f"fonts/{Path(file).name}"
        assert js.count(rel) == 1, rel
        assert (REPO / admin.ADMIN_DIR / rel).stat().st_size > 10_000
        assert (REPO / admin.ADMIN_DIR / "fonts" / f"{Path(file).stem}.LICENSE.txt").is_file()
    # Undo the font change and the npm file's pinned hash comes back.
    original = js
    for (url, file) in admin.FONTS.values():
        original = original.replace(f"fonts/{Path(file).name}", url)
    assert hashlib.sha256(original.encode("utf-8")).hexdigest() == admin.SVELTIA_SHA256
    assert (REPO / admin.SVELTIA_LICENSE).read_text(encoding="utf-8").startswith("MIT License")


def test_admin_page_is_noindex_and_loads_only_from_the_site():
    soup = BeautifulSoup((REPO / "admin/index.html").read_text(encoding="utf-8"), "lxml")
    assert soup.find("meta", attrs={"name": "robots"})["content"] == "noindex, nofollow"
    assert [s["src"] for s in soup.find_all("script")] == ["sveltia-cms.js"]  # relative: works under /<repo>/
    csp = soup.find("meta", attrs={"http-equiv": "Content-Security-Policy"})["content"]
    assert "script-src 'self';" in csp and "font-src 'self' data:;" in csp


@pytest.fixture(scope="module")
def shipped_site(tmp_path_factory) -> Path:
    """The repository's own project (with admin/), built once under a /<repo>/ base URL."""
    out = tmp_path_factory.mktemp("admin-site") / "_site"
    proc = run_cli("build", "--output", str(out), "--no-cache", "--no-search", "--today", "2026-11-23",
                   "--base-url", "https://example.github.io/asn-belajar/")
    assert proc.returncode == 0, proc.stderr
    return out


def test_admin_is_published_but_kept_out_of_sitemap_feeds_and_search(shipped_site):
    for rel in ("admin/index.html", "admin/config.yml", "admin/sveltia-cms.js", "admin/sveltia-cms.LICENSE.txt"):
        assert (shipped_site / rel).read_bytes() == (REPO / rel).read_bytes(), rel
    for rel in ("sitemap.xml", "feed.xml"):
        assert "/admin" not in (shipped_site / rel).read_text(encoding="utf-8"), rel
    page = BeautifulSoup((shipped_site / "admin/index.html").read_text(encoding="utf-8"), "lxml")
    assert page.select("[data-pagefind-body]") == []  # Pagefind indexes only pages that carry it
    assert (shipped_site / "seri").is_dir() and BeautifulSoup(
        next((shipped_site / "seri").glob("*/index.html")).read_text(encoding="utf-8"), "lxml").select("[data-pagefind-body]")


def test_projects_without_admin_get_no_admin(tmp_path):
    root = copy_repo_project(tmp_path / "p")
    proc = run_cli("build", "--root", str(root), "--no-search", "--no-cache", "--quiet")
    assert proc.returncode == 0, proc.stderr
    assert not (root / "_site/admin").exists()


# ---- end to end in headless Chromium ------------------------------------------------------------

SEED = """async (files) => {
  const root = await navigator.storage.getDirectory();
  for await (const name of root.keys()) await root.removeEntry(name, {recursive: true});
  await root.getDirectoryHandle('.git', {create: true});  // the CMS checks it was given a repository
  for (const [path, text] of Object.entries(files)) {
    const parts = path.split('/');
    let dir = root;
    for (const part of parts.slice(0, -1)) dir = await dir.getDirectoryHandle(part, {create: true});
    const w = await (await dir.getFileHandle(parts.at(-1), {create: true})).createWritable();
    await w.write(text);
    await w.close();
  }
}"""

READ_SERIES = """async () => { try {
  const root = await navigator.storage.getDirectory();
  const dir = await (await root.getDirectoryHandle('content')).getDirectoryHandle('series');
  const out = {};
  for await (const [name, handle] of dir.entries()) {
    try {
      out[name] = await (await handle.getFile()).text();
    } catch (e) {  // being written at this moment: read it on the next try
    }
  }
  return out;
} catch (e) { return {}; } }"""


@pytest.mark.system
@needs_chromium
def test_create_a_series_in_the_browser_editor(tmp_path, tab):
    project = admin_project(tmp_path / "proj")
    site = tmp_path / "www"
    proc = run_cli("build", "--root", str(project), "--output", str(site), "--no-search", "--no-cache", "--quiet")
    assert proc.returncode == 0, proc.stderr
    files = {p.relative_to(project).as_posix(): p.read_text(encoding="utf-8")
             for p in sorted((project / "content").rglob("*")) if p.is_file()}
    outside: list[str] = []
    with serve_folder(site) as origin:
        opened = tab(width=1280, height=900, service_workers="block")
        context, page = opened.context, opened.page

        def only_local(route):  # no network: anything not from the local site is refused
            if route.request.url.startswith(origin + "/"):
                route.continue_()
            else:
                outside.append(route.request.url)
                route.abort()

        context.route("**/*", only_local)
        # The local-repository mode asks for a folder; the test answers with the browser's
        # private file system, seeded with the project's content.
        context.add_init_script("window.showDirectoryPicker = async () => navigator.storage.getDirectory();")
        page.goto(origin + "/robots.txt")
        page.evaluate(SEED, files)

        page.goto(origin + "/admin/")
        page.get_by_role("button", name="Work with Local Repository").click()
        page.get_by_text("Seri", exact=True).first.wait_for()
        page.goto(origin + "/admin/#/collections/series/new")
        field = lambda path: page.locator(f'[data-key-path="{path}"]').first  # noqa: E731

        def open_item(button, path):
            """Press `button` (add an item, or tick an optional group) until `path` shows.
            A tick is made with check(), which never unticks: clicking a checkbox again
            while the editor is slow to draw the group would close it. The editor draws
            a field only once it scrolls into view (a placeholder until then), so the
            group's placeholders are brought into view. An add button is pressed again
            only when the item has not appeared after 10 s."""
            from playwright.sync_api import Error as PlaywrightError, TimeoutError as Timeout

            target = page.locator(f'[data-key-path="{path}"] input').first
            placeholders = page.locator(f'[data-key-path="{path.rpartition(".")[0]}"] .placeholder')
            for _ in range(3):
                if target.count():
                    return
                if button.get_attribute("role") == "checkbox" or button.get_attribute("type") == "checkbox":
                    button.check()
                else:
                    button.click()
                for n in range(placeholders.count()):
                    try:
                        placeholders.nth(n).scroll_into_view_if_needed(timeout=2000)
                    except PlaywrightError:  # drawn (and so replaced) in the meantime
                        pass
                try:
                    target.wait_for(timeout=10000)
                    return
                except Timeout:
                    continue
            raise AssertionError(f"{path} did not appear")

        field("title").locator("input").fill("Literasi Data: ASN 4.0!")
        field("program").get_by_role("radio", name="ASN Belajar").check()
        field("date").locator("input[type=date]").fill("2024-03-07")
        field("time").locator("input[type=time]").fill("09:00")
        open_item(field("speakers").get_by_role("button", name=re.compile("Add")), "speakers.0")
        field("speakers.0").locator("input").fill("Dr. Contoh Narasumber")
        field("competency").get_by_role("radio", name="Teknis").check()
        open_item(field("tags").get_by_role("button", name=re.compile("Add")), "tags.0")
        field("tags.0").locator("input").fill("literasi-data")
        open_item(field("reach").get_by_role("checkbox"), "reach.zoom")
        field("reach.zoom").locator("input").fill("950")
        field("reach.youtube").locator("input").fill("12.000")  # as Indonesians write twelve thousand
        field("summary").locator("textarea").fill("Cara membaca data untuk ASN.")
        editor = page.locator('[data-key-path="body"] [contenteditable=true]').first
        for _ in range(20):  # the form draws a field only once it scrolls into view
            if editor.count():
                break
            if page.locator(".placeholder").count():
                page.locator(".placeholder").last.scroll_into_view_if_needed(timeout=2000)
            else:
                page.mouse.wheel(0, 400)
            page.wait_for_timeout(250)
        editor.click()
        page.keyboard.type("Uraian seri **penting**.")
        page.get_by_role("button", name="Save", exact=True).click()
        written = {}
        for _ in range(100):  # bounded: until the file appears
            written = page.evaluate(READ_SERIES)
            if "literasi-data-asn-4-0.md" in written:
                break
            page.wait_for_timeout(100)
        # Saved again after one change, the file changes only on that line.
        first = written.get("literasi-data-asn-4-0.md", "")
        page.goto(origin + "/admin/#/collections/series/entries/literasi-data-asn-4-0")
        field("summary").locator("textarea").fill("Ringkasan yang diperbaiki.")
        page.get_by_role("button", name="Save", exact=True).click()
        second = first
        for _ in range(100):
            second = page.evaluate(READ_SERIES).get("literasi-data-asn-4-0.md", "")
            if second and second != first:
                break
            page.wait_for_timeout(100)

    # Script errors and failed responses (the console also logs the refused requests to
    # outside, checked next).
    assert [e for e in opened.errors if not e.startswith("console: ")] == []
    # Only GitHub's status page and the CMS's update check were attempted, and refused.
    assert all(u.startswith(("https://www.githubstatus.com/", "https://unpkg.com/@sveltia/cms/package.json")) for u in outside), outside
    new_files = sorted(set(written) - {p.name for p in (project / "content/series").glob("*.md")})
    assert new_files == ["literasi-data-asn-4-0.md"]
    text = written["literasi-data-asn-4-0.md"]

    changed = [(a, b) for a, b in zip(first.splitlines(), second.splitlines()) if a != b]
    assert changed == [('summary: "Cara membaca data untuk ASN."', 'summary: "Ringkasan yang diperbaiki."')]
    assert len(first.splitlines()) == len(second.splitlines())

    # The same file name and the same first lines as `build.py new` writes.
    other = admin_project(tmp_path / "new")
    proc = run_cli("new", "Literasi Data: ASN 4.0!", "--program", "asn-belajar", "--date", "2024-03-07", "--root", str(other))
    assert proc.returncode == 0, proc.stderr
    scaffolded = (other / "content/series/literasi-data-asn-4-0.md").read_text(encoding="utf-8")
    assert text.splitlines()[:4] == scaffolded.splitlines()[:4] == [
        "---", 'title: "Literasi Data: ASN 4.0!"', 'program: "asn-belajar"', 'date: "2024-03-07"']

    # The file passes check --strict and builds into the expected page.
    (project / "content/series/literasi-data-asn-4-0.md").write_text(text, encoding="utf-8")
    proc = run_cli("check", "--root", str(project), "--strict")
    assert proc.returncode == 0, proc.stderr + text
    out = tmp_path / "out"
    proc = run_cli("build", "--root", str(project), "--output", str(out), "--no-search", "--no-cache", "--quiet", "--today", "2026-11-23")
    assert proc.returncode == 0, proc.stderr
    soup = BeautifulSoup((out / "seri/literasi-data-asn-4-0/index.html").read_text(encoding="utf-8"), "lxml")
    assert soup.h1.get_text(strip=True) == "Literasi Data: ASN 4.0!"
    facts = dict(zip([d.get_text(" ", strip=True) for d in soup.select("dl.facts dt")],
                     [d.get_text(" ", strip=True) for d in soup.select("dl.facts dd")]))
    assert facts["Tanggal"].startswith("Kamis, 7 Maret 2024")
    assert facts["Program"].startswith("ASN Belajar")
    assert facts["Kompetensi"] == "Teknis" and facts["Narasumber"] == "Dr. Contoh Narasumber"
    rows = [[c.get_text(strip=True) for c in tr.find_all(["th", "td"])] for tr in soup.find("table").select("tbody tr")]
    assert [r[:2] for r in rows[:2]] == [["Zoom Meeting", "950"], ["YouTube BPSDM Jatim", "12.000"]]
    assert soup.select_one("article strong").get_text() == "penting"
