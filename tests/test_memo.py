"""`memo(macro, ...)` in templates: a card that many archive pages show is rendered once per
process. It must be exact: a macro that can see anything besides its arguments and the
globals is never remembered, and different arguments never share an output."""

from __future__ import annotations

import datetime as dt

import jinja2

from conftest import copy_repo_project
from sitegen import pipeline, render

MACROS = {
    "m.html": "{% macro f(a) %}{{ count() }}:{{ a.name if a.name is defined else a }}{% endmacro %}",
    "ctx.html": "{% macro g(a) %}{{ a }}/{{ x | default('') }}{% endmacro %}",
}


def environment(templates: dict) -> tuple[jinja2.Environment, list]:
    calls: list = []
    env = jinja2.Environment(loader=jinja2.DictLoader({**MACROS, **templates}), **render.ENV_OPTIONS)

    def count() -> int:
        calls.append(1)
        return len(calls)

    env.globals.update(count=count, memo=render.memo_call(env))
    return env, calls


def test_a_context_free_macro_is_rendered_once_per_arguments():
    env, calls = environment({"t.html": '{% from "m.html" import f %}{{ memo(f, a) }} {{ memo(f, a) }} {{ memo(f, b) }} {{ memo(f, 1) }} {{ memo(f, 1) }}'})
    a, b = {"name": "a"}, {"name": "a"}  # equal, but two objects: keyed apart
    assert env.get_template("t.html").render(a=a, b=b) == "1:a 1:a 2:a 3:1 3:1"
    assert len(calls) == 3
    # Another page of the same process reuses the output made for the same object.
    assert env.get_template("t.html").render(a=a, b={"name": "c"}) == "1:a 1:a 4:c 3:1 3:1"


def test_a_macro_that_sees_the_context_is_not_remembered():
    """Imported with context, or defined in the page's own template, a macro reads the
    page's variables: called twice with the same arguments while a variable changes, it
    gives two outputs."""
    env, _ = environment({
        "with.html": '{% from "ctx.html" import g with context %}{{ memo(g, 1) }}',
        "own.html": "{% macro h(a) %}{{ a }}/{{ x }}{% endmacro %}{% set x = 'p' %}{{ memo(h, 1) }} {% set x = 'q' %}{{ memo(h, 1) }}",
        "without.html": '{% from "ctx.html" import g %}{{ memo(g, 1) }}',
    })
    assert env.get_template("own.html").render() == "1/p 1/q"
    assert env.get_template("with.html").render(x="p") == "1/p"
    assert env.get_template("with.html").render(x="q") == "1/q"
    # Imported without context, the macro cannot see `x` at all.
    assert env.get_template("without.html").render(x="p") == "1/"


def test_a_macro_with_a_caller_block_is_not_remembered():
    env, _ = environment({
        "call.html": "{% macro k(a) %}{{ a }}{{ caller() }}{% endmacro %}",
    })
    assert not render._context_free(env, env.get_template("call.html").module.k)


def test_the_site_is_the_same_without_memo(tmp_path, monkeypatch):
    """The shipped templates built with `memo` remembering and with `memo` only calling:
    every page byte for byte the same."""
    root = copy_repo_project(tmp_path / "proj")
    opts = dict(root=root, today=dt.date(2026, 11, 23), search=False, use_cache=False, jobs=1)
    pipeline.build(pipeline.Options(**opts, output=tmp_path / "memo"))
    monkeypatch.setattr(render, "memo_call", lambda env: lambda macro, *args: macro(*args))
    pipeline.build(pipeline.Options(**opts, output=tmp_path / "plain"))
    memo = {p.relative_to(tmp_path / "memo"): p.read_bytes() for p in (tmp_path / "memo").rglob("*.html")}
    plain = {p.relative_to(tmp_path / "plain"): p.read_bytes() for p in (tmp_path / "plain").rglob("*.html")}
    assert memo.keys() == plain.keys() and any("arsip" in str(p) for p in memo)
    assert [p for p in memo if memo[p] != plain[p]] == []
