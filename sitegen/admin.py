"""`build.py admin`: the browser editor's configuration, generated from the schema.

The editor at /admin/ is Sveltia CMS (a Git-based CMS that runs in the browser and commits
to the repository). Its form is described by `admin/config.yml`, which this module writes
from the same field declarations that validate content (`sitegen/schema.py`), with the
program and channel lists read from the project, so the form cannot drift from the checks.
`build.py admin --check` fails when the committed file is stale (CI runs it, like
`schema --check`).

The build copies `admin/` to `_site/admin/` (sitegen/assets.py): the page, this
configuration, and the vendored, pinned CMS script with its licence. Nothing is loaded
from a CDN.

One value is the project's own: the GitHub repository (`owner/name`) the editor commits to.
It is kept from the committed file when the configuration is generated again, and set with
`build.py admin --repo owner/name`.
"""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import yaml

from .load import ADMIN_DIR, FIGURES_FILE, MARKDOWN_KINDS
from .messages import _
from .problems import Problems
from .projectinfo import project_context
from .schema import (
    FIGURES_FILE_FIELDS,
    FIRST_DAY,
    GROUPED_HINT,
    LAST_DAY,
    Record,
    Year,
    COMPETENCIES,
    COMPETENCY_LABELS,
    MAX_MINUTES,
    GROUPED_RE,
    SLUG_RE,
    STATUSES,
    WEEKDAYS,
    Bool,
    Choice,
    Count,
    Date,
    Field,
    ListOf,
    MapOf,
    Minutes,
    Slug,
    Text,
    Time,
    Url,
    FIELDS_BY_KIND,
)

CONFIG = f"{ADMIN_DIR}/config.yml"
# The vendored CMS: npm @sveltia/cms, dist/sveltia-cms.js (the npm file's SHA-256 below),
# written by `build.py admin --vendor`; checked by tests/test_admin.py.
SVELTIA_VERSION = "0.221.1"
SVELTIA_JS = f"{ADMIN_DIR}/sveltia-cms.js"
SVELTIA_SHA256 = "2fc783907e1a4a70783f155cc28435c70b8f79792f2aab75e787984e84aa413a"
SVELTIA_LICENSE = f"{ADMIN_DIR}/sveltia-cms.LICENSE.txt"
# The CMS loads three web fonts (its text, code and icons) from cdn.jsdelivr.net. They are
# vendored from their npm packages into admin/fonts/, and the vendored script points to them
# there (a relative URL, so it works under a Pages project prefix too): the only change
# made to the npm file. npm package, version -> (URL in the script, file in the package).
FONTS = {
    ("@fontsource-variable/source-sans-3", "5.3.0"): (
        "https://cdn.jsdelivr.net/fontsource/fonts/source-sans-3:vf@5.3.0/latin-wght-normal.woff2",
        "files/source-sans-3-latin-wght-normal.woff2"),
    ("@fontsource/noto-mono", "5.3.0"): (
        "https://cdn.jsdelivr.net/fontsource/fonts/noto-mono@5.3.0/latin-400-normal.woff2",
        "files/noto-mono-latin-400-normal.woff2"),
    ("@fontsource-variable/material-symbols-outlined", "5.3.7"): (
        "https://cdn.jsdelivr.net/fontsource/fonts/material-symbols-outlined:vf@5.3.7/latin-wght-normal.woff2",
        "files/material-symbols-outlined-latin-wght-normal.woff2"),
}
PLACEHOLDER_REPO = "pemilik/repositori"
BRANCH = "main"
REPO_RE = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")

