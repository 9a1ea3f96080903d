"""A causal, robust seasonal baseline for many series at once (pure numpy, no ORM).

For each point ``t`` of each series the baseline uses only points before ``t``'s season (the day,
for hourly data), so what is judged at ``t`` is what an online detector would have known then:

- **weekday factor** ``F(d)``: the median, over the same weekday 1–4 weeks back, of that day's
  median divided by the median of the daily medians of the 7 days around it (weekly seasonality,
  e.g. weekends at 70 %). 1 until a week of history exists.
- **daily profile** ``P(d, h)``: the median of the last ``history_seasons`` (7) values at the same
  position in the season (hour of day), each divided by its day's weekday factor (daily
  seasonality).
- **expected** ``P(d, h) × F(d)``; **scale** ``1.4826 × MAD`` of the relative residuals of the
  whole history window around the profile (the robust standard deviation, pooled over all hours)
  × expected, floored at ``rel_floor × expected`` (wider while history is short: cold start),
  ``sqrt(expected + 3/8) + 1`` for counts (Poisson, on Anscombe's scale) and ``abs_floor``;
  while less than 8 days of history exist the weekly pattern (weekends) is unknown, so a
  series that moves with demand gets a floor of at least ``cold_weekly_floor`` (flat
  capacity cost keeps its narrow band).

A series with a few excursions beyond the band in its 7-day window (at most 12
points: a pool tenant that sometimes carries a whole node for an hour) is spiky by nature: its
band is widened to cover the largest of them, so a repeat is not news. More excursions than
that are a shift, and stay news.

A median over 7 days ignores up to 3 anomalous days, so a spike never drags the baseline; a level
shift that lasts becomes the new normal after 4 days. Missing points are NaN and simply skipped.
"""

import warnings
from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

MAD_TO_SIGMA = 1.4826
# A new point is judged against the median of only 7 past values, which is itself noisy
# (variance x (1 + pi / 14)), and the MAD measured around that same median is shrunk. Measured
# on noise-only series (bench.anomaly_detect data), (value - expected) / (1.4826 x MAD) has a
# robust spread of 1.34; this factor brings it back to 1, so band_k reads as sigmas.
OUT_OF_SAMPLE = 1.3
SPIKE_K = 4.0
COUNT_BAND_K = 4.0  # the default band, for the Poisson floor of counts
SPIKY_MAX_POINTS = 12  # of the 7 x 24 window; more than this is a shift, not spikes


@dataclass(frozen=True)
class Baseline:
    expected: np.ndarray  # (series, points); NaN where there is too little history
    scale: np.ndarray  # robust sigma, same shape
    history: np.ndarray  # number of past seasons behind each point's profile (0..history_seasons)


