"""Numbers as Indonesians write them: in `reach` and the declared figures, `12.000` and
`1.529.584` are twelve thousand and 1,529,584 (dots grouping thousands in threes);
`12.5`, `12,5` and `1.52` are refused with a message saying how to write the number.
The JSON Schema accepts the same."""

from __future__ import annotations

import datetime as dt
import json

import jsonschema
import pytest

from conftest import FIGURES, REPO, make_project, run_cli, tree_bytes
from sitegen.pipeline import Options, build
from sitegen.problems import BuildFailed, Problems
from sitegen.schema import Count
from sitegen.yamlfile import parse_yaml

HOW = "expected a whole number of 0 or more, written 12000 or 12.000 (a dot only between groups of three digits; no decimals)"


def series(front: str) -> str:
    return f"---\ntitle: a\nprogram: asn-belajar\ndate: 2024-01-04\n{front}---\nIsi.\n"


def result_for(tmp_path, files):
    root = make_project(tmp_path, files)
    opts = Options(root=root, use_cache=False, search=False, today=dt.date(2026, 1, 1))
    try:
        return build(opts, write=False), []
    except BuildFailed as exc:
        return None, [p.format() for p in exc.problems.sorted()]


def yaml_value(text: str):
    problems = Problems()
    parsed = parse_yaml(f"n: {text}\n", "x.yaml", problems)
    assert not problems.items
    return parsed.data["n"]


@pytest.mark.parametrize("written, number", [
    ("0", 0), ("950", 950), ("12000", 12000), ("12.000", 12000), ("1.529.584", 1529584),
    ("100.000", 100000), ("'12.000'", 12000), ('"1.529.584"', 1529584), ("'950'", 950),
])
def test_grouped_counts_are_read_as_written(written, number):
    assert Count(grouped=True).check(yaml_value(written), {}) == number


@pytest.mark.parametrize("written", ["12.5", "12,5", "1.52", "1.5234", "12.00", "0.500", "012.000", "12.000,5",
                                     "1,529,584", "12.", ".5", "1.000e3", "-1.000", "12 000"])
def test_other_spellings_are_refused_with_how_to_write(written):
    from sitegen.schema import Invalid

    with pytest.raises(Invalid) as info:
        Count(grouped=True).check(yaml_value(written), {})
    assert str(info.value) == f"{HOW}, got {written}"


def test_plain_counts_elsewhere_keep_yaml_meaning():
    # Only reach and the declared figures read dots as thousands: `order: 1.000` stays refused as a decimal.
    from sitegen.schema import Invalid

    with pytest.raises(Invalid, match="got the number 1.0"):
        Count().check(yaml_value("1.000"), {})


def test_series_reach_with_dots(tmp_path):
    result, problems = result_for(tmp_path, {"content/series/x.md": series("reach: {zoom: 950, youtube: 12.000}\n")})
    assert problems == []
    (s,) = [s for s in result.site.series if s.slug == "x"]
    assert dict(s.reach) == {"zoom": 950, "youtube": 12000}


@pytest.mark.parametrize("written", ["12.5", "12,5", "1.52"])
def test_series_reach_refused(tmp_path, written):
    _, problems = result_for(tmp_path, {"content/series/x.md": series(f"reach:\n  youtube: {written}\n")})
    assert problems == [f"content/series/x.md:6: field 'reach.youtube': {HOW}, got {written}"]


FIG_HEAD = "sources:\n  - id: s\n    title: Sumber\n    date: 2024-02-22\nfigures:\n"


@pytest.mark.parametrize("key, written, line", [("reach", "12,5", 9), ("series", "1.52", 8), ("reach", "1.529.58", 9)])
def test_figures_refused(tmp_path, key, written, line):
    fig = {"series": "1", "reach": "5"}
    fig[key] = written
    text = FIG_HEAD + f"  - program: asn-belajar\n    year: 2022\n    series: {fig['series']}\n    reach: {fig['reach']}\n"
    _, problems = result_for(tmp_path, {"content/figures.yaml": text})
    assert problems == [f"content/figures.yaml:{line}: figures[1]: field '{key}': {HOW}, got {written}"]


def test_figure_channels_refused(tmp_path):
    text = FIG_HEAD + "  - program: asn-belajar\n    year: 2022\n    series: 1\n    reach: 12.000\n    channels: {zoom: 1.5}\n"
    _, problems = result_for(tmp_path, {"content/figures.yaml": text})
    assert problems == [f"content/figures.yaml:10: figures[1]: field 'channels.zoom': {HOW}, got 1.5"]


def test_dotted_figures_build_the_same_site(tmp_path):
    """401.482 and 949.080 in figures.yaml (and 12.000 in a series) build byte for byte the
    site that 401482, 949080 and 12000 build."""
    plain = {"content/series/x.md": series("reach: {youtube: 12000}\n")}
    dotted = {
        "content/figures.yaml": FIGURES.replace("401482", "401.482").replace("949080", "949.080"),
        "content/series/x.md": series("reach: {youtube: 12.000}\n"),
    }
    assert dotted["content/figures.yaml"] != FIGURES
    sites = []
    for name, files in (("plain", plain), ("dotted", dotted)):
        root = make_project(tmp_path / name, files)
        proc = run_cli("build", "--root", str(root), "--no-search", "--no-cache", "--today", "2026-01-01", "--quiet")
        assert proc.returncode == 0, proc.stderr
        sites.append(tree_bytes(root / "_site"))
    assert sites[0] == sites[1]
    assert "1.350.562" in sites[1]["index.html"].decode()  # 401.482 + 949.080, shown the Indonesian way
    proc = run_cli("check", "--root", str(tmp_path / "dotted" / "proj"), "--strict")
    assert proc.returncode == 0, proc.stderr


def test_json_schema_accepts_the_same():
    schema = json.loads((REPO / "schema/series.schema.json").read_text(encoding="utf-8"))
    v = jsonschema.Draft202012Validator(schema)
    base = {"title": "a", "program": "asn-belajar", "date": "2024-01-04"}
    for ok in (12000, "12000", "12.000", "1.529.584", 0):
        assert not list(v.iter_errors({**base, "reach": {"youtube": ok}})), ok
    for bad in (12.5, 1.52, "12,5", "1.52", "12.5", "1.5234", -1, "012.000"):
        assert list(v.iter_errors({**base, "reach": {"youtube": bad}})), bad