LABELS = {  # field name -> Indonesian label shown in the form
    "title": "Judul", "program": "Program", "date": "Tanggal", "time": "Jam mulai (WIB)",
    "speakers": "Narasumber", "competency": "Kompetensi", "tags": "Topik", "reach": "Jangkauan per kanal",
    "video": "Alamat rekaman video", "summary": "Ringkasan", "draft": "Draf (belum terbit)",
    "sample": "Entri contoh", "slug": "Alamat (slug)", "weekday": "Hari", "place": "Tempat",
    "channels": "Kanal siaran", "competencies": "Kompetensi", "movement": "Gerakan induk",
    "since": "Awal jadwal mingguan", "order": "Urutan tampil", "duration": "Durasi (menit)",
    "links": "Tautan bergabung atau menonton",
    "status": "Keadaan", "previous_date": "Tanggal semula (bila dipindah)",
}
# Hints written for the form where the schema's documentation speaks of the file's syntax.
FORM_HINTS = {
    "program": "Pilih program penyelenggara seri ini.",
    "date": "Tanggal tayang.",
    "time": "Jam mulai dalam WIB, misalnya 09:00.",
    "slug": "Biasanya dikosongkan: alamatnya diambil dari nama berkas.",
    "weekday": "Hari program dalam jadwal mingguan.",
    "reach": ("Angka yang diketik tangan, per kanal; kosongkan kanal yang tidak dipakai. Angka dari laporan peserta Zoom "
              "atau ekspor YouTube Studio tidak diketik di sini: berkas ekspornya diimpor dengan 'python build.py reach import' "
              "(Panduan editor, bagian 'Angka jangkauan dari berkas ekspor') dan angka impor itulah yang tampil. "
              "Jangan mengunggah berkas ekspor lewat editor ini: isinya nama dan e-mail peserta, dan repositori ini publik."),
    "draft": "Aktifkan bila seri belum boleh terbit.",
    "links": "Alamat https:// per kanal; kosongkan kanal yang tidak dipakai.",
    "status": "Kosongkan bila seri berjalan sesuai rencana. Ditunda: tanggal tetap tanggal semula. Dipindah: Tanggal diisi hari baru dan 'Tanggal semula' hari lama.",
    "previous_date": "Hanya untuk seri yang dipindah: hari yang semula ditetapkan.",
}
STATUS_LABELS = {"terjadwal": "Terjadwal (sesuai rencana)", "dibatalkan": "Dibatalkan", "ditunda": "Ditunda", "dipindah": "Dipindah ke tanggal lain"}
WEEKDAY_LABELS = {d: d.capitalize() if d != "jumat" else "Jumat" for d in WEEKDAYS}
NUMBER_HINT = "Bilangan bulat 0 atau lebih, tanpa pemisah ribuan."
# Fields the editor never offers for a new series: a real series is never a sample, and the
# address comes from the file name (the same choice as `build.py new`).
HIDDEN_FOR_NEW = ("sample",)


def _choice_options(f_type: Choice, ctx: dict) -> list:
    if f_type.from_ctx == "programs":
        return [{"label": ctx["program_titles"].get(s, s), "value": s} for s in ctx["programs"]]
    if f_type.from_ctx == "channels":
        return [{"label": ctx["channel_labels"].get(c, c), "value": c} for c in ctx["channels"]]
    if f_type.choices == COMPETENCIES:
        return [{"label": COMPETENCY_LABELS[c], "value": c} for c in COMPETENCIES]
    if f_type.choices == STATUSES:
        return [{"label": STATUS_LABELS[c], "value": c} for c in STATUSES]
    if f_type.choices == WEEKDAYS:
        return [{"label": WEEKDAY_LABELS[d], "value": d} for d in WEEKDAYS]
    return list(f_type.choices)


def _widget(name: str, label: str, t, required: bool, hint: str, ctx: dict) -> dict:
    """One Sveltia/Decap field from a schema type."""
    w: dict = {"name": name, "label": label}
    if isinstance(t, Text):
        w["widget"] = "text" if (t.multiline or name == "summary") else "string"
    elif isinstance(t, Slug):
        w.update(widget="string", pattern=[SLUG_RE.pattern, "Huruf kecil, angka, dan tanda hubung tunggal, misalnya literasi-data-untuk-asn."])
    elif isinstance(t, Date):
        w.update(widget="datetime", format="YYYY-MM-DD", date_format="DD-MM-YYYY", time_format=False)
    elif isinstance(t, Time):
        w.update(widget="datetime", format="HH:mm", date_format=False, time_format="HH:mm")
    elif isinstance(t, Bool):
        w.update(widget="boolean")
    elif isinstance(t, Count):
        if t.grouped:
            w.update(widget="string", pattern=[GROUPED_RE.pattern, GROUPED_HINT])
        else:
            w.update(widget="number", value_type="int", min=0)
            hint = hint or NUMBER_HINT
    elif isinstance(t, Minutes):
        w.update(widget="number", value_type="int", min=1, max=MAX_MINUTES)
    elif isinstance(t, Url):
        w.update(widget="string", pattern=["^https?://[^\\s<>\"']+$", "Alamat web yang diawali https://"])
    elif isinstance(t, Choice) and t.from_ctx not in ("", "programs", "channels"):
        w.update(widget="string")  # a value named elsewhere in the same file (a source's id)
    elif isinstance(t, Choice):
        w.update(widget="select", options=_choice_options(t, ctx))
    elif isinstance(t, Year):
        w.update(widget="number", value_type="int", min=FIRST_DAY.year, max=LAST_DAY.year)
    elif isinstance(t, ListOf) and isinstance(t.item, Record):
        w.update(widget="list", fields=_fields(t.item.fields, ctx))
        if t.item.summary:
            w["summary"] = t.item.summary
    elif isinstance(t, ListOf) and isinstance(t.item, Choice):
        w.update(widget="select", multiple=True, options=_choice_options(t.item, ctx))
    elif isinstance(t, ListOf):
        w.update(widget="list", field={"name": "item", "label": label, "widget": "string"})
    elif isinstance(t, MapOf):
        subs = []
        for channel in ctx["channels"]:
            sub = _widget(channel, ctx["channel_labels"].get(channel, channel), t.value, False,
                          GROUPED_HINT if getattr(t.value, "grouped", False) else "", ctx)
            subs.append(sub)
        w.update(widget="object", fields=subs)
    else:  # a new type in schema.py needs a widget here; the staleness test catches it
        raise TypeError(f"no editor widget for {type(t).__name__}")
    w["required"] = bool(required)
    if hint:
        w["hint"] = hint
    return w


