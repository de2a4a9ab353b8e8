"""Every figure the site shows is computed here, from the model, in one place.

Declared figures (what the agency reported) and archived figures (what the archive holds)
are kept apart and shown side by side. Sample and draft series never count.
"""

from __future__ import annotations

from dataclasses import dataclass

from .messages import _
from .model import DeclaredFigure, Site
from .problems import Problems


@dataclass(frozen=True)
class FigureRow:
    figure: DeclaredFigure
    archived_series: int  # official series in the archive within the period
    archived_reach: int  # their reach, where recorded
    growth: float | None  # reach change against the previous full year of the same program

    @property
    def program(self) -> str:
        return self.figure.program

    @property
    def average(self) -> float | None:
        return self.figure.average


@dataclass(frozen=True)
class ProgramTotals:
    program: str
    series: int
    reach: int
    rows: tuple  # FigureRow, oldest first

    @property
    def average(self) -> float | None:
        return self.reach / self.series if self.series else None

    @property
    def first(self):
        return self.rows[0].figure.period if self.rows else None

    @property
    def last(self):
        return self.rows[-1].figure.period if self.rows else None


@dataclass(frozen=True)
class YearReport:
    year: int
    rows: tuple  # FigureRow of year and partial-year figures in this year
    spans: tuple  # FigureRow of spans that touch this year (shown apart, never summed in)
    archived: tuple  # official series dated this year
    samples: tuple  # sample series dated this year (shown, labelled, never counted)

    @property
    def backed(self) -> int:
        """How many of the year's official series have reach imported from the platforms'
        exports (the others' reach, if any, was typed)."""
        return sum(1 for s in self.archived if s.reach_imports)

    @property
    def series(self) -> int:
        return sum(r.figure.series for r in self.rows)

    @property
    def reach(self) -> int:
        return sum(r.figure.reach for r in self.rows)

    @property
    def average(self) -> float | None:
        return self.reach / self.series if self.series else None

    @property
    def partial(self) -> bool:
        return any(r.figure.period.kind == "partial" for r in self.rows)

    @property
    def as_of(self):
        ends = [r.figure.period.end for r in self.rows if r.figure.period.kind == "partial"]
        return max(ends) if ends else None


@dataclass(frozen=True)
class ChannelShare:
    channel: str
    reach: int
    share: float


@dataclass(frozen=True)
class Reports:
    rows: tuple
    programs: tuple  # ProgramTotals, in the site's program order, only programs with figures
    years: tuple  # YearReport, oldest first
    total_series: int
    total_reach: int
    channel_shares: tuple  # from archived official series with a per-channel breakdown
    channel_basis: int  # how many series the shares are computed from

    def program_totals(self, slug: str) -> ProgramTotals | None:
        return next((p for p in self.programs if p.program == slug), None)

    def year(self, year: int) -> YearReport | None:
        return next((y for y in self.years if y.year == year), None)


def _span_touches(site: Site, figure: DeclaredFigure, year: int) -> bool:
    """Does a span figure cover part of `year`? An open start ("since the program began")
    begins at the program's `since` when the program gives one."""
    start = figure.period.start
    if start is None:
        program = site.program_by_slug.get(figure.program)
        start = program.since if program is not None else None
    return (start is None or start.year <= year) and figure.period.end.year >= year


def compute(site: Site, problems: Problems | None = None) -> Reports:
    official = [s for s in site.past_series if s.official]  # the archive: before today
    rows = []
    previous_full: dict = {}
    for fig in sorted(site.figures, key=lambda f: (f.program, f.period.end)):
        inside = [s for s in official if s.program == fig.program and fig.period.contains(s.date)]
        archived_reach = sum(s.total_reach or 0 for s in inside)
        growth = None
        prev = previous_full.get(fig.program)
        if fig.period.kind == "year" and prev is not None and prev.period.year == fig.period.year - 1 and prev.reach:
            growth = (fig.reach - prev.reach) / prev.reach
        if fig.period.kind == "year":
            previous_full[fig.program] = fig
        rows.append(FigureRow(fig, len(inside), archived_reach, growth))
        if problems is not None:
            if len(inside) > fig.series:
                problems.warning(
                    fig.path, fig.line,
                    _("the archive holds {n} series of '{program}' in {period}, "
                      "more than the {declared} declared").format(n=len(inside), program=fig.program, period=fig.period.key, declared=fig.series),
                )
            if archived_reach > fig.reach:
                problems.warning(
                    fig.path, fig.line,
                    _("the archived series of '{program}' in {period} reach {reach}, "
                      "more than the {declared} declared").format(program=fig.program, period=fig.period.key, reach=archived_reach, declared=fig.reach),
                )
    order = [p.slug for p in site.programs]
    programs = []
    for slug in order:
        mine = tuple(r for r in rows if r.program == slug)
        if mine:
            programs.append(ProgramTotals(slug, sum(r.figure.series for r in mine), sum(r.figure.reach for r in mine), mine))
    year_numbers = sorted({r.figure.period.year for r in rows if r.figure.period.year is not None} | {s.year for s in site.past_series})
    years = []
    for y in year_numbers:
        in_year = tuple(sorted((r for r in rows if r.figure.period.year == y), key=lambda r: order.index(r.program)))
        spans = tuple(r for r in rows if r.figure.period.kind == "span" and _span_touches(site, r.figure, y))
        archived = tuple(s for s in official if s.year == y)
        samples = tuple(s for s in site.past_series if s.sample and s.year == y)
        years.append(YearReport(y, in_year, spans, archived, samples))
    by_channel: dict = {}
    basis = 0
    for s in official:
        if s.reach:
            basis += 1
            for ch, v in s.reach:
                by_channel[ch] = by_channel.get(ch, 0) + v
    total_channel = sum(by_channel.values())
    shares = tuple(
        ChannelShare(ch, v, v / total_channel)
        for ch, v in sorted(by_channel.items(), key=lambda kv: (-kv[1], kv[0]))
    ) if total_channel else ()
    return Reports(
        rows=tuple(rows), programs=tuple(programs), years=tuple(years),
        total_series=sum(p.series for p in programs), total_reach=sum(p.reach for p in programs),
        channel_shares=shares, channel_basis=basis,
    )
