"""Point flags and incidents from a baseline (pure numpy, no ORM).

A point is anomalous when it is outside the band ``expected ± k × scale`` AND its impact is at
least ``min_impact`` (money per point) AND its relative change is at least ``min_relative``.
Anomalous points of one series in the same direction form one incident; up to ``max_gap`` normal
points inside an incident do not split it, so a flapping incident stays one incident.
"""

from dataclasses import dataclass

import numpy as np

from apps.anomalies.detection.baseline import Baseline


@dataclass(frozen=True)
class Thresholds:
    band_k: float = 4.0
    min_impact: float = 0.5  # money per point (for usage metrics: usage delta × unit cost)
    min_relative: float = 0.10  # fraction of expected


@dataclass(frozen=True)
class Incident:
    series: int
    start: int  # first anomalous point
    end: int  # last anomalous point + 1
    direction: int  # +1 up, -1 down
    points: int  # anomalous points inside [start, end)
    follows: bool = False  # starts where an incident of the same series stepped to a new level
    level: float = 1.0  # when it follows: the level (value / expected) it stepped up from


def flag_points(
    values: np.ndarray,
    baseline: Baseline,
    *,
    thresholds: np.ndarray | Thresholds,
    unit_value: np.ndarray | None = None,
    min_history: int = 1,
) -> np.ndarray:
    """-1 / 0 / +1 per point. ``unit_value`` converts the deviation to money (None: it is money).

    ``thresholds`` is one ``Thresholds`` or a (series, 3) array of (band_k, min_impact,
    min_relative) rows, one per series (per-monitor settings).
    """
    if isinstance(thresholds, Thresholds):
        band_k = np.full((values.shape[0], 1), thresholds.band_k)
        min_impact = np.full((values.shape[0], 1), thresholds.min_impact)
        min_relative = np.full((values.shape[0], 1), thresholds.min_relative)
    else:
        band_k, min_impact, min_relative = (thresholds[:, i : i + 1] for i in range(3))
    expected = baseline.expected
    deviation = values - expected
    impact = np.abs(deviation) if unit_value is None else np.abs(deviation * unit_value)
    with np.errstate(invalid="ignore", divide="ignore"):
        relative = np.where(expected > 0, np.abs(deviation) / np.abs(expected), np.inf)
        judged = np.isfinite(values) & np.isfinite(expected) & (baseline.history >= min_history)
        outside = np.abs(deviation) > band_k * baseline.scale
        hit = judged & outside & (impact >= min_impact) & (relative >= min_relative)
    hit &= np.abs(deviation) > 0
    return np.where(hit, np.sign(deviation), 0).astype(np.int8)


def strong_points(values: np.ndarray, baseline: Baseline, *, band_k: float) -> np.ndarray:
    """Points more than twice the band away from expected (confirm an incident on their own)."""
    with np.errstate(invalid="ignore"):
        return np.abs(values - baseline.expected) > 2 * band_k * baseline.scale


def incidents_from_flags(
    flags: np.ndarray,
    *,
    max_gap: int = 2,
    min_points: int = 2,
    strong: np.ndarray | None = None,
    holding: np.ndarray | None = None,
    signal: np.ndarray | None = None,
) -> list[Incident]:
    """Group flagged points into incidents (see module docstring).

    An incident is kept once it has ``min_points`` anomalous points, or one ``strong`` point
    (far outside the band): a lone noisy hour is not news, a second one an hour later is.

    ``holding`` (signals, series, points: the direction each point still leans, see
    ``holding_points``) and ``signal`` (series, points: which signal flagged each point) make
    the gap between two flagged points count only the points that went back to normal on the
    incident's signal: a point that still leans the incident's way, or has no data, is not
    evidence that it is over (a slower model version on a night of one request an hour).
    """
    grouped = _group(flags, max_gap=max_gap, holding=holding, signal=signal)
    return [
        inc
        for inc in grouped
        if inc.points >= min_points
        or (strong is not None and bool(strong[inc.series, inc.start : inc.end].any()))
    ]