def _fields(fields: tuple[Field, ...], ctx: dict, skip: tuple = ()) -> list:
    """The form's fields, from a field table: the field's own label and hint where it has
    them (the declared figures), else the front matter's (LABELS, FORM_HINTS), else its doc."""
    out = []
    for f in fields:
        if f.name in skip:
            continue
        hint = f.hint or (f.doc if f.label else FORM_HINTS.get(f.name, f.doc))
        out.append(_widget(f.name, f.label or LABELS.get(f.name, f.name), f.type, f.required, hint, ctx))
    return out


def _body(label: str) -> dict:
    return {"name": "body", "label": label, "widget": "markdown", "required": False}


def config_data(ctx: dict, repo: str) -> dict:
    """The CMS configuration as plain data (see config_text)."""
    series = MARKDOWN_KINDS["series"]
    return {
        "backend": {"name": "github", "repo": repo, "branch": BRANCH},
        "publish_mode": "editorial_workflow",
        "media_folder": "static/media",
        "public_folder": "/media",
        "slug": {"encoding": "ascii", "clean_accents": True, "sanitize_replacement": "-", "maxlength": 80},
        "output": {"omit_empty_optional_fields": True, "yaml": {"quote": "double", "indent_sequences": True}},
        "collections": [
            {
                "name": "series", "label": "Seri", "label_singular": "Seri",
                "description": ("Satu berkas per seri (episode). Berkas baru diberi nama dari judulnya, seperti 'python build.py new'. "
                                "Jangkauan dari laporan Zoom atau YouTube Studio: lihat Panduan editor, bagian 'Angka jangkauan dari berkas ekspor'; "
                                "berkas ekspornya jangan diunggah ke sini."),
                "folder": series, "extension": "md", "format": "frontmatter", "create": True, "delete": False,
                "slug": "{{title}}", "identifier_field": "title",
                "summary": "{{date}} · {{title}}", "sortable_fields": ["date", "title"],
                "fields": _fields(FIELDS_BY_KIND["series"], ctx, skip=HIDDEN_FOR_NEW) + [_body("Uraian")],
            },
            {
                "name": "programs", "label": "Program", "label_singular": "Program",
                "description": "Lima program harian dan ASN Belajar. Nama berkas adalah slug program.",
                "folder": MARKDOWN_KINDS["program"], "extension": "md", "format": "frontmatter",
                "create": False, "delete": False, "identifier_field": "title",
                "fields": _fields(FIELDS_BY_KIND["program"], ctx) + [_body("Deskripsi")],
            },
            {
                "name": "pages", "label": "Halaman", "label_singular": "Halaman",
                "folder": MARKDOWN_KINDS["page"], "extension": "md", "format": "frontmatter",
                "create": True, "delete": False, "slug": "{{title}}", "identifier_field": "title",
                "fields": _fields(FIELDS_BY_KIND["page"], ctx) + [_body("Isi")],
            },
            {
                "name": "figures", "label": "Angka resmi", "editor": {"preview": False},
                "files": [{
                    "name": "figures", "label": "Angka jangkauan yang dinyatakan", "file": FIGURES_FILE, "format": "yaml",
                    "fields": _fields(FIGURES_FILE_FIELDS, ctx),
                }],
            },
        ],
    }


HEADER = """\
# The browser editor's configuration (Sveltia CMS at /admin/). GENERATED from
# sitegen/schema.py, site.yaml and content/programs/ by `python build.py admin`; do not edit
# by hand (CI runs `python build.py admin --check`). Set the repository once with
# `python build.py admin --repo owner/name`.
"""


def config_text(ctx: dict, repo: str) -> str:
    body = yaml.safe_dump(config_data(ctx, repo), sort_keys=False, allow_unicode=True, width=float("inf"), indent=2)
    return HEADER + body


