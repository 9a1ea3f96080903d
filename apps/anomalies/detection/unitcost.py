"""A causal baseline of an endpoint's unit cost: GPU time per token (pure numpy, no ORM).

A slower model version, a worse batching setting or a regression in a serving stack makes every
token cost more GPU time. On a shared pool that hardly moves the endpoint's cost in an hour (its
share of the node grows, its neighbours' shrinks, the node costs the same), so it is judged
directly, on what the endpoint's tokens cost in GPU time:

- **expected GPU time** of an hour ``a(d) × input tokens + b(d) × output tokens``: prefill time
  grows with the prompt, decode time with the output, the usual two-rate cost model of
  inference. ``a``, ``b`` are least squares over the hours of the previous ``history_seasons``
  days (causal: a day is judged with coefficients learnt before it), rescaled to the median
  day's level (robust to a day that is already shifted);
- **scale**: each request's GPU time varies around that line, so the log ratio of an hour of
  ``n`` requests varies by ``s / sqrt(n)``; ``s`` is 1.4826 × the MAD of
  ``log(gpu / expected) × sqrt(n)`` over the same history hours, at least
  ``MIN_REQUEST_SPREAD``;
- **price**: the endpoint's cost per GPU-millisecond over the same days, which turns extra GPU
  time into money (the unit-cost rise × the tokens served).

Only rises are judged: an hour whose tokens took less GPU time than usual costs no one money.
"""

import numpy as np

from apps.anomalies.detection.baseline import MAD_TO_SIGMA, Baseline, _nanmedian

MIN_REQUEST_SPREAD = 0.05
# A two-rate fit is trusted once it has seen a week of the traffic mix (hourly: 7 seasons of a
# day; daily data passes 2 seasons of a week).
MIN_HISTORY_SEASONS = 7
REL_FLOOR = 0.03


