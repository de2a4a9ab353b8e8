"""Front matter of the plain shape is read without the YAML parser (yamlfile._plain), and
that reader must agree with the parser on every text it accepts: the same values, of the
same types (a decimal keeps the text it was written as), and the same line of every key and
item. On any text the parser refuses, or reads otherwise, the plain reader must give up.

The texts are generated from lines of the shapes front matter has and of the shapes around
them (comments, flow lists, quotes with escapes, continued lines, odd indentation, keys
YAML reads as other values), with scalars at the edges of YAML's types."""

from __future__ import annotations

import os
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import REPO
from sitegen import yamlfile
from sitegen.problems import Problems

EXAMPLES = int(os.environ.get("PROPERTY_SCALE", "1")) * 400
AGREE = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def parsed_by_yaml(text: str, offset: int = 1):
    """What the YAML parser makes of `text` (the plain reader switched off), and its problems."""
    problems = Problems()
    plain, yamlfile._plain = yamlfile._plain, lambda _text, _offset: None
    try:
        return yamlfile.parse_yaml(text, "x.md", problems, offset=offset), problems
    finally:
        yamlfile._plain = plain


def same(a, b) -> bool:
    """Equal values of the same types, all the way down (True is not 1, 1.0 is not 1)."""
    if type(a) is not type(b):
        return False
    if type(a) is dict:
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if type(a) is list:
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if type(a) is yamlfile.WrittenFloat:
        return a.text == b.text
    return a == b


def agrees(text: str, offset: int = 1) -> bool:
    """Checks the two readers on `text`; True when the plain reader read it."""
    plain = yamlfile._plain(text, offset)
    full, problems = parsed_by_yaml(text, offset)
    if plain is None:
        return False
    assert full is not None and not problems.items, (text, [p.format() for p in problems.items])
    assert same(plain.data, full.data), (text, plain.data, full.data)
    assert plain.lines == full.lines, (text, plain.lines, full.lines)
    return True


SCALARS = [
    "", "x", "Judul Seri", "true", "True", "TRUE", "tRue", "false", "no", "yes", "on", "~", "null", "Null", "NULL",
    "nULL", "0", "00", "0755", "-0", "+5", "-12", "1_000", "12.000", "12.500", "1.", ".5", "1e5", "1.5e3", "-1.5E-3",
    "0x1F", "1:30", "10:00", "2024-02-22", "2024-02-30", "-", "- a", "-a", "a: b", "a:b", "a:", "C#", "x #y", "#x",
    "'", "''", '"', '""', '"a"', "'a'", '"a\\"b"', '"a\\nb"', "'it''s'", "'a' b", '"a" b', "[a, b]", "{a: 1}", "[]",
    "&a x", "*a", "!tag x", "!!str 1", "|", ">", "%x", "@x", "`x`", "?x", "? x", ": x", ",x", "a,b", "a\tb",
    "é", "Bahasa Indonésia", "日本語", "\u00a0x", "x\u00a0", "x\x85y", "x\u2028y", "\ufeffx", "x\x7fy", "x\x00y",
    "😀", "a  b", "https://zoom.us/j/123", "Dr. A, M.Si.", "x" * 10_001, "9" * 18, "9" * 19, "---", "...",
]
KEYS = ["title", "date", "speakers", "reach", "zoom", "a-b", "_x", "Key", "true", "null", "NULL", "12", "x y", "é",
        "tags", "title"]


@st.composite
def front_matter(draw) -> str:
    scalar = st.one_of(st.sampled_from(SCALARS), st.text(max_size=12))
    key = st.one_of(st.sampled_from(KEYS), st.from_regex(r"[A-Za-z_][A-Za-z0-9_-]{0,6}", fullmatch=True))
    line = st.one_of(
        st.builds(lambda k, sep, v: f"{k}{sep}{v}", key, st.sampled_from([": ", ":  ", ":", " : ", ":\t"]), scalar),
        st.builds(lambda k: f"{k}:", key),
        st.builds(lambda ind, v: f"{ind}- {v}", st.sampled_from([" ", "  ", "    ", "", "\t"]), scalar),
        st.builds(lambda ind, k, v: f"{ind}{k}: {v}", st.sampled_from([" ", "  ", "    ", "\t"]), key, scalar),
        st.builds(lambda ind, v: f"{ind}{v}", st.sampled_from([" ", "  "]), scalar),
        st.sampled_from(["", "   ", "# a comment", "title: x # comment", "---", "- a", "  -", "  - - a", "  - a: b"]),
    )
    lines = draw(st.lists(line, min_size=1, max_size=12))
    return "\n".join(lines) + draw(st.sampled_from(["", "\n", " ", "\r\n"]))


@st.composite
def plain_shaped(draw) -> str:
    """Texts of the plain shape's structure (keys, then lists or field sets under some),
    with any scalars: most are read plain, and each of those must agree."""
    scalar = st.one_of(st.sampled_from(SCALARS), st.text(max_size=12), st.from_regex(r"[0-9.+-]{1,6}", fullmatch=True))
    key = st.one_of(st.sampled_from(KEYS[:7]), st.from_regex(r"[a-z_][a-z0-9_-]{0,6}", fullmatch=True))
    lines = []
    for _ in range(draw(st.integers(1, 8))):
        kind = draw(st.sampled_from(["value", "list", "fields", "empty"]))
        name = draw(key)
        if kind == "value":
            lines.append(f"{name}: {draw(scalar)}")
            continue
        lines.append(f"{name}:")
        indent = draw(st.sampled_from([" ", "  ", "    "]))
        for _ in range(draw(st.integers(0 if kind == "empty" else 1, 4)) if kind != "empty" else 0):
            if draw(st.booleans()):
                lines.append("")
            lines.append(f"{indent}- {draw(scalar)}" if kind == "list" else f"{indent}{draw(key)}: {draw(scalar)}")
    return "\n".join(lines) + draw(st.sampled_from(["", "\n", "  "]))