def committed_repo(root: Path) -> str:
    """The repository recorded in the committed configuration, else the placeholder."""
    path = root / CONFIG
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        repo = data["backend"]["repo"]
        if isinstance(repo, str) and REPO_RE.match(repo):
            return repo
    except (OSError, yaml.YAMLError, KeyError, TypeError):
        pass
    return PLACEHOLDER_REPO


def admin_context(root: Path, problems: Problems) -> dict | None:
    config, ctx, programs = project_context(root, problems)
    if config is None or problems.errors:
        return None
    ctx = dict(ctx)
    ctx["program_titles"] = {slug: rec["title"] for slug, rec in programs.items()}
    ctx["channel_labels"] = dict(config.channels)
    return ctx


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _npm_pack(spec: str, dest: Path) -> Path:
    """`npm pack` one package into dest and unpack it; returns its package/ folder."""
    proc = subprocess.run(["npm", "pack", spec, "--silent"], cwd=dest, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"build.py: npm pack {spec} failed: {proc.stderr.strip()[:300]}")
    name = proc.stdout.strip().splitlines()[-1]
    folder = dest / name.removesuffix(".tgz")
    with tarfile.open(dest / name) as tar:
        tar.extractall(folder, filter="data")
    return folder / "package"


def vendor(root: Path) -> list[str]:
    """Fetch the pinned CMS and its fonts with npm and write them into admin/."""
    out = root / ADMIN_DIR
    (out / "fonts").mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory() as tmp:
        pkg = _npm_pack(f"@sveltia/cms@{SVELTIA_VERSION}", Path(tmp))
        js = (pkg / "dist" / "sveltia-cms.js").read_bytes()
        if hashlib.sha256(js).hexdigest() != SVELTIA_SHA256:
            raise SystemExit(f"build.py: @sveltia/cms@{SVELTIA_VERSION}: dist/sveltia-cms.js is not the pinned file (SHA-256 differs)")
        text = js.decode("utf-8")
        for (name, version), (url, file) in FONTS.items():
            if text.count(url) != 1:
                raise SystemExit(f"build.py: the CMS script no longer loads {url}; update FONTS in sitegen/admin.py")
            fpkg = _npm_pack(f"{name}@{version}", Path(tmp))
            target = f"fonts/{Path(file).name}"
            (out / target).write_bytes((fpkg / file).read_bytes())
            lic = next(p for p in sorted(fpkg.iterdir()) if p.name.upper().startswith("LICEN"))
            (out / "fonts" / f"{Path(file).stem}.LICENSE.txt").write_bytes(lic.read_bytes())
            text = text.replace(url, target)
            written += [f"{ADMIN_DIR}/{target}", f"{ADMIN_DIR}/fonts/{Path(file).stem}.LICENSE.txt"]
        (root / SVELTIA_JS).write_text(text, encoding="utf-8", newline="")
        (root / SVELTIA_LICENSE).write_bytes((pkg / "LICENSE.txt").read_bytes())
    return [SVELTIA_JS, SVELTIA_LICENSE] + written


def cmd_admin(args) -> int:
    root = args.root.resolve()
    if getattr(args, "vendor", False):
        for rel in vendor(root):
            print(_("wrote {path}").format(path=rel))
    problems = Problems()
    ctx = admin_context(root, problems)
    if ctx is None:
        for p in problems.sorted():
            print(p.format(), file=sys.stderr)
        print("build.py: " + _("the editor's configuration needs a valid site.yaml and content/programs/; fix the problems above"), file=sys.stderr)
        return 1
    repo = committed_repo(root)
    if args.repo is not None:
        if not REPO_RE.match(args.repo):
            print("build.py: " + _("--repo: expected owner/name (for example bpsdm-jatim/asn-belajar), got {repo}").format(repo=repr(args.repo)), file=sys.stderr)
            return 2
        repo = args.repo
    text = config_text(ctx, repo)
    path = root / CONFIG
    current = path.read_text(encoding="utf-8") if path.is_file() else None
    if args.check:
        if args.repo is not None:
            print("build.py: " + _("--check and --repo do not go together"), file=sys.stderr)
            return 2
        if current != text:
            print(_("{path}: out of date (run: python build.py admin, then commit it)").format(path=CONFIG), file=sys.stderr)
            return 1
        note = "" if repo != PLACEHOLDER_REPO else _("; the repository is still {repo} (set it with --repo owner/name)").format(repo=PLACEHOLDER_REPO)
        print(_("admin configuration up to date: {path}").format(path=CONFIG) + note)
        return 0
    if current == text:
        print(_("admin configuration up to date: {path}").format(path=CONFIG))
        return 0
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="\n")
    print(_("wrote {path}").format(path=CONFIG))
    return 0
