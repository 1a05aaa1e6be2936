"""World state: the variables actors read, moved by events in fading jumps.

Each variable has a range, a standing level (its baseline) and a half-life.
The standing level is the variable's value at the start, except where the
model gives one (presidential approval regresses toward a shared norm).
An event moves it by a jump, clipped to the range; the gap to the baseline then
halves every half-life: ``v(t) = b + (v0 - b) * 2**(-(t - t0) / h)``. Values
are computed lazily when read, so time costs nothing between events.
Persistent measures (export controls in force) move the baseline itself.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ..domain.variables import STATE_NAMES, VARIABLES, Change


def decayed(value: float, baseline: float, elapsed_days: float, half_life_days: float) -> float:
    """The value after `elapsed_days` of decay toward `baseline`."""
    if elapsed_days <= 0.0 or value == baseline:
        return value
    return baseline + (value - baseline) * 0.5 ** (elapsed_days / half_life_days)


def clip(value: float, lower: float, upper: float) -> float:
    """`value` limited to [lower, upper]."""
    return lower if value < lower else upper if value > upper else value


class World:
    """The state variables of one replication."""

    __slots__ = ("_value", "_base", "_t0", "_half", "_lo", "_hi", "changes", "flags", "frozen", "measure_levels",
                 "_snap", "_snap_key")

    def __init__(
        self,
        initial: Mapping[str, float],
        half_lives: Mapping[str, float],
        frozen: Sequence[str] = (),
        baselines: Mapping[str, float] | None = None,
    ) -> None:
        self._value: dict[str, float] = {}
        self._base: dict[str, float] = {}
        self._t0: dict[str, float] = {}
        self._half: dict[str, float] = {}
        self._lo: dict[str, float] = {}
        self._hi: dict[str, float] = {}
        baselines = baselines or {}
        for name, spec in VARIABLES.items():
            base = clip(float(baselines.get(name, initial.get(name, spec.default_initial))), spec.lower, spec.upper)
            v = clip(float(initial.get(name, base)), spec.lower, spec.upper)
            self._value[name], self._base[name] = v, base
            self._t0[name] = 0.0
            self._half[name] = float(half_lives[name])
            self._lo[name], self._hi[name] = spec.lower, spec.upper
        self.changes: list[Change] = [(0.0, n, self._value[n], self._base[n]) for n in VARIABLES]
        self.flags: set[str] = set()
        self.measure_levels: dict[str, float] = {}
        """How much each measure in force adds to the trade dispute's standing level (what lifting it removes)."""
        self.frozen = frozenset(frozen)
        self._snap: dict[str, float] = {}
        self._snap_key: tuple[float, int] = (-1.0, -1)
        """The last snapshot and (time, number of changes) it was taken at: actors read the world many
        times at one moment, and nothing moves it in between unless a change is logged."""

    def get(self, name: str, t: float) -> float:
        """Value of `name` at time `t` (days)."""
        # `decayed` inlined: this is the engine's most frequent call
        value = self._value[name]
        baseline = self._base[name]
        elapsed = t - self._t0[name]
        if elapsed <= 0.0 or value == baseline:
            return value
        return baseline + (value - baseline) * 0.5 ** (elapsed / self._half[name])

    def jump(self, name: str, t: float, delta: float) -> float:
        """Move `name` by `delta` at time `t`, clipped to its range; return the new value."""
        if name in self.frozen or delta == 0.0:
            return self.get(name, t)
        v = clip(self.get(name, t) + delta, self._lo[name], self._hi[name])
        self._value[name], self._t0[name] = v, t
        self.changes.append((t, name, v, self._base[name]))
        return v

    def shift_baseline(self, name: str, t: float, delta: float) -> float:
        """Move the standing level of `name` (a persistent measure) and its value with it; return how far the
        standing level moved (less than `delta` where the range clips it)."""
        if name in self.frozen or delta == 0.0:
            return 0.0
        v = self.get(name, t)
        lo, hi = self._lo[name], self._hi[name]
        before = self._base[name]
        self._base[name] = clip(before + delta, lo, hi)
        self._value[name] = clip(v + delta, lo, hi)
        self._t0[name] = t
        self.changes.append((t, name, self._value[name], self._base[name]))
        return self._base[name] - before

    def start_over(self, name: str, t: float, value: float, baseline: float) -> None:
        """Set `name` and its standing level afresh (a new president's approval)."""
        if name in self.frozen:
            return
        lo, hi = self._lo[name], self._hi[name]
        self._value[name], self._base[name], self._t0[name] = clip(value, lo, hi), clip(baseline, lo, hi), t
        self.changes.append((t, name, self._value[name], self._base[name]))

    def impose(self, measure: str, t: float, delta: float) -> None:
        """A trade measure comes into force: its flag, and its share of the trade dispute's standing level."""
        self.flags.add(measure)
        self.measure_levels[measure] = self.measure_levels.get(measure, 0.0) + self.shift_baseline(
            "trade_dispute", t, delta)

    def lift(self, measure: str, t: float) -> None:
        """A trade measure is lifted: its flag, and what it added to the trade dispute's standing level, go."""
        self.flags.discard(measure)
        self.shift_baseline("trade_dispute", t, -self.measure_levels.pop(measure, 0.0))

    def reset(self, name: str, t: float) -> None:
        """Return `name` to its baseline at once (e.g. mobilisation after an election)."""
        if name in self.frozen:
            return
        self._value[name], self._t0[name] = self._base[name], t
        self.changes.append((t, name, self._value[name], self._base[name]))

    def standing(self, name: str) -> float:
        """The standing level of `name`: where it returns to between jumps (moved by persistent causes)."""
        return self._base[name]

    def snapshot(self, t: float) -> dict[str, float]:
        """All variables at time `t` (a shared dict: read it, do not change it)."""
        key = (t, len(self.changes))
        if key != self._snap_key:
            # `get` inlined for every variable: a snapshot is taken at most moments an actor decides
            value, base, t0, half = self._value, self._base, self._t0, self._half
            snap = {}
            for name in STATE_NAMES:
                v = value[name]
                b = base[name]
                elapsed = t - t0[name]
                snap[name] = v if elapsed <= 0.0 or v == b else b + (v - b) * 0.5 ** (elapsed / half[name])
            self._snap = snap
            self._snap_key = key
        return self._snap


def value_at(
    changes: Sequence[Change], name: str, t: float, half_life_days: float
) -> float:
    """Reconstruct the value of `name` at `t` from a replication's change log.

    Pure: used by analysis to read a state without keeping any from the run.
    """
    return trajectory(changes, name, [t], half_life_days)[0]


def trajectory(
    changes: Sequence[Change], name: str, times: Sequence[float], half_life_days: float
) -> list[float]:
    """Values of `name` at each of `times` (sorted), from a change log."""
    own = [c for c in changes if c[1] == name]
    out: list[float] = []
    j = 0
    for t in times:
        while j + 1 < len(own) and own[j + 1][0] <= t:
            j += 1
        t0, _, v0, b0 = own[j]
        out.append(decayed(v0, b0, t - t0, half_life_days))
    return out
