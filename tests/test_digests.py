"""Unit tests of the digests that decide what an incremental build renders again
(render.py): equal inputs give equal digests, and any change that can change an output
changes its digest."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from conftest import make_project
from sitegen import model
from sitegen.config import load_config
from sitegen.problems import Problems
from sitegen.render import Digester, Renderer, TemplateSet, digest, make_environment, template_closures
from sitegen.routes import Route


def series(**changes) -> model.Series:
    base = dict(slug="s", title="Judul", program="asn-belajar", date=dt.date(2024, 2, 22), time=None, speakers=("A",),
                competency=None, tags=(), reach=(), video=None, summary="", draft=False, sample=False,
                _body="<p>x</p>", path="content/series/s.md", fingerprint="f1", duration=None, links=())
    base.update(changes)
    return model.Series(**base)


def test_equal_values_give_equal_digests():
    value = {"b": [1, 2.5, "x", None, True], "a": (dt.date(2024, 1, 1), dt.time(9, 0)), "c": {"n": 1}}
    same = {"c": {"n": 1}, "a": (dt.date(2024, 1, 1), dt.time(9, 0)), "b": [1, 2.5, "x", None, True]}
    assert digest(value) == digest(same)  # dict order does not matter
    assert digest(value) == Digester().digest(value)


@pytest.mark.parametrize("a, b", [
    (1, 1.0), (1, True), (0, False), (1, "1"), ("", None), ("a\0b", ("a", "b")),
    ((1, 2), (2, 1)), ([1, [2]], [[1], 2]), ({"a": 1}, {"a": 2}), ({"a": 1}, {"b": 1}),
    (dt.date(2024, 1, 1), dt.date(2024, 1, 2)), (dt.time(9, 0), dt.time(9, 30)),
    ("x" * 100, "x" * 99 + "y"), (tuple(range(20)), tuple(range(19)) + (20,)),  # long: digested in one call
    (list(range(10)), list(range(10)) + [None]),
])
def test_different_values_give_different_digests(a, b):
    assert digest(a) != digest(b)
    assert digest("p", a) != digest("p", b)


def test_separators_cannot_be_forged():
    assert digest("a", "b") != digest("a\0b")
    assert digest(("a", "b")) != digest(("a\0'b",))
    assert digest("ab", "c") != digest("a", "bc")


def test_model_objects_count_by_their_source_fingerprint():
    # A model object stands for its source file: its fingerprint (the file's content hash)
    # decides, so a changed file changes every digest that holds its object.
    assert digest(series()) == digest(series())
    assert digest(series()) != digest(series(fingerprint="f2"))
    assert digest({"series": series()}) != digest({"series": series(fingerprint="f2")})


def test_a_shared_container_is_digested_the_same_each_time():
    d = Digester()
    shared = tuple(series(slug=f"s{i}", fingerprint=f"f{i}") for i in range(100))
    first = d.digest({"all": shared})
    assert d.digest({"all": shared}) == first == Digester().digest({"all": shared})
    assert d.digest({"all": shared[:-1]}) != first


def test_values_that_cannot_be_digested_are_refused():
    with pytest.raises(TypeError):
        digest(object())


# ---- route digests: templates, globals, context ----------------------------------------

@pytest.fixture
def renderer_for(tmp_path):
    def make(templates: dict, globals_digest: str = "g") -> Renderer:
        root = make_project(tmp_path, {f"templates/{k}": v for k, v in templates.items()})
        problems = Problems()
        config = load_config(root, problems, None)
        ts = TemplateSet(root)
        env = make_environment(ts, config)
        closures = template_closures(env, ts, problems, root)
        return Renderer(env, ts, closures, globals_digest, {})
    return make


BASE = {"base.html": "<main>{% block main %}{% endblock %}</main>", "page.html": '{% extends "base.html" %}{% block main %}{{ x }}{% endblock %}',
        "other.html": "lain"}


def test_route_digest_follows_templates_it_can_load(renderer_for):
    route = Route("/a/", "page.html", {"x": 1})
    d = renderer_for(BASE).route_digest(route)
    assert renderer_for(BASE).route_digest(route) == d
    assert renderer_for(dict(BASE, **{"base.html": BASE["base.html"] + "!"})).route_digest(route) != d  # a parent
    assert renderer_for(dict(BASE, **{"page.html": BASE["page.html"] + " "})).route_digest(route) != d
    assert renderer_for(dict(BASE, **{"other.html": "diubah"})).route_digest(route) == d  # not loaded by page.html


def test_route_digest_follows_globals_url_and_context(renderer_for):
    r = renderer_for(BASE)
    d = r.route_digest(Route("/a/", "page.html", {"x": 1}))
    assert r.route_digest(Route("/b/", "page.html", {"x": 1})) != d
    assert r.route_digest(Route("/a/", "page.html", {"x": 2})) != d
    assert r.route_digest(Route("/a/", "page.html", {"x": 1, "y": None})) != d
    assert renderer_for(BASE, globals_digest="h").route_digest(Route("/a/", "page.html", {"x": 1})) != d
