"""The command line: build, check, serve, new, schema.

Exit codes: 0 success, 1 problems in the input (all listed, `path:line: message`),
2 a usage mistake (unknown option, unusable output folder).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from .problems import FORMATS, BuildFailed, Problems, UsageError

COMMANDS = ("build", "check", "serve", "new", "schema", "admin")


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, got {value!r}") from None


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--root", type=Path, default=Path("."), help="project folder (default: current folder)")
    p.add_argument("--base-url", help="override site.yaml's base_url, e.g. https://user.github.io/repo/")
    p.add_argument("--drafts", action="store_true", help="include series with draft: true")
    p.add_argument("--today", type=_date, help="the date that decides what is upcoming (YYYY-MM-DD); default SOURCE_DATE_EPOCH or today in WIB")
    p.add_argument("--strict", action="store_true", help="treat warnings as errors")


def _format(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--format", choices=sorted(FORMATS), default="text",
        help="how problems are printed: text (path:line: message, the default) or github "
             "(GitHub Actions workflow commands, shown as annotations on a pull request's lines)",
    )


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="build.py", description="Build the ASN Belajar / ASN Dahar Ngopi site.")
    sub = top.add_subparsers(dest="command")
    b = sub.add_parser("build", help="build the site into _site/ (the default command)")
    _common(b)
    b.add_argument("--output", type=Path, help="output folder (default: _site)")
    b.add_argument("--no-search", action="store_true", help="skip the search index")
    b.add_argument("--no-cache", action="store_true", help="build from scratch without reading or writing the build cache")
    b.add_argument("--cache-dir", type=Path, help="build cache folder (default: .cache/sitegen)")
    b.add_argument("--jobs", type=int, default=0, help="worker processes (default: one per core)")
    b.add_argument("--quiet", action="store_true", help="print only problems")
    _format(b)
    c = sub.add_parser("check", help="validate everything without writing (for pull requests)")
    _common(c)
    _format(c)
    s = sub.add_parser("serve", help="build, serve on 127.0.0.1, rebuild and reload on every change")
    _common(s)
    s.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1: this computer only)")
    s.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    s.add_argument("--output", type=Path, help="output folder (default: .cache/serve-site)")
    s.add_argument("--no-search", action="store_true", help="skip the search index")
    n = sub.add_parser("new", help="write a new series file with its front matter filled in")
    n.add_argument("title", help="the series title, in quotes")
    n.add_argument("--program", required=True, help="program slug, e.g. asn-belajar")
    n.add_argument("--date", required=True, type=_date, help="date of the series, YYYY-MM-DD")
    n.add_argument("--root", type=Path, default=Path("."), help="project folder")
    sc = sub.add_parser("schema", help="write the JSON Schema of series front matter to schema/")
    sc.add_argument("--root", type=Path, default=Path("."), help="project folder")
    sc.add_argument("--check", action="store_true", help="fail if the committed schema is out of date")
    ad = sub.add_parser("admin", help="write the browser editor's configuration (admin/config.yml) from the schema")
    ad.add_argument("--root", type=Path, default=Path("."), help="project folder")
    ad.add_argument("--check", action="store_true", help="fail if the committed configuration is out of date")
    ad.add_argument("--vendor", action="store_true", help="also fetch the pinned CMS script and its fonts with npm into admin/")
    ad.add_argument("--repo", help="the GitHub repository the editor commits to, owner/name (kept in admin/config.yml)")
    return top


def print_problems(problems: Problems, stream=None, fmt: str = "text") -> None:
    # Workflow commands go to standard output, where the Actions runner reads them.
    if stream is None:
        stream = sys.stdout if fmt == "github" else sys.stderr
    show = FORMATS[fmt]
    for p in problems.sorted():
        print(show(p), file=stream)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or (argv[0] not in COMMANDS and argv[0] not in ("-h", "--help")):
        argv.insert(0, "build")
    try:
        args = parser().parse_args(argv)
    except SystemExit as exc:
        return 0 if exc.code == 0 else 2
    try:
        if args.command == "build":
            return cmd_build(args)
        if args.command == "check":
            return cmd_check(args)
        if args.command == "serve":
            from .serve import cmd_serve

            return cmd_serve(args)
        if args.command == "new":
            from .scaffold import cmd_new

            return cmd_new(args)
        if args.command == "schema":
            from .scaffold import cmd_schema

            return cmd_schema(args)
        if args.command == "admin":
            from .admin import cmd_admin

            return cmd_admin(args)
    except UsageError as exc:
        print(f"build.py: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return 2


def _options(args, **extra):
    from .pipeline import Options

    return Options(root=args.root, base_url=args.base_url, drafts=args.drafts, today=args.today, strict=args.strict, **extra)


def cmd_build(args) -> int:
    from .pipeline import build

    opts = _options(
        args, output=args.output, search=not args.no_search, use_cache=not args.no_cache,
        cache_dir=args.cache_dir, jobs=args.jobs,
    )
    try:
        result = build(opts)
    except BuildFailed as exc:
        print_problems(exc.problems, fmt=args.format)
        print(f"build failed: {exc.problems.summary()}; nothing was written", file=sys.stderr)
        return 1
    print_problems(result.problems, fmt=args.format)
    if not args.quiet:
        total = sum(result.timings.values())
        rel = result.output
        try:
            rel = result.output.relative_to(Path.cwd())
        except ValueError:
            pass
        print(
            f"built {len(result.routes)} pages into {rel}/ in {total:.2f} s "
            f"({result.rendered} rendered, {result.reused} unchanged); "
            f"{len(result.problems.warnings)} warnings"
        )
        print(f"preview: python build.py serve   (or: python -m http.server -d {rel} 8000)")
    return 0


def cmd_check(args) -> int:
    from .pipeline import build

    try:
        result = build(_options(args, search=False, use_cache=False), write=False)
    except BuildFailed as exc:
        print_problems(exc.problems, fmt=args.format)
        print(f"check failed: {exc.problems.summary()}", file=sys.stderr)
        return 1
    print_problems(result.problems, fmt=args.format)
    print(f"check passed: {len(result.routes)} pages, {result.problems.summary()}")
    return 0
