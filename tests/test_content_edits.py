"""The content belongs to the editors: the content-facing tests (every test that uses the
`content` or `content_site` fixture) run on the shipped project and on an edited copy
(conftest.edited_copy). This checks that the edited copy really holds an editor's
ordinary changes, so that running the checks on it proves something."""

from __future__ import annotations

import pytest

import contentfacts
from conftest import CONTENT_TODAY, EDITED_NEXT_TITLE, EDITED_PAST_TITLE, REPO, edited_copy, run_cli


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    shipped = contentfacts.read(REPO, CONTENT_TODAY)
    edited = contentfacts.read(edited_copy(tmp_path_factory.mktemp("edits") / "proj"), CONTENT_TODAY)
    return shipped, edited


def test_two_series_added_with_new_one_past_one_upcoming(both):
    shipped, edited = both
    added = {s.title: s for s in edited.series if s.slug not in {o.slug for o in shipped.series}}
    assert set(added) == {EDITED_PAST_TITLE, EDITED_NEXT_TITLE}
    assert added[EDITED_PAST_TITLE] in edited.past and added[EDITED_NEXT_TITLE] in edited.upcoming
    assert not any(s.sample for s in added.values())  # `new` writes real series, not samples
    assert "contoh" not in " ".join(s.slug for s in added.values())


def test_a_sample_deleted(both):
    shipped, edited = both
    gone = {s.slug for s in shipped.series} - {s.slug for s in edited.series}
    assert len(gone) == 1 and shipped.by_slug(gone.pop()).sample
    assert len(edited.series) == len(shipped.series) + 1


def test_a_program_description_and_a_declared_figure_edited(both):
    shipped, edited = both
    changed = [slug for slug in shipped.programs if shipped.programs[slug].body != edited.programs[slug].body]
    assert len(changed) == 1 and "Paragraf tambahan dari editor" in edited.programs[changed[0]].body
    figure_changes = [(a, b) for a, b in zip(shipped.figures, edited.figures) if a != b]
    assert len(figure_changes) == 1
    a, b = figure_changes[0]
    assert b["reach"] != a["reach"] and b["series"] != a["series"]
    assert shipped.declared_total(a["program"]) != edited.declared_total(a["program"])


def test_the_edited_copy_builds_and_shows_the_edits(tmp_path, both):
    _, edited = both
    out = tmp_path / "out"
    proc = run_cli("build", "--root", str(edited.root), "--output", str(out), "--no-cache", "--no-search",
                   "--today", CONTENT_TODAY.isoformat(), "--strict")
    assert proc.returncode == 0, proc.stderr
    for s in edited.series:
        assert (out / s.url.strip("/") / "index.html").is_file()
    page = (out / "program" / sorted(edited.programs)[0] / "index.html").read_text(encoding="utf-8")
    assert "Paragraf tambahan dari editor" in page
