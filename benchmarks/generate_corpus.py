"""Generate the benchmark corpus: N series of about 7 KB of Markdown each (headings, lists,
a table), as a project for build.py and as the same content for Hugo.

    python benchmarks/generate_corpus.py DIR --series 4000

writes DIR/site/: the shipped site (site.yaml, templates/, static/, the programs, pages and
figures of content/) with the N generated series in content/series/*.md, every one marked
`sample: true`; so a build of it makes everything a build of the real site makes: the real
pages, share images, feeds, calendar, open data and search index. With --minimal it takes
the stand-in templates of benchmarks/templates/ instead (no share images): the shape of the
Hugo side, not the site. DIR/hugo/ holds the same series as content/seri/*.md with minimal
layouts from benchmarks/hugo/. The output is a pure function of the arguments: the same
arguments give the same bytes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent

# program slug -> (weekday number, competencies it may carry)
PROGRAMS = {
    "forum-asn-berbagi-ilmu": (0, ()),
    "forum-asn-bertanya": (1, ()),
    "asn-mengaji": (2, ()),
    "asn-belajar": (3, ("manajerial", "teknis", "fungsional", "sosial-kultural")),
    "asn-sehat-bugar": (4, ()),
}
PROGRAM_TITLES = {
    "forum-asn-berbagi-ilmu": "Forum ASN Berbagi Ilmu",
    "forum-asn-bertanya": "Forum ASN Bertanya, BPSDM Menjawab",
    "asn-mengaji": "ASN Mengaji",
    "asn-belajar": "ASN Belajar",
    "asn-sehat-bugar": "ASN Sehat dan Bugar",
}
FIRST_YEAR, LAST_YEAR = 2016, 2025

TOPICS = [
    "literasi data", "pelayanan publik", "kepemimpinan", "komunikasi", "etika birokrasi",
    "manajemen kinerja", "transformasi digital", "keamanan siber", "penganggaran", "pengadaan",
    "inovasi daerah", "reformasi birokrasi", "kesehatan kerja", "kebugaran", "gizi seimbang",
    "kesehatan mental", "akhlak", "moderasi beragama", "keuangan keluarga", "arsip digital",
    "tata naskah dinas", "analisis kebijakan", "perencanaan pembangunan", "statistik sektoral",
    "smart city", "e-government", "manajemen risiko", "pengawasan internal", "integritas",
    "antikorupsi", "budaya kerja", "kolaborasi", "koordinasi lintas sektor", "public speaking",
    "penulisan laporan", "presentasi efektif", "manajemen waktu", "pengelolaan stres",
    "ergonomi", "pelatihan jarak jauh", "coaching", "mentoring", "manajemen talenta",
    "jabatan fungsional", "angka kredit", "evaluasi kinerja", "survei kepuasan", "pengaduan",
    "layanan terpadu", "desa digital", "umkm", "ekonomi kreatif", "pariwisata", "lingkungan hidup",
    "kebencanaan", "ketahanan pangan", "kesetaraan gender", "perlindungan anak", "disabilitas",
    "bahasa indonesia", "bahasa inggris", "excel", "visualisasi data", "kecerdasan buatan",
    "media sosial", "kehumasan", "protokol", "kearsipan", "aset daerah", "pajak daerah",
    "retribusi", "perizinan", "investasi", "hukum administrasi", "disiplin pegawai",
    "manajemen konflik", "negosiasi", "berpikir kritis", "kreativitas", "adaptasi perubahan",
]
WORDS = (
    "aparatur sipil negara pelayanan publik kompetensi pengembangan kinerja organisasi "
    "perangkat daerah masyarakat kebijakan program kegiatan evaluasi perencanaan pelaksanaan "
    "kolaborasi inovasi digital data informasi laporan anggaran tujuan sasaran indikator "
    "peserta narasumber materi diskusi praktik baik pengalaman tantangan solusi strategi "
    "komunikasi koordinasi integritas akuntabilitas transparansi efektif efisien berkelanjutan "
    "pembelajaran pelatihan webinar sesi pertanyaan jawaban contoh kasus langkah sederhana "
    "setiap hari kerja tim unit pimpinan staf warga layanan mutu standar prosedur"
).split()
FIRST_NAMES = ["Ahmad", "Siti", "Budi", "Dewi", "Eko", "Fitri", "Gunawan", "Hana", "Imam", "Joko",
               "Kartika", "Lestari", "Made", "Nur", "Oki", "Putri", "Rahmat", "Sri", "Teguh", "Wulan"]
LAST_NAMES = ["Santoso", "Wijaya", "Rahayu", "Prasetyo", "Hidayat", "Kusuma", "Nugroho", "Lestari",
              "Saputra", "Wibowo", "Handayani", "Setiawan", "Purnomo", "Utami", "Susanto"]
TITLE_HEADS = ["Strategi", "Mengenal", "Praktik Baik", "Tantangan", "Membangun", "Memperkuat",
               "Inovasi", "Belajar", "Menata", "Peran", "Kiat", "Meningkatkan", "Dasar-Dasar", "Menuju"]
TITLE_TAILS = ["bagi ASN", "di Perangkat Daerah", "untuk Pelayanan Publik", "di Era Digital",
               "dalam Tugas Sehari-hari", "di Lingkungan Kerja", "Jawa Timur", "yang Berdampak"]


def sentence(rng: random.Random, n: int | None = None, marks: bool = True) -> str:
    words = [rng.choice(WORDS) for _ in range(n or rng.randint(9, 18))]
    if marks and rng.random() < 0.3:
        i = rng.randrange(len(words))
        words[i] = f"**{words[i]}**"
    if marks and rng.random() < 0.2:
        i = rng.randrange(len(words))
        words[i] = f"*{words[i]}*"
    text = " ".join(words)
    return text[0].upper() + text[1:] + "."


def paragraph(rng: random.Random, sentences: int) -> str:
    return " ".join(sentence(rng) for _ in range(sentences))


def body(rng: random.Random, title: str, speakers: list) -> str:
    """About 7 KB of Markdown: paragraphs, headings, lists, a table, a link."""
    parts = [paragraph(rng, 5), "## Latar belakang", paragraph(rng, 6), paragraph(rng, 5)]
    parts += ["## Tujuan", "\n".join(f"- {sentence(rng, rng.randint(5, 10))}" for _ in range(5))]
    parts += ["## Materi", paragraph(rng, 3)]
    for i in range(1, 4):
        parts += [f"### Bagian {i}: {rng.choice(TITLE_HEADS)} {rng.choice(WORDS)}", paragraph(rng, 4)]
        parts.append("\n".join(f"{k}. {sentence(rng, rng.randint(5, 9))}" for k in range(1, 4)))
    rows = ["| Sesi | Waktu | Pengisi | Pokok bahasan |", "| --- | --- | --- | --- |"]
    minute = 0
    for k in range(1, 7):
        who = speakers[k % len(speakers)]
        rows.append(f"| {k} | {9 + minute // 60:02d}.{minute % 60:02d} | {who} | {sentence(rng, 4)[:-1]} |")
        minute += rng.choice((15, 20, 30))
    parts += ["## Susunan acara", "\n".join(rows)]
    parts += ["## Tanya jawab", paragraph(rng, 5), "> " + sentence(rng)]
    parts += ["## Penutup", paragraph(rng, 4),
              f"Bahan lanjutan: [{title}](https://bpsdm.jatimprov.go.id/) dan rekaman di kanal resmi."]
    text = "\n\n".join(parts)
    while len(text) < 6600:
        text += "\n\n" + paragraph(rng, 3)
    return text + "\n"


def slugify(text: str) -> str:
    import re

    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def make_series(n: int, seed: int) -> list[dict]:
    rng = random.Random(seed)
    programs = list(PROGRAMS)
    first = dt.date(FIRST_YEAR, 1, 1)
    days = (dt.date(LAST_YEAR, 12, 31) - first).days
    out = []
    for i in range(n):
        program = programs[i % len(programs)]
        weekday, competencies = PROGRAMS[program]
        day = first + dt.timedelta(days=rng.randrange(days))
        day += dt.timedelta(days=(weekday - day.weekday()) % 7)
        if day.year > LAST_YEAR:
            day -= dt.timedelta(days=7)
        topic = rng.choice(TOPICS)
        title = f"{rng.choice(TITLE_HEADS)} {topic.title()} {rng.choice(TITLE_TAILS)}"
        slug = f"{slugify(title)}-{i + 1:05d}"
        tags = sorted({topic, *rng.sample(TOPICS, rng.randint(1, 3))})
        speakers = sorted({f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}" for _ in range(rng.randint(1, 3))})
        out.append({
            "slug": slug, "title": title, "program": program, "date": day,
            "time": f"{rng.choice((8, 9, 10, 13)):02d}:{rng.choice(('00', '30'))}",
            "speakers": speakers, "competency": rng.choice(competencies) if competencies else None,
            "tags": tags, "reach": {"zoom": rng.randint(80, 1000), "youtube": rng.randint(200, 30000)},
            "summary": sentence(rng, 14, marks=False), "body": body(rng, title, speakers),
        })
    return out


def q(text: str) -> str:
    """A YAML double-quoted string."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def ours(s: dict) -> str:
    lines = ["---", f"title: {q(s['title'])}", f"program: {s['program']}", f'date: "{s["date"].isoformat()}"',
             f'time: "{s["time"]}"', "speakers:"] + [f"  - {q(x)}" for x in s["speakers"]]
    if s["competency"]:
        lines.append(f"competency: {s['competency']}")
    lines += ["tags:"] + [f"  - {q(t)}" for t in s["tags"]]
    lines += ["reach:"] + [f"  {k}: {v}" for k, v in s["reach"].items()]
    lines += [f"summary: {q(s['summary'])}", "sample: true", "---", s["body"]]
    return "\n".join(lines)


