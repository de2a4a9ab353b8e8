"""The command line: build, check, serve, new, schema, admin, reach.

Exit codes: 0 success, 1 problems in the input (all listed, `path:line: message`),
2 a usage mistake (unknown option, unusable output folder).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import signal
import sys
from pathlib import Path

from . import disk, stopping
from .messages import LANGUAGES, _, set_language
from .parallel import WorkerLost
from .problems import FORMATS, BuildFailed, UsageError, print_problems
from .stopping import Stopped
from .schema import FIRST_DAY, LAST_DAY, base_url_problem

# Each command's own modules are imported when it runs (in main and the cmd_ functions),
# not here: `build.py new`, `schema`, `admin`, `reach import` and `--help` then start
# without loading the build's engine (Jinja, Babel, the model, the renderer) or the
# preview's (livereload, watchfiles). The CPU time of the imports, least of nine runs on
# 5 December 2026 (load average 10 to 17 from other work): this module 0.15 s; with the
# pipeline 0.49 s, with the preview 0.64 s; `new` 0.26 s, `reach import` 0.31 s.

COMMANDS = ("build", "check", "serve", "new", "schema", "admin", "reach")


class _Parser(argparse.ArgumentParser):
    """argparse, with a usage mistake told in one line (no usage block)."""

    def error(self, message):
        see = _("see: python {command} --help").format(command=self.prog)
        self.exit(2, f"{self.prog}: {message} ({see})\n")


def _date(value: str) -> dt.date:
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(_("expected a date as YYYY-MM-DD, got {value}").format(value=repr(value))) from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise argparse.ArgumentTypeError(_("expected a date from {first} to {last}, got {value}").format(first=FIRST_DAY, last=LAST_DAY, value=repr(value)))
    return day


def _whole_number(value: str, low: int, high: int, message: str) -> int:
    """A decimal whole number from low to high; otherwise `message` (with {value})."""
    try:
        number = int(value, 10)
    except ValueError:
        number = low - 1
    if not low <= number <= high:
        raise argparse.ArgumentTypeError(message.format(value=repr(value)))
    return number


def _port(value: str) -> int:
    return _whole_number(value, 0, 65535, _("expected a port number from 0 to 65535 (0: any free port), got {value}"))


def _jobs(value: str) -> int:
    return _whole_number(value, 0, 1024, _("expected a number of worker processes from 0 (one per core) to 1024, got {value}"))


def _base_url(value: str) -> str:
    message = base_url_problem(value.strip())  # the rule of site.yaml's base_url (schema.BaseUrl)
    if message:
        raise argparse.ArgumentTypeError(message)
    return value


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--root", type=Path, default=Path("."), help="project folder (default: current folder)")
    p.add_argument("--base-url", type=_base_url, help="override site.yaml's base_url, e.g. https://user.github.io/repo/")
    p.add_argument("--drafts", action="store_true", help="include series with draft: true")
    p.add_argument("--today", type=_date, help="the date that decides what is upcoming (YYYY-MM-DD); default SOURCE_DATE_EPOCH or today in WIB")
    p.add_argument("--strict", action="store_true", help="treat warnings as errors")


def _format(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--format", choices=sorted(FORMATS), default="text",
        help="how problems are printed: text (path:line: message, the default) or github "
             "(GitHub Actions workflow commands, shown as annotations on a pull request's lines)",
    )


def _lang(p: argparse.ArgumentParser) -> None:
    # Read before parsing (see main), so that every message is in the chosen language;
    # declared here so that it is listed in --help and accepted anywhere.
    p.add_argument("--lang", choices=LANGUAGES, help="language of messages: id (Bahasa Indonesia, the default) or en; also SITEGEN_LANG")


def _take_lang(argv: list[str]) -> tuple[str | None, list[str]]:
    """(the value of --lang anywhere in argv, the last one winning; argv without it)."""
    found, rest, i = None, [], 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--lang" and i + 1 < len(argv):
            found, i = argv[i + 1], i + 2
            continue
        if arg.startswith("--lang="):
            found = arg.split("=", 1)[1]
        else:
            rest.append(arg)
        i += 1
    return found, rest


def parser() -> argparse.ArgumentParser:
    top = _Parser(prog="build.py", description="Build the ASN Belajar / ASN Dahar Ngopi site.")
    _lang(top)
    sub = top.add_subparsers(dest="command")
    b = sub.add_parser("build", help="build the site into _site/ (the default command)")
    _lang(b)
    _common(b)
    b.add_argument("--output", type=Path, help="output folder (default: _site)")
    b.add_argument("--no-search", action="store_true", help="skip the search index")
    b.add_argument("--no-cache", action="store_true", help="build from scratch without reading or writing the build cache")
    b.add_argument("--cache-dir", type=Path, help="build cache folder (default: .cache/sitegen)")
    b.add_argument("--jobs", type=_jobs, default=0, help="worker processes (default: one per core)")
    b.add_argument("--quiet", action="store_true", help="print only problems")
    _format(b)
    c = sub.add_parser("check", help="validate everything without writing (for pull requests)")
    _lang(c)
    _common(c)
    _format(c)
    s = sub.add_parser("serve", help="build, serve on 127.0.0.1, rebuild and reload on every change")
    _lang(s)
    _common(s)
    s.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1: this computer only)")
    s.add_argument("--port", type=_port, default=8000, help="port (default 8000)")
    s.add_argument("--output", type=Path, help="output folder (default: .cache/serve-site)")
    s.add_argument("--no-search", action="store_true", help="skip the search index")
    n = sub.add_parser("new", help="write a new series file with its front matter filled in")
    _lang(n)
    n.add_argument("title", help="the series title, in quotes")
    n.add_argument("--program", required=True, help="program slug, e.g. asn-belajar")
    n.add_argument("--date", required=True, type=_date, help="date of the series, YYYY-MM-DD")
    n.add_argument("--root", type=Path, default=Path("."), help="project folder")
    sc = sub.add_parser("schema", help="write the JSON Schema of series front matter to schema/")
    _lang(sc)
    sc.add_argument("--root", type=Path, default=Path("."), help="project folder")
    sc.add_argument("--check", action="store_true", help="fail if the committed schema is out of date")
    ad = sub.add_parser("admin", help="write the browser editor's configuration (admin/config.yml) from the schema")
    _lang(ad)
    ad.add_argument("--root", type=Path, default=Path("."), help="project folder")
    ad.add_argument("--check", action="store_true", help="fail if the committed configuration is out of date")
    ad.add_argument("--vendor", action="store_true", help="also fetch the pinned CMS script and its fonts with npm into admin/")
    ad.add_argument("--repo", help="the GitHub repository the editor commits to, owner/name (kept in admin/config.yml)")
    re_ = sub.add_parser("reach", help="reach figures from the platforms' own exports (Zoom, YouTube Studio)")
    _lang(re_)
    reach_sub = re_.add_subparsers(dest="reach_command", required=True)
    ri = reach_sub.add_parser("import", help="read exports and write content/reach/<series>.yaml (docs/reach.md)")
    _lang(ri)
    ri.add_argument("files", nargs="+", type=Path, metavar="FILE", help="a Zoom participant or webinar report (CSV), or a YouTube Studio export (zip or its table CSV)")
    ri.add_argument("--series", required=True, help="the slug of the series the exports measure")
    ri.add_argument("--root", type=Path, default=Path("."), help="project folder")
    ri.add_argument("--timezone", help="time zone of the times in a Zoom report (default: site.yaml's timezone)")
    ri.add_argument("--as-of", type=_date, help="the figure's date, for an export that holds none (YYYY-MM-DD)")
    return top


def run() -> None:
    """build.py: main(), then exit. After a build or a check the process leaves without
    tearing down its heap (the model and the cache: hundreds of thousands of objects,
    which take a third of a second to free one by one on a large site; the system takes
    the memory back at once). Every file is written and closed by then, and nothing they
    run registers work for exit; what was printed is flushed first."""
    stopping.install()  # as early as can be: a build told to stop cleans up (stopping.py)
    argv = sys.argv[1:]
    try:
        code = main(argv)
    except Stopped as exc:  # before main's own handling began
        code = exc.exit_code
    if _FINISHED_RUN or _STOPPED:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):
                code = code or 1
        os._exit(code)
    sys.exit(code)


_FINISHED_RUN = False  # set when a build, a check or the preview ran to its end (see run)
_STOPPED = False  # set when a build or a check was stopped by a signal (and cleaned up)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    lang, argv = _take_lang(argv)
    if lang is not None and lang not in LANGUAGES:
        print("build.py: --lang: " + _("expected one of {values}, got {found}").format(values=", ".join(LANGUAGES), found=repr(lang)), file=sys.stderr)
        return 2
    set_language(lang)
    if not argv or (argv[0] not in COMMANDS and argv[0] not in ("-h", "--help")):
        argv.insert(0, "build")
    try:
        args = parser().parse_args(argv)
    except SystemExit as exc:
        return 0 if exc.code == 0 else 2
    try:
        if args.command in ("build", "check", "serve"):
            from .pipeline import epoch_seconds  # when the command runs (note at the top)

            epoch_seconds(os.environ.get("SOURCE_DATE_EPOCH"))  # refused here, before any work
        global _FINISHED_RUN
        if args.command in ("build", "check"):
            code = cmd_build(args) if args.command == "build" else cmd_check(args)
            _FINISHED_RUN = True
            return code
        if args.command == "serve":
            from .preview import cmd_serve  # when the command runs (note at the top)

            code = cmd_serve(args)
            _FINISHED_RUN = True  # leave at once: a load may still run in a background thread
            return code
        if args.command == "new":
            from .scaffold import cmd_new  # when the command runs (note at the top)

            return cmd_new(args)
        if args.command == "schema":
            from .schemafiles import cmd_schema  # when the command runs (note at the top)

            return cmd_schema(args)
        if args.command == "admin":
            from .admin import cmd_admin  # when the command runs (note at the top)

            return cmd_admin(args)
        if args.command == "reach":
            from .reach.command import cmd_reach  # when the command runs (note at the top)

            return cmd_reach(args)
    except UsageError as exc:
        print(f"build.py: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        if not disk.is_disk_error(exc):
            raise
        print(f"build.py: {disk.message(exc)}", file=sys.stderr)
        return 2
    except WorkerLost as exc:
        print("build.py: " + _("a worker process ended before its work was done ({how}); if the machine ran out of memory, "
                               "try again with --jobs 1").format(how=exc.how), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except Stopped as exc:
        global _STOPPED
        _STOPPED = True
        print("build.py: " + _("stopped by {signal}").format(signal=signal_name(exc.signum)), file=sys.stderr)
        return exc.exit_code
    return 2


def signal_name(signum: int) -> str:
    return signal.Signals(signum).name


def _options(args, **extra):
    from .pipeline import Options  # when the command runs (note at the top)

    return Options(root=args.root, base_url=args.base_url, drafts=args.drafts, today=args.today, strict=args.strict, **extra)


def cmd_build(args) -> int:
    from .pipeline import build  # when the command runs (note at the top)

    opts = _options(
        args, output=args.output, search=not args.no_search, use_cache=not args.no_cache,
        cache_dir=args.cache_dir, jobs=args.jobs,
    )
    try:
        result = build(opts)
    except BuildFailed as exc:
        print_problems(exc.problems, fmt=args.format)
        print(_("build failed: {summary}; nothing was written").format(summary=exc.problems.summary()), file=sys.stderr)
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
            _("built {pages} pages into {path}/ in {seconds} s ({rendered} rendered, {reused} unchanged); {warnings} warnings").format(
                pages=len(result.routes) or result.reused, path=rel, seconds=f"{total:.2f}", rendered=result.rendered,
                reused=result.reused, warnings=len(result.problems.warnings))
        )
        print(_("preview: {python} build.py serve   (or: {python} -m http.server -d {path} 8000)").format(python=python_command(), path=rel))
    return 0


def python_command() -> str:
    """How the person who ran this can run Python again, for the hints we print: the
    virtual environment's interpreter when it is not activated (`.venv/bin/python`, as the
    README's first command runs it), else `python` where that exists, else `python3`
    (Debian and Ubuntu have no `python`)."""
    if sys.prefix != sys.base_prefix and not os.environ.get("VIRTUAL_ENV"):
        exe = Path(sys.executable)
        try:
            return exe.relative_to(Path.cwd()).as_posix()
        except ValueError:
            return str(exe)
    return "python" if shutil.which("python") else "python3"


def cmd_check(args) -> int:
    from .pipeline import build  # when the command runs (note at the top)

    try:
        result = build(_options(args, search=False, use_cache=False), write=False)
    except BuildFailed as exc:
        print_problems(exc.problems, fmt=args.format)
        print(_("check failed: {summary}").format(summary=exc.problems.summary()), file=sys.stderr)
        return 1
    print_problems(result.problems, fmt=args.format)
    print(_("check passed: {pages} pages, {summary}").format(pages=len(result.routes), summary=result.problems.summary()))
    return 0
