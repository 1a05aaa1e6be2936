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

import math
from collections.abc import Mapping, Sequence
from typing import final

from ..domain.variables import STATE_NAMES, VARIABLES, Change


def decayed(value: float, baseline: float, elapsed_days: float, half_life_days: float) -> float:
    """The value after `elapsed_days` of decay toward `baseline`."""
    if elapsed_days <= 0.0 or value == baseline:
        return value
    return baseline + (value - baseline) * math.pow(0.5, elapsed_days / half_life_days)


def clip(value: float, lower: float, upper: float) -> float:
    """`value` limited to [lower, upper]."""
    return lower if value < lower else upper if value > upper else value


@final
class State:
    """Every state variable's value at one moment (what an actor reads when it weighs a decision).

    One attribute per variable of `domain.variables.VARIABLES`, in its order; read it, never change it.
    """

    __slots__ = ("threat", "approval", "anti_japan", "mobilisation", "us_pressure", "trade_dispute", "grievance",
                 "abandonment")

    def __init__(self, threat: float, approval: float, anti_japan: float, mobilisation: float,
                 us_pressure: float, trade_dispute: float, grievance: float, abandonment: float = 0.0) -> None:
        self.threat = threat
        self.approval = approval
        self.anti_japan = anti_japan
        self.mobilisation = mobilisation
        self.us_pressure = us_pressure
        self.trade_dispute = trade_dispute
        self.grievance = grievance
        self.abandonment = abandonment

    def as_dict(self) -> dict[str, float]:
        """Variable name -> value, in the declaration's order."""
        return {"threat": self.threat, "approval": self.approval, "anti_japan": self.anti_japan,
                "mobilisation": self.mobilisation, "us_pressure": self.us_pressure,
                "trade_dispute": self.trade_dispute, "grievance": self.grievance, "abandonment": self.abandonment}


INDEX: dict[str, int] = {name: i for i, name in enumerate(STATE_NAMES)}
"""Each variable's place in the world's arrays (and in `State`)."""


class World:
    """The state variables of one replication.

    Each variable's current jump (its value at `_t0`), standing level, half-life and range are kept in
    lists by the variable's place (`INDEX`), so that reading every variable at once is a loop over
    numbers.
    """

    __slots__ = ("_value", "_base", "_t0", "_half", "_lo", "_hi", "changes", "flags", "frozen", "measure_levels",
                 "_snap", "_snap_t", "_snap_n")

    def __init__(
        self,
        initial: Mapping[str, float],
        half_lives: Mapping[str, float],
        frozen: Sequence[str] = (),
        baselines: Mapping[str, float] | None = None,
    ) -> None:
        self._value: list[float] = []
        self._base: list[float] = []
        self._t0: list[float] = []
        self._half: list[float] = []
        self._lo: list[float] = []
        self._hi: list[float] = []
        baselines = baselines or {}
        for name, spec in VARIABLES.items():
            base = clip(float(baselines.get(name, initial.get(name, spec.default_initial))), spec.lower, spec.upper)
            self._value.append(clip(float(initial.get(name, base)), spec.lower, spec.upper))
            self._base.append(base)
            self._t0.append(0.0)
            self._half.append(float(half_lives[name]))
            self._lo.append(spec.lower)
            self._hi.append(spec.upper)
        self.changes: list[Change] = [(0.0, n, self._value[i], self._base[i]) for i, n in enumerate(STATE_NAMES)]
        self.flags: set[str] = set()
        self.measure_levels: dict[str, float] = {}
        """How much each measure in force adds to the trade dispute's standing level (what lifting it removes)."""
        self.frozen = frozenset(frozen)
        self._snap: State | None = None
        self._snap_t = -1.0
        self._snap_n = -1
        """The last snapshot, and the time and number of changes it was taken at: actors read the world
        many times at one moment, and nothing moves it in between unless a change is logged."""

    def half_life(self, name: str) -> float:
        """The half-life of `name` in this replication (days)."""
        return self._half[INDEX[name]]

    def get(self, name: str, t: float) -> float:
        """Value of `name` at time `t` (days)."""
        return self._at(INDEX[name], t)

    def _at(self, i: int, t: float) -> float:
        # `decayed`, inlined: this is the engine's most frequent arithmetic
        value = self._value[i]
        baseline = self._base[i]
        elapsed = t - self._t0[i]
        if elapsed <= 0.0 or value == baseline:
            return value
        return baseline + (value - baseline) * math.pow(0.5, elapsed / self._half[i])

    def _set(self, i: int, t: float, value: float) -> None:
        self._value[i] = value
        self._t0[i] = t
        self.changes.append((t, STATE_NAMES[i], value, self._base[i]))

    def jump(self, name: str, t: float, delta: float) -> float:
        """Move `name` by `delta` at time `t`, clipped to its range; return the new value."""
        i = INDEX[name]
        if delta == 0.0 or name in self.frozen:
            return self._at(i, t)
        v = clip(self._at(i, t) + delta, self._lo[i], self._hi[i])
        self._set(i, t, v)
        return v

    def shift_baseline(self, name: str, t: float, delta: float) -> float:
        """Move the standing level of `name` (a persistent measure) and its value with it; return how far the
        standing level moved (less than `delta` where the range clips it)."""
        if delta == 0.0 or name in self.frozen:
            return 0.0
        i = INDEX[name]
        v = self._at(i, t)
        lo, hi = self._lo[i], self._hi[i]
        before = self._base[i]
        self._base[i] = clip(before + delta, lo, hi)
        self._set(i, t, clip(v + delta, lo, hi))
        return self._base[i] - before

    def erode_toward(self, name: str, t: float, floor: float, share: float) -> None:
        """Take the share `share` of the gap above `floor` from `name` and from its standing level at
        time `t` (a level already at or below `floor` keeps its place)."""
        if share == 0.0 or name in self.frozen:
            return
        i = INDEX[name]
        v = self._at(i, t)
        base = self._base[i]
        if base > floor:
            self._base[i] = base - share * (base - floor)
        self._set(i, t, v - share * (v - floor) if v > floor else v)

    def start_over(self, name: str, t: float, value: float, baseline: float) -> None:
        """Set `name` and its standing level afresh (a new president's approval)."""
        if name in self.frozen:
            return
        i = INDEX[name]
        lo, hi = self._lo[i], self._hi[i]
        self._base[i] = clip(baseline, lo, hi)
        self._set(i, t, clip(value, lo, hi))

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
        i = INDEX[name]
        self._set(i, t, self._base[i])

    def standing(self, name: str) -> float:
        """The standing level of `name`: where it returns to between jumps (moved by persistent causes)."""
        return self._base[INDEX[name]]

    def snapshot(self, t: float) -> State:
        """All variables at time `t` (shared between readers at one moment: read it, do not change it)."""
        n = len(self.changes)
        snap = self._snap
        if snap is None or t != self._snap_t or n != self._snap_n:
            snap = State(self._at(0, t), self._at(1, t), self._at(2, t), self._at(3, t), self._at(4, t),
                         self._at(5, t), self._at(6, t), self._at(7, t))
            self._snap = snap
            self._snap_t = t
            self._snap_n = n
        return snap

    def values(self, t: float) -> dict[str, float]:
        """Every variable's value at time `t`, by name (a new dict)."""
        return self.snapshot(t).as_dict()


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