def hugo(s: dict) -> str:
    lines = ["---", f"title: {q(s['title'])}", f"date: {s['date'].isoformat()}T{s['time']}:00+07:00",
             f"programs: [{s['program']}]", f"tahun: ['{s['date'].year}']", "speakers:"]
    lines += [f"  - {q(x)}" for x in s["speakers"]]
    if s["competency"]:
        lines.append(f"kompetensi: [{s['competency']}]")
    lines += ["tags:"] + [f"  - {q(t)}" for t in s["tags"]]
    lines += ["reach:"] + [f"  {k}: {v}" for k, v in s["reach"].items()]
    lines += [f"summary: {q(s['summary'])}", "---", s["body"]]
    return "\n".join(lines)


# The stand-in (--minimal): the shipped site.yaml's settings without share images.
MINIMAL_SITE_YAML = """\
title: ASN Belajar & ASN Dahar Ngopi
organisation: BPSDM Provinsi Jawa Timur
description: Korpus uji kecepatan build.
base_url: http://localhost:8000/
language: id
timezone: Asia/Jakarta
channels:
  zoom: Zoom Meeting
  youtube: YouTube BPSDM Jatim
per_page: 20
markdown: pulldown-cmark
schedule_since: 2023-09-14
search: true
share_images: false  # Hugo's benchmark layouts draw no share images either
"""