def split_at_steps(
    incidents: list[Incident],
    flags: np.ndarray,
    values: np.ndarray,
    expected: np.ndarray,
    scale: np.ndarray,
    *,
    band_k: np.ndarray,
    min_relative: np.ndarray,
    judged: np.ndarray,
    min_points: int = 2,
) -> list[Incident]:
    """Split an incident where its series steps to a new level on top of it.

    Inside an incident the series is judged against the incident's own level (the median of
    ``values / expected`` over its anomalous points so far): ``min_points`` points in a row that
    are ``min_relative`` above that level and outside the band around it start a new incident
    (``follows``). A price rise on an instance type whose cost was already raised by an idle
    replica is a second incident with another cause, not more of the first. ``judged``: the
    points this applies to (those carried by the signal ``values`` is).
    """
    out: list[Incident] = []
    for inc in incidents:
        row, start = inc.series, inc.start
        k, rel_min = float(band_k[row, 0]), float(min_relative[row, 0])
        ratios: list[float] = []
        run, base = 0, 1.0
        t = inc.start
        while t < inc.end:
            e, v = expected[row, t], values[row, t]
            usable = bool(judged[row, t]) and flags[row, t] == inc.direction and e > 0
            stepped = False
            if usable and len(ratios) >= min_points:
                level = float(np.median(ratios))
                shift = inc.direction * (v - level * e)
                stepped = shift >= rel_min * level * e and shift > k * scale[row, t]
            run = run + 1 if stepped else 0
            if run == min_points:
                cut = t - min_points + 1
                out.append(_part(inc, flags, start, cut, follows=start != inc.start, level=base))
                base = float(np.median(ratios))
                start, ratios, run = cut, [], 0
                t = cut
                continue
            if usable and not stepped:
                ratios.append(v / e)
            t += 1
        out.append(_part(inc, flags, start, inc.end, follows=start != inc.start, level=base))
    return out


def _part(
    inc: Incident, flags: np.ndarray, start: int, end: int, *, follows: bool, level: float
) -> Incident:
    hit = np.flatnonzero(flags[inc.series, start:end] == inc.direction)
    last = start + int(hit[-1]) + 1 if hit.size else end
    return Incident(inc.series, start, last, inc.direction, int(hit.size), follows, level)


def holding_points(
    values: np.ndarray, expected: np.ndarray, min_relative: np.ndarray
) -> np.ndarray:
    """+1 / -1 where a point is at least ``min_relative`` above / below expected, or unknown
    (no value or no expectation: +1 and -1 both, stored as 2); 0 where it is back to normal."""
    with np.errstate(invalid="ignore", divide="ignore"):
        rel = (values - expected) / np.abs(expected)
    out = np.where(rel >= min_relative, 1, np.where(rel <= -min_relative, -1, 0))
    return np.where(np.isfinite(rel), out, 2).astype(np.int8)


def normal_points(holding: np.ndarray, direction: int) -> np.ndarray:
    """Points (of one signal's ``holding`` row) that are evidence an incident is over."""
    return (holding != direction) & (holding != 2)


def _group(
    flags: np.ndarray,
    *,
    max_gap: int,
    holding: np.ndarray | None = None,
    signal: np.ndarray | None = None,
) -> list[Incident]:
    found: list[Incident] = []
    rows, cols = np.nonzero(flags)
    if rows.size == 0:
        return found
    current: list[int] | None = None  # [series, start, last, direction, count]
    for series, t in zip(rows.tolist(), cols.tolist(), strict=True):
        direction = int(flags[series, t])
        if current is not None and current[0] == series and current[3] == direction:
            last = current[2]
            if holding is None or signal is None:
                gap = t - last - 1
            else:
                held = holding[int(signal[series, last]), series, last + 1 : t]
                gap = int(np.count_nonzero(normal_points(held, direction)))
            if gap <= max_gap:
                current[2] = t
                current[4] += 1
                continue
        if current is not None:
            found.append(Incident(current[0], current[1], current[2] + 1, current[3], current[4]))
        current = [series, t, t, direction, 1]
    found.append(Incident(current[0], current[1], current[2] + 1, current[3], current[4]))
    return found