def _nanmedian(values: np.ndarray, axis: int) -> np.ndarray:
    """Median ignoring NaN (all-NaN: NaN). Sorting puts NaN last, so the median of the ``n``
    valid values sits at ``(n - 1) // 2`` and ``n // 2``; much faster and lighter than
    ``np.nanmedian`` on many short windows."""
    values = np.moveaxis(values, axis, -1)
    ordered = np.sort(values, axis=-1)
    valid = np.sum(~np.isnan(values), axis=-1)
    lo = np.maximum((valid - 1) // 2, 0)[..., None]
    hi = np.maximum(valid // 2, 0)[..., None]
    with np.errstate(invalid="ignore"):
        middle = (
            np.take_along_axis(ordered, lo, axis=-1)[..., 0]
            + np.take_along_axis(ordered, hi, axis=-1)[..., 0]
        ) / 2
    return np.where(valid > 0, middle, np.nan)


def _nanmean(values: np.ndarray, axis: int) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmean(values, axis=axis)


def weekday_factors(level: np.ndarray, *, weekly: int = 7, weeks: int = 4) -> np.ndarray:
    """``F`` (series, days) from daily means; uses days strictly before each day (see module)."""
    series, days = level.shape
    half = weekly // 2
    padded = np.pad(level, ((0, 0), (half, half)), constant_values=np.nan)
    around = _nanmedian(sliding_window_view(padded, weekly, axis=1), axis=-1)  # (series, days)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(around > 0, level / around, np.nan)
    stacked = np.full((series, days, weeks), np.nan)
    for w in range(1, weeks + 1):
        lag = weekly * w
        if lag + half < days:
            # ratio[d - lag] needs days up to d - lag + half, all before d.
            stacked[:, lag:, w - 1] = ratio[:, : days - lag]
    factor = _nanmedian(stacked, axis=-1)
    factor = np.where(np.isfinite(factor), factor, 1.0)
    return np.clip(factor, 0.2, 5.0)


def seasonal_baseline(
    values: np.ndarray,
    *,
    season: int = 24,
    history_seasons: int = 7,
    weekly: int = 7,
    rel_floor: float = 0.03,
    cold_rel_floor: float = 0.25,
    cold_weekly_floor: float = 0.15,
    abs_floor: float = 1e-6,
    counts: bool = False,
    chunk: int = 500,
) -> Baseline:
    """Expected value and robust scale for every point of ``values`` (series, points).

    Column 0 must be the first position of a season (00:00 for hourly data).
    """
    values = np.asarray(values, dtype=float)
    if values.ndim == 1:
        values = values[None, :]
    series, points = values.shape
    days = -(-points // season)
    expected = np.empty((series, days * season))
    scale = np.empty((series, days * season))
    history = np.empty((series, days * season))
    for lo in range(0, series, chunk):
        block = values[lo : lo + chunk]
        n = block.shape[0]
        x = np.pad(block, ((0, 0), (0, days * season - points)), constant_values=np.nan)
        x = x.reshape(n, days, season)
        factor = weekday_factors(_nanmedian(x, axis=2), weekly=weekly)  # (n, days)
        y = x / factor[:, :, None]
        y_pad = np.concatenate([np.full((n, history_seasons, season), np.nan), y], axis=1)
        # window for day d: y[d - history_seasons .. d - 1] at each position of the season
        win = sliding_window_view(y_pad, history_seasons, axis=1)[:, :days]  # (n, days, season, k)
        profile = _nanmedian(win, axis=-1)
        count = np.sum(~np.isnan(win), axis=-1)
        # Noise is pooled over the whole history window (7 days x 24 hours): relative residuals
        # around the profile, so one noisy hour cannot narrow or widen its own band.
        with np.errstate(invalid="ignore", divide="ignore"):
            rel_resid = np.abs(win / profile[..., None] - 1.0)
        rel_resid = np.where(np.isfinite(rel_resid), rel_resid, np.nan)
        pooled = rel_resid.reshape(n, days, -1)
        mad_rel = _nanmedian(pooled, axis=-1)[:, :, None]
        mad_abs = _nanmedian(np.abs(win - profile[..., None]).reshape(n, days, -1), axis=-1)
        mad = np.where(np.isfinite(mad_rel), mad_rel * np.abs(profile), mad_abs[:, :, None])
        rel = np.where(count >= 4, rel_floor, cold_rel_floor)
        if weekly > 1:
            # Until a week of history shows the weekly pattern (weekends), a series that moves
            # with demand (hour-to-hour spread over 1 %) stays wide; flat capacity cost does not.
            seen = np.cumsum(np.isfinite(x).any(axis=2), axis=1) - np.isfinite(x).any(axis=2)
            cold = (seen < weekly + 1)[:, :, None] & (np.nan_to_num(mad_rel) > 0.01)
            rel = np.where(cold, np.maximum(rel, cold_weekly_floor), rel)
        sigma = np.maximum(OUT_OF_SAMPLE * MAD_TO_SIGMA * mad, rel * np.abs(profile))
        sigma = np.maximum(sigma, abs_floor)
        # Spiky series: a few isolated excursions in the window (a pool tenant that sometimes
        # carries a whole node for an hour) are part of how the series behaves, so the band
        # covers the largest of them. Many excursions are a level shift, which stays news.
        resid = np.abs(win - profile[..., None])
        beyond = resid > SPIKE_K * sigma[..., None]
        flat_beyond = beyond.reshape(n, days, -1).sum(axis=-1)
        spiky = (flat_beyond >= 1) & (flat_beyond <= SPIKY_MAX_POINTS)
        largest = np.nanmax(np.where(beyond, resid, 0.0).reshape(n, days, -1), axis=-1)
        sigma = np.where(spiky[:, :, None], np.maximum(sigma, largest[:, :, None] / SPIKE_K), sigma)
        f = factor[:, :, None]
        sigma = sigma * f
        if counts:
            # Counts (requests) are at least Poisson-noisy around what is expected that hour.
            # sqrt(expected) understates the upper tail of a small count (4 requests where 1 is
            # expected is not 3 sigmas of news); on Anscombe's variance-stabilised scale,
            # 2 (sqrt(x + 3/8) - sqrt(e + 3/8)) is close to N(0, 1) even for small e, and its
            # k-sigma upper bound is e + k (sqrt(e + 3/8) + k / 4): that is the floor.
            poisson = np.sqrt(np.maximum(profile * f, 0.0) + 0.375) + COUNT_BAND_K / 4
            sigma = np.maximum(sigma, poisson)
        expected[lo : lo + n] = (profile * f).reshape(n, -1)
        scale[lo : lo + n] = sigma.reshape(n, -1)
        history[lo : lo + n] = count.reshape(n, -1)
    return Baseline(
        expected=expected[:, :points], scale=scale[:, :points], history=history[:, :points]
    )


def rolling_median_baseline(values: np.ndarray, *, window: int = 24, chunk: int = 500) -> Baseline:
    """The plain baseline used for comparison: median and MAD of the previous ``window`` points."""
    values = np.asarray(values, dtype=float)
    series, points = values.shape
    expected, scale, history = (np.empty((series, points)) for _ in range(3))
    for lo in range(0, series, chunk):
        block = values[lo : lo + chunk]
        padded = np.concatenate([np.full((block.shape[0], window), np.nan), block], axis=1)
        win = sliding_window_view(padded, window, axis=1)[:, :points]
        med = _nanmedian(win, axis=-1)
        mad = _nanmedian(np.abs(win - med[..., None]), axis=-1)
        expected[lo : lo + chunk] = med
        scale[lo : lo + chunk] = np.maximum(
            MAD_TO_SIGMA * mad, np.maximum(0.03 * np.abs(med), 1e-6)
        )
        history[lo : lo + chunk] = np.sum(~np.isnan(win), axis=-1)
    return Baseline(expected=expected, scale=scale, history=history)