SHIPPED = ("site.yaml", "templates", "static", "content/programs", "content/pages", "content/figures.yaml")


def generate(dest: Path, n: int, seed: int = 2024, minimal: bool = False) -> tuple[Path, Path]:
    """Write DIR/site and DIR/hugo; returns both paths. DIR/site is the shipped site with
    the generated series, or with minimal=True the stand-in templates."""
    dest = dest.resolve()
    site, hsite = dest / "site", dest / "hugo"
    for d in (site, hsite):
        if d.exists():
            shutil.rmtree(d)
    (site / "content" / "series").mkdir(parents=True)
    if minimal:
        shutil.copytree(REPO / "content" / "programs", site / "content" / "programs")
        shutil.copy(REPO / "content" / "figures.yaml", site / "content" / "figures.yaml")
        shutil.copytree(HERE / "templates", site / "templates")
        (site / "site.yaml").write_text(MINIMAL_SITE_YAML, encoding="utf-8")
    else:
        for name in SHIPPED:
            src = REPO / name
            if src.is_dir():
                shutil.copytree(src, site / name)
            elif src.is_file():
                shutil.copy(src, site / name)
    shutil.copytree(HERE / "hugo", hsite)
    (hsite / "content" / "seri").mkdir(parents=True)
    for slug, title in PROGRAM_TITLES.items():  # term pages titled like the programs
        folder = hsite / "content" / "programs" / slug
        folder.mkdir(parents=True)
        (folder / "_index.md").write_text(f"---\ntitle: {q(title)}\n---\n", encoding="utf-8")
    for s in make_series(n, seed):
        (site / "content" / "series" / f"{s['slug']}.md").write_text(ours(s), encoding="utf-8")
        (hsite / "content" / "seri" / f"{s['slug']}.md").write_text(hugo(s), encoding="utf-8")
    return site, hsite


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("dir", type=Path, help="folder to write (its site/ and hugo/ are replaced)")
    p.add_argument("--series", type=int, default=4000, help="number of series (default 4000)")
    p.add_argument("--seed", type=int, default=2024, help="random seed (default 2024)")
    p.add_argument("--minimal", action="store_true",
                   help="the stand-in templates of benchmarks/templates/ instead of the shipped site")
    args = p.parse_args(argv)
    site, hsite = generate(args.dir, args.series, args.seed, args.minimal)
    print(f"wrote {args.series} series to {site} and {hsite}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
