"""Results of planning steps kept from one load of the preview to the next.

Planning a site of thousands of series walks every series several times, and most of
the work per series (a calendar link, an open-data row, a share card's texts, a series
page's route) depends on that series and a few objects around it only. The preview
keeps its model between saves, and a source that did not change keeps its model object
(buildstate.py), so a step called again with the very same argument objects gives the
same result: `Reuse.call(fn, objects, values)` returns the result of the previous load
then, and calls `fn(*objects, *values)` otherwise. After a save, only what the saved file touches is made again.

`objects` are compared by identity (model objects are frozen; the previous objects are
kept alive with their results, so an identity is never taken by another object), `values`
(dates, strings, numbers, tuples of them) by value. `fn` must be a pure function of its
arguments: nothing else it reads may change between loads. A build uses no Reuse (each
step is called directly), so what the preview plans is what a build plans.

Results not asked for in a load are dropped at its end (`next_load`), so memory stays
that of one plan.
"""

from __future__ import annotations

from operator import is_


class Reuse:
    def __init__(self):
        self._previous: dict = {}  # (fn, ids, values) -> (objects, result), from the last load
        self._current: dict = {}  # the same, asked for in this load
        self.hits = self.misses = 0

    def call(self, fn, objects: tuple, values: tuple = ()):
        """fn(*objects, *values): `objects` compared by identity, `values` (hashable plain
        values) by value."""
        key = (fn, tuple(map(id, objects)), values)
        found = self._current.get(key)
        if found is None:
            found = self._previous.get(key)
            if found is not None and all(map(is_, found[0], objects)):
                self.hits += 1
            else:
                found = (objects, fn(*objects, *values))
                self.misses += 1
            self._current[key] = found
        return found[1]

    def next_load(self) -> None:
        """Keep what this load asked for, drop the rest."""
        self._previous, self._current = self._current, {}
        self.hits = self.misses = 0


def call(reuse: Reuse | None, fn, objects: tuple, values: tuple = ()):
    """fn(*objects, *values), through `reuse` when there is one."""
    return fn(*objects, *values) if reuse is None else reuse.call(fn, objects, values)