@AGREE
@given(st.one_of(front_matter(), plain_shaped()), st.sampled_from([0, 1, 5]))
def test_the_plain_reader_agrees_with_the_yaml_parser(text, offset):
    agrees(text, offset)


PLAIN_SCALARS = [
    "x", "Judul Seri", "true", "False", "~", "null", "NULL", "0", "-0", "+5", "-12", "12.000", "12.500", "1.", ".5",
    "1e5", "1.5e3", "-1.5E-3", "0x1F", "0755", "1_000", "1:30", "2024-02-22", "a:b", "a,b", "x-y", "x - y", "C++",
    "'it''s'", "'a: b'", '"a"', '"a: b, c"', "''", '""', "é", "Bahasa Indonésia", "日本語", "x\u00a0y", "😀",
    "a  b", "https://zoom.us/j/123?pwd=ab", "Dr. A, M.Si.", "9" * 18, "[sic] x" [6:], "x [y]", "x {y}", "x!", "x&y",
]


def test_texts_of_the_plain_shape_with_plain_values_are_read_plain():
    """Keys, lists and field sets with values that need no YAML parser: every such text is
    read plain, and agrees (a reader that gave up on everything would pass the test above)."""
    import random

    rng = random.Random(20241205)
    for _ in range(300):
        lines = []
        names = rng.sample(["title", "date", "speakers", "reach", "links", "tags", "x_y", "a-b", "n0"], rng.randint(1, 6))
        for name in names:
            kind = rng.choice(["value", "list", "fields", "empty"])
            if kind == "value":
                lines.append(f"{name}: {rng.choice(PLAIN_SCALARS)}")
                continue
            lines.append(f"{name}:")
            indent = rng.choice([" ", "  ", "    "])
            subs = rng.sample(["zoom", "youtube", "x", "k_1"], rng.randint(1, 4))
            for sub in ([] if kind == "empty" else subs):
                if rng.random() < 0.2:
                    lines.append("")
                lines.append(f"{indent}- {rng.choice(PLAIN_SCALARS)}" if kind == "list" else f"{indent}{sub}: {rng.choice(PLAIN_SCALARS)}")
        text = "\n".join(lines) + rng.choice(["", "\n", "  \n"])
        assert agrees(text, rng.choice([0, 1, 7])), text


def test_the_plain_reader_reads_what_front_matter_usually_is_and_gives_up_on_the_rest():
    usual = ('title: "Literasi Digital untuk ASN"\n'  # line 2 of the file (offset 1)
             "program: asn-belajar\n"
             'date: "2024-02-22"\n'
             'time: "09:00"\n'
             "speakers:\n"
             "  - Dr. Siti Handayani, M.Si.\n"
             "  - 'Budi ''Bud'' Santoso'\n"
             "duration: 90\n"
             "reach:\n"
             "  zoom: 1.234\n"
             "  youtube: 12.000\n"  # line 12
             "sample: true\n"
             "summary: Satu kalimat: tanpa spasi sesudah titik dua? Ya:tidak.\n")
    assert agrees(usual.replace("summary: Satu kalimat: tanpa", "summary: Satu kalimat, tanpa"))
    plain = yamlfile._plain(usual.replace("summary: Satu kalimat: tanpa", "summary: Satu kalimat, tanpa"), 1)
    assert plain.data["speakers"] == ["Dr. Siti Handayani, M.Si.", "Budi 'Bud' Santoso"] and plain.data["duration"] == 90
    assert plain.data["reach"] == {"zoom": 1.234, "youtube": 12.0} and plain.data["reach"]["youtube"].text == "12.000"
    assert plain.lines[("reach", "youtube")] == 12 and plain.lines[("speakers", 1)] == 8 and plain.lines[()] == 2
    for text in (usual,  # "kalimat: tanpa" would be a mapping: the parser says what is wrong
                 "title: x # komentar\n", "speakers: [a, b]\n", 'title: "a\\"b"\n', "title: x\n  lanjut\n",
                 "title: x\ntitle: y\n", "true: x\n", "title:\n  - a\n  zoom: 1\n", "title: |\n  teks\n",
                 "a:\n- x\n", "title:\tx\n", "title: x\r\n", "title: \ufeffx\n", "title: &a x\n", ""):
        assert yamlfile._plain(text, 1) is None, text
        agrees(text)


def test_every_shipped_front_matter_is_read_alike():
    """The project's own content and the golden fixture: each file read both ways."""
    files = sorted((REPO / "content").rglob("*.md")) + sorted((REPO / "tests" / "golden").rglob("*.md"))
    read_plain = 0
    for path in files:
        lines = path.read_text(encoding="utf-8").split("\n")
        close = next(i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "..."))
        read_plain += agrees("\n".join(lines[1:close]))
    assert files and read_plain >= len(files) // 2, (read_plain, len(files))