def unit_cost_baseline(
    gpu_ms: np.ndarray,
    input_tokens: np.ndarray,
    output_tokens: np.ndarray,
    requests: np.ndarray,
    cost: np.ndarray,
    *,
    season: int = 24,
    history_seasons: int = 7,
    min_history: int = MIN_HISTORY_SEASONS,
    band_k: float = 4.0,
    chunk: int = 500,
) -> tuple[Baseline, np.ndarray]:
    """Expected GPU time per point (``Baseline``) and the price of one GPU-millisecond.

    ``requests`` may be summed over a trailing window (with the other inputs): see
    ``trailing_sum``.
    """
    series, points = gpu_ms.shape
    days = -(-points // season)
    expected = np.full((series, days * season), np.nan)
    scale = np.full((series, days * season), np.nan)
    history = np.zeros((series, days * season))
    price = np.full((series, days * season), np.nan)
    for lo in range(0, series, chunk):
        hi = min(lo + chunk, series)
        shaped = [
            _days(m[lo:hi], days, season)
            for m in (gpu_ms, input_tokens, output_tokens, requests, cost)
        ]
        g, tin, tout, req, c = shaped
        used = np.isfinite(g) & np.isfinite(tin) & np.isfinite(tout) & (np.nan_to_num(req) > 0)
        g0, i0, o0 = (np.where(used, m, 0.0) for m in (g, tin, tout))
        c0 = np.where(used & np.isfinite(c), c, 0.0)
        daily = np.stack(
            [
                (i0 * i0).sum(-1),
                (i0 * o0).sum(-1),
                (o0 * o0).sum(-1),
                (i0 * g0).sum(-1),
                (o0 * g0).sum(-1),
                g0.sum(-1),
                (i0 + o0).sum(-1),
                c0.sum(-1),
                used.any(-1).astype(float),
            ],
            axis=-1,
        )  # (n, days, 9)
        window = _trailing(daily, history_seasons)  # sums over days d-H .. d-1
        sii, sio, soo, sig, sog, sg, st, sc, ndays = np.moveaxis(window, -1, 0)
        det = sii * soo - sio * sio
        with np.errstate(invalid="ignore", divide="ignore"):
            a = (sig * soo - sog * sio) / det
            b = (sog * sii - sig * sio) / det
            ratio = sg / st
            # A near-singular or negative fit (one token kind only, e.g. embeddings): one rate.
            bad = ~(np.isfinite(a) & np.isfinite(b)) | (a < 0) | (b < 0) | (np.abs(det) < 1e-9)
            a = np.where(bad, ratio, a)
            b = np.where(bad, ratio, b)
            unit_price = np.where(sg > 0, sc / sg, np.nan)
        level = _level(g0, i0, o0, a, b, history_seasons)
        a, b = a * level, b * level
        exp = a[..., None] * tin + b[..., None] * tout  # (n, days, season)
        spread = _request_spread(g, tin, tout, req, used, a, b, history_seasons)
        with np.errstate(invalid="ignore", divide="ignore"):
            rel = _relative_scale(spread[..., None] / np.sqrt(req), band_k)
        ok = used & (ndays[..., None] >= min_history) & (exp > 0)
        n = hi - lo
        expected[lo:hi] = np.where(ok, exp, np.nan).reshape(n, -1)
        with np.errstate(invalid="ignore"):
            scale[lo:hi] = np.where(ok, rel * exp, np.nan).reshape(n, -1)
        history[lo:hi] = np.broadcast_to(ndays[..., None], exp.shape).reshape(n, -1)
        price[lo:hi] = np.broadcast_to(unit_price[..., None], exp.shape).reshape(n, -1)
    return (
        Baseline(
            expected=expected[:, :points], scale=scale[:, :points], history=history[:, :points]
        ),
        price[:, :points],
    )


def _relative_scale(log_sigma: np.ndarray, band_k: float) -> np.ndarray:
    """Relative scale whose ``band_k`` multiple reaches ``band_k`` log-sigmas up: GPU time per
    request is skewed (a slow request is slower by more than a fast one is faster), so the band
    is set on the log ratio, which an hour of few requests spreads symmetrically."""
    return np.maximum(np.expm1(band_k * log_sigma) / band_k, REL_FLOOR)


def trailing_sum(values: np.ndarray, window: int) -> np.ndarray:
    """Sum of each point and the ``window - 1`` before it (NaN counts as 0 unless all are)."""
    finite = np.isfinite(values)
    csum = np.concatenate(
        [np.zeros((values.shape[0], 1)), np.cumsum(np.where(finite, values, 0.0), axis=1)], axis=1
    )
    ccount = np.concatenate([np.zeros((values.shape[0], 1)), np.cumsum(finite, axis=1)], axis=1)
    t = np.arange(values.shape[1])
    lo = np.maximum(t + 1 - window, 0)
    total = csum[:, t + 1] - csum[:, lo]
    count = ccount[:, t + 1] - ccount[:, lo]
    return np.where(count > 0, total, np.nan)


def _days(values: np.ndarray, days: int, season: int) -> np.ndarray:
    n, points = values.shape
    padded = np.pad(values, ((0, 0), (0, days * season - points)), constant_values=np.nan)
    return padded.reshape(n, days, season)


def _trailing(daily: np.ndarray, window: int) -> np.ndarray:
    """Sum over the previous ``window`` days (not the day itself) along axis 1."""
    csum = np.concatenate([np.zeros_like(daily[:, :1]), np.cumsum(daily, axis=1)], axis=1)
    d = np.arange(daily.shape[1])
    return csum[:, d] - csum[:, np.maximum(d - window, 0)]


def _level(g0, i0, o0, a, b, history_seasons: int) -> np.ndarray:
    """Per (series, day): the median over the history days of each day's GPU time / the fit's.

    Least squares is pulled by a day that is already shifted (a regression that started
    yesterday); the median day is not, so a shift keeps being judged against the old level
    until it has lasted half the window, like the seasonal baseline.
    """
    n, days, _ = g0.shape
    out = np.ones((n, days))
    for d in range(1, days):
        lo = max(d - history_seasons, 0)
        fit = (a[:, d, None, None] * i0[:, lo:d] + b[:, d, None, None] * o0[:, lo:d]).sum(-1)
        with np.errstate(invalid="ignore", divide="ignore"):
            ratio = np.where(fit > 0, g0[:, lo:d].sum(-1) / fit, np.nan)
        out[:, d] = _nanmedian(ratio, axis=-1)
    return np.where(np.isfinite(out) & (out > 0), out, 1.0)


def _request_spread(g, tin, tout, req, used, a, b, history_seasons: int) -> np.ndarray:
    """Per (series, day): robust per-request relative spread of GPU time around the day's fit,
    measured on the previous days' hours."""
    n, days, season = g.shape
    out = np.full((n, days), np.nan)
    for d in range(days):
        lo = max(d - history_seasons, 0)
        if lo == d:
            continue
        hg, hi_, ho, hr, hu = (m[:, lo:d] for m in (g, tin, tout, req, used))
        exp = a[:, d, None, None] * hi_ + b[:, d, None, None] * ho
        with np.errstate(invalid="ignore", divide="ignore"):
            z = np.abs(np.log(hg / exp)) * np.sqrt(hr)
        z = np.where(hu & (exp > 0), z, np.nan).reshape(n, -1)
        out[:, d] = MAD_TO_SIGMA * _nanmedian(z, axis=-1)
    return np.maximum(np.nan_to_num(out, nan=MIN_REQUEST_SPREAD), MIN_REQUEST_SPREAD)
