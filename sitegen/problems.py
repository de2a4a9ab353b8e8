"""Problems found in the editors' input: collected, never raised one at a time."""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from .messages import _, ngettext

ERROR = "error"
WARNING = "warning"

# Characters that would break the one-problem-per-line output (a key or file name may
# carry them); they are shown escaped as Python writes them (a newline as backslash-n).
_LINE_BREAKING = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]")


def one_line(text: str) -> str:
    return _LINE_BREAKING.sub(lambda m: repr(m.group())[1:-1], str(text))


@dataclass(frozen=True, order=True)
class Problem:
    path: str
    line: int
    message: str
    level: str = ERROR

    def format(self) -> str:
        prefix = _("warning: ") if self.level == WARNING else ""
        return f"{self.path}:{self.line}: {prefix}{self.message}"

    def format_github(self) -> str:
        """The problem as a GitHub Actions workflow command, shown as an annotation on the
        file's line in a pull request's "Files changed"."""
        command = "warning" if self.level == WARNING else "error"
        props = ",".join(
            f"{key}={_escape_property(value)}"
            for key, value in (("file", self.path), ("line", str(self.line)), ("title", self.title()))
        )
        return f"::{command} {props}::{_escape_data(self.message)}"

    def title(self) -> str:
        """A short heading for the annotation: the field the message is about, if any."""
        m = _FIELD.match(self.message)
        if m:
            return m.group(1)
        return "build.py check"


# A message about a field starts "field 'name'" (or "<label>: field 'name'" for a figure);
# in Indonesian "kolom 'name'" (sitegen/locale/id/LC_MESSAGES/sitegen.po).
_FIELD = re.compile(r"^(?:[^:]*: )?((?:field|kolom) '[^']*')")


def _escape_data(text: str) -> str:
    # The runner's escaping for a command's message (actions/toolkit, command.ts).
    return str(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


FORMATS = {"text": Problem.format, "github": Problem.format_github}


@dataclass
class Problems:
    """A collector handed to every stage; each stage adds and carries on."""

    items: list[Problem] = field(default_factory=list)

    def error(self, path: str | Path, line: int, message: str) -> None:
        self.items.append(Problem(one_line(path), max(int(line), 1), one_line(message), ERROR))

    def warning(self, path: str | Path, line: int, message: str) -> None:
        self.items.append(Problem(one_line(path), max(int(line), 1), one_line(message), WARNING))

    def extend(self, other: "Problems") -> None:
        self.items.extend(other.items)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.items if p.level == ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.items if p.level == WARNING]

    def sorted(self) -> list[Problem]:
        # Stable, readable order: by file, then line; duplicates removed.
        return sorted(set(self.items), key=lambda p: (p.path, p.line, p.level, p.message))

    def fails(self, strict: bool = False) -> bool:
        return bool(self.errors) or (strict and bool(self.warnings))

    def summary(self) -> str:
        e, w = len(self.errors), len(self.warnings)
        return (ngettext("{n} error", "{n} errors", e).format(n=e) + ", "
                + ngettext("{n} warning", "{n} warnings", w).format(n=w))


class BuildFailed(Exception):
    """Raised by the pipeline when input problems stop the build; nothing has been written."""

    def __init__(self, problems: Problems):
        super().__init__(problems.summary())
        self.problems = problems


class UsageError(Exception):
    """A command-line or output-location mistake (exit code 2)."""


def print_problems(problems: Problems, stream=None, fmt: str = "text") -> None:
    """Print every problem, sorted, in a format of FORMATS. Workflow commands go to
    standard output, where the Actions runner reads them; text goes to standard error."""
    if stream is None:
        stream = sys.stdout if fmt == "github" else sys.stderr
    show = FORMATS[fmt]
    for p in problems.sorted():
        print(show(p), file=stream)
