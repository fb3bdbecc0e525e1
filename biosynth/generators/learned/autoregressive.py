# SPDX-License-Identifier: BSD-3-Clause
"""Linear autoregressive generators: a univariate AR model per channel and a multichannel VAR,
fitted by conditional least squares pooled over the records and sampled with a burn-in.

Both fits are the ones statsmodels computes (``AutoReg``/``ar_select_order`` and
``VAR``/``select_order`` with ``trend="n"`` on the record-centred data), extended to several
records: the lagged regression is built inside each record (no lag reaches across a record
boundary) and the normal equations are summed over records. For one record the coefficients,
innovation (co)variance and selected order equal statsmodels' (the tests check it).
"""

from __future__ import annotations

import logging
import math
from typing import Any

import numpy as np

from biosynth._utils.check import check_int, check_option
from biosynth.generators.learned._base import LearnedGenerator

logger = logging.getLogger(__name__)

_CRITERIA = ("aic", "bic", "hqic")
_UNSTABLE = ("raise", "shrink")
#: Largest companion-eigenvalue modulus after ``on_unstable="shrink"``.
SHRINK_TO = 0.99
#: Transients must decay below this fraction during the burn-in.
_BURN_IN_DECAY = 1e-8
_TINY = np.finfo(np.float64).tiny


# --- pooled conditional least squares ---------------------------------------------------------


def _lagged(record: np.ndarray, n_lags: int, hold_back: int) -> tuple[np.ndarray, np.ndarray]:
    """(n_channels, n_times) -> targets (n_channels, n_obs) and lags (n_channels, n_obs, n_lags).

    Rows are times ``hold_back .. n_times - 1``; lag ``j`` (column ``j - 1``) is ``x[t - j]``.
    """
    windows = np.lib.stride_tricks.sliding_window_view(record, n_lags + 1, axis=-1)
    windows = windows[:, hold_back - n_lags :, :]
    return windows[:, :, n_lags], windows[:, :, n_lags - 1 :: -1] if n_lags else windows[:, :, :0]


def _moments_univariate(data: np.ndarray, n_lags: int, hold_back: int) -> tuple[np.ndarray, ...]:
    """Per channel X'X (n_channels, n_lags, n_lags), X'y (n_channels, n_lags), y'y (n_channels,), n_obs."""
    n_channels = data.shape[1]
    xtx = np.zeros((n_channels, n_lags, n_lags))
    xty = np.zeros((n_channels, n_lags))
    yty = np.zeros(n_channels)
    for record in data:
        y, x = _lagged(record, n_lags, hold_back)
        xtx += np.einsum("cnl,cnm->clm", x, x)
        xty += np.einsum("cnl,cn->cl", x, y)
        yty += np.einsum("cn,cn->c", y, y)
    return xtx, xty, yty, data.shape[0] * (data.shape[-1] - hold_back)


def _moments_multivariate(data: np.ndarray, n_lags: int, hold_back: int) -> tuple[np.ndarray, ...]:
    """X'X (k p, k p), X'Y (k p, k), Y'Y (k, k), n_obs; column ``(j - 1) k + c`` is channel c at lag j."""
    k = data.shape[1]
    xtx = np.zeros((k * n_lags, k * n_lags))
    xty = np.zeros((k * n_lags, k))
    yty = np.zeros((k, k))
    for record in data:
        y, x = _lagged(record, n_lags, hold_back)
        x = x.transpose(1, 2, 0).reshape(y.shape[1], n_lags * k)  # (n_obs, lag, channel)
        xtx += x.T @ x
        xty += x.T @ y.T
        yty += y @ y.T
    return xtx, xty, yty, data.shape[0] * (data.shape[-1] - hold_back)


def _solve(xtx: np.ndarray, xty: np.ndarray, yty: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Least-squares coefficients and residual sum of squares (matrix) from the moments."""
    if xtx.shape[-1] == 0:
        return np.zeros_like(xty), yty
    try:
        coefs = np.linalg.solve(xtx, xty)
    except np.linalg.LinAlgError:
        raise ValueError(
            "the lagged regression is singular: a channel is exactly predictable from its past "
            "(e.g. a pure sinusoid or another noiseless periodic signal); lower max_order or fix order."
        ) from None
    return coefs, yty - xty.T @ coefs


def _penalty(ic: str, n_obs: int) -> float:
    """Per-parameter penalty of Lütkepohl's criteria, on the scale of ``n_obs * log det(Sigma)``."""
    return {"aic": 2.0, "bic": math.log(n_obs), "hqic": 2.0 * math.log(math.log(n_obs))}[ic]


def _companion_radius(coefs: np.ndarray) -> float:
    """Largest eigenvalue modulus of the companion matrix of ``coefs`` (p, k, k); 0 for p = 0."""
    p, k, _ = coefs.shape
    if p == 0:
        return 0.0
    companion = np.zeros((k * p, k * p))
    companion[:k] = np.concatenate(list(coefs), axis=1)
    companion[k:, :-k] = np.eye(k * (p - 1))
    return float(np.abs(np.linalg.eigvals(companion)).max())


def _burn_in(radius: float, order: int) -> int:
    """Samples until transients decay below ``_BURN_IN_DECAY`` (at least 10 x the order)."""
    decay = 0 if radius <= 0 else math.ceil(math.log(_BURN_IN_DECAY) / math.log(radius))
    return max(10 * order, decay)


def _stabilise(coefs: np.ndarray, on_unstable: str, what: str) -> tuple[np.ndarray, float, float]:
    """Check stability of ``coefs`` (p, k, k); shrink (lag j scaled by s**j) or raise."""
    radius = _companion_radius(coefs)
    if radius < 1.0:
        return coefs, radius, 1.0
    if on_unstable == "raise":
        raise ValueError(
            f"the fitted {what} is unstable (largest companion eigenvalue modulus {radius:.4f} >= 1, "
            "i.e. a root of the AR polynomial on or inside the unit circle): the data look nonstationary "
            "(drift, trend or a unit root). High-pass filter or detrend the records, or pass "
            'on_unstable="shrink".'
        )
    scale = SHRINK_TO / radius
    shrunk = coefs * scale ** np.arange(1, coefs.shape[0] + 1)[:, None, None]
    logger.warning("%s unstable (radius %.4f): coefficients shrunk to radius %.2f", what, radius, SHRINK_TO)
    return shrunk, _companion_radius(shrunk), scale


def _centre(data: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Records centred on their own channel means, and the grand channel means."""
    return data - data.mean(axis=-1, keepdims=True), data.mean(axis=(0, 2))


def _check_length(data: np.ndarray, n_lags: int, n_params: int, name: str) -> None:
    n_records, _, n_times = data.shape
    n_obs = n_records * (n_times - n_lags)
    if n_times <= n_lags or n_obs <= n_params:
        raise ValueError(
            f"{name}={n_lags} needs records longer than {n_lags} samples and more than {n_params} "
            f"regression rows in all; got {n_records} record(s) of {n_times} samples. Lower {name}."
        )


class _Autoregressive(LearnedGenerator):
    """Shared constructor and checks of the AR and VAR generators."""

    def __init__(
        self, max_order: int = 20, ic: str = "aic", order: int | None = None, on_unstable: str = "raise"
    ) -> None:
        self.max_order = check_int("max_order", max_order, low=0)
        self.ic = check_option("ic", ic, _CRITERIA)
        self.order = None if order is None else check_int("order", order, low=0)
        self.on_unstable = check_option("on_unstable", on_unstable, _UNSTABLE)

    def _params(self) -> dict[str, Any]:
        return {"max_order": self.max_order, "ic": self.ic, "order": self.order, "on_unstable": self.on_unstable}


class ARGenerator(_Autoregressive):
    """Univariate autoregressive model per channel (channels independent).

    Each channel ``c`` follows ``x_t - mu_c = sum_j a_cj (x_{t-j} - mu_c) + sigma_c e_t`` with
    ``e_t`` standard normal. The fit centres each record on its own channel means (offsets
    between records do not pass for slow dynamics), then estimates the coefficients by
    conditional least squares pooled over records: the lagged design is built inside each
    record, so no lag crosses a record boundary, and the normal equations are summed. The
    order minimises ``ic`` over ``0 .. max_order`` with the first ``max_order`` samples of
    every record held back, so all orders are compared on the same rows (as
    ``statsmodels.tsa.ar_model.ar_select_order`` with ``trend="n"``); the chosen order is
    then refitted on all rows (as ``AutoReg(x, order, trend="n")``), and
    ``sigma2 = SSR / n_obs`` (statsmodels' ``sigma2``). For one record the result equals
    statsmodels'. ``mu_c`` is the grand mean of the channel and is added back when sampling.

    Stability is checked on the roots of the AR polynomial (via the companion matrix: all
    eigenvalue moduli below 1, i.e. all roots outside the unit circle). An unstable fit
    raises ``ValueError`` with ``on_unstable="raise"``; with ``"shrink"`` lag ``j`` is scaled by
    ``s**j``, which moves every root radially out so the largest eigenvalue modulus becomes
    :data:`SHRINK_TO` (0.99), and a warning is logged.

    Sampling runs the recursion (``scipy.signal.lfilter``) from zero state on
    ``burn_in + n_times`` innovations from the record's random stream and drops the first
    ``burn_in = max(10 x order, samples for the slowest transient to decay by 1e-8)``, one
    value for all channels. Any ``duration`` works. Cost: fit
    ``O(n_records n_times n_channels max_order**2)``; sampling ``O(n_channels (n_times +
    burn_in) order)``.

    Parameters
    ----------
    max_order : int, default=20
        Largest order considered, in samples (>= 0).
    ic : {"aic", "bic", "hqic"}, default="aic"
        Information criterion for the order (Lütkepohl's definitions, as statsmodels).
    order : int | None, default=None
        Fixed order, in samples, for every channel; None selects it per channel with ``ic``.
    on_unstable : {"raise", "shrink"}, default="raise"
        What to do with an unstable fitted channel.

    Attributes
    ----------
    order_ : ndarray of int, shape (n_channels,)
        Selected order per channel.
    coefs_ : ndarray, shape (n_channels, max(order_))
        ``a_cj`` (zero beyond each channel's order).
    sigma2_ : ndarray, shape (n_channels,)
        Innovation variance, in the squared unit of the data.
    mean_ : ndarray, shape (n_channels,)
        Channel means, in the unit of the data.
    shrink_ : ndarray, shape (n_channels,)
        Scale ``s`` applied per channel (1 where stable).

    Examples
    --------
    >>> import numpy as np
    >>> from scipy.signal import lfilter
    >>> from biosynth.signals import make_signals
    >>> from biosynth.generators.learned import ARGenerator
    >>> noise = np.random.default_rng(0).normal(0, 1e-5, (4, 2, 2000))
    >>> real = make_signals(lfilter([1.0], [1.0, -1.2, 0.5], noise), 250.0)
    >>> generator = ARGenerator(max_order=6, ic="bic").fit(real)
    >>> generator.order_
    array([2, 2])
    >>> generator.coefs_.round(1)
    array([[ 1.2, -0.5],
           [ 1.2, -0.5]])
    >>> generator.sample(3, seed=0).shape
    (3, 2, 2000)
    """

    name = "ar"

    def _fit(self, data: np.ndarray, labels: np.ndarray | None) -> None:
        centred, self.mean_ = _centre(data)
        n_channels = data.shape[1]
        hold_back = self.max_order if self.order is None else self.order
        _check_length(data, hold_back, hold_back, "max_order" if self.order is None else "order")
        flat = ~np.any(centred, axis=(0, 2))  # constant channels: order 0, zero variance
        if self.order is not None:
            orders = np.full(n_channels, self.order)
        else:
            xtx, xty, yty, n_obs = _moments_univariate(centred, hold_back, hold_back)
            scores = np.empty((n_channels, self.max_order + 1))
            for p in range(self.max_order + 1):
                for c in range(n_channels):
                    if flat[c]:
                        scores[c, p] = p
                        continue
                    _, ssr = _solve(xtx[c, :p, :p], xty[c, :p], yty[c])
                    scores[c, p] = n_obs * math.log(max(ssr / n_obs, _TINY)) + _penalty(self.ic, n_obs) * p
            orders = scores.argmin(axis=1)
        orders[flat] = 0
        self.order_ = orders.astype(np.int64)
        self.coefs_ = np.zeros((n_channels, int(orders.max(initial=0))))
        self.sigma2_ = np.zeros(n_channels)
        self.shrink_ = np.ones(n_channels)
        names = self.info_["ch_names"]
        for p in np.unique(orders):
            channels = np.flatnonzero(orders == p)
            xtx, xty, yty, n_obs = _moments_univariate(centred[:, channels], p, p)
            for i, c in enumerate(channels):
                if flat[c]:
                    continue
                coefs, ssr = _solve(xtx[i], xty[i], yty[i])
                coefs, _, scale = _stabilise(coefs[:, None, None], self.on_unstable, f"AR({p}) of channel {names[c]!r}")
                self.coefs_[c, :p] = coefs[:, 0, 0]
                self.sigma2_[c] = ssr / n_obs
                self.shrink_[c] = scale
        self._prepare()

    def _prepare(self) -> None:
        radius = max(
            (_companion_radius(a[:p, None, None]) for a, p in zip(self.coefs_, self.order_, strict=True)), default=0.0
        )
        self._burn = _burn_in(radius, int(self.order_.max(initial=0)))

    def _sample_record(self, rng: np.random.Generator, n_times: int, label: Any) -> np.ndarray:
        from scipy.signal import lfilter

        noise = rng.standard_normal((self.mean_.size, self._burn + n_times)) * np.sqrt(self.sigma2_)[:, None]
        out = np.empty((self.mean_.size, n_times))
        for c, (coefs, p) in enumerate(zip(self.coefs_, self.order_, strict=True)):
            out[c] = lfilter([1.0], np.r_[1.0, -coefs[:p]], noise[c])[self._burn :]
        return out + self.mean_[:, None]

    def _state(self) -> dict[str, np.ndarray]:
        return {
            "order": self.order_,
            "coefs": self.coefs_,
            "sigma2": self.sigma2_,
            "mean": self.mean_,
            "shrink": self.shrink_,
        }

    def _restore(self, state: dict[str, np.ndarray]) -> None:
        self.order_ = state["order"].astype(np.int64)
        self.coefs_ = state["coefs"].astype(np.float64)
        self.sigma2_ = state["sigma2"].astype(np.float64)
        self.mean_ = state["mean"].astype(np.float64)
        self.shrink_ = state["shrink"].astype(np.float64)
        self._prepare()


class VARGenerator(_Autoregressive):
    """Multichannel vector autoregressive (VAR) model with correlated innovations.

    ``x_t - mu = sum_j A_j (x_{t-j} - mu) + L e_t`` with ``e_t`` standard normal and
    ``L L^T = Sigma_u`` (Cholesky; a symmetric square root if ``Sigma_u`` is only
    semidefinite). The fit centres each record on its own channel means, builds the lagged
    regression inside each record (no lag crosses a record boundary) and sums the normal
    equations over records. The order minimises ``ic`` over ``0 .. max_order`` with the first
    ``max_order`` samples of every record held back (``statsmodels.tsa.api.VAR.select_order``
    with ``trend="n"``, which starts at order 1), is refitted on all rows, and
    ``Sigma_u = SSR / (n_obs - n_channels * order)`` (statsmodels' ``sigma_u``). For one
    record the result equals statsmodels'. Linearly dependent channels (for example all
    channels of an average reference, rank ``n_channels - 1``) make the regression singular
    and raise ``ValueError``: drop one channel first.

    Stability is checked on the companion matrix (as statsmodels' ``is_stable``): an
    unstable fit raises ``ValueError`` with ``on_unstable="raise"``; with ``"shrink"``,
    ``A_j`` is scaled by ``s**j`` so the largest eigenvalue modulus becomes
    :data:`SHRINK_TO` (0.99), and a warning is logged.

    Sampling runs the recursion from zero state on ``burn_in + n_times`` innovations from
    the record's random stream and drops the first ``burn_in = max(10 x order, samples for
    the slowest transient to decay by 1e-8)``. Any ``duration`` works. Cost: fitting needs
    the ``(n_channels max_order)**2`` Gram matrix, ``O(n_records n_times (n_channels
    max_order)**2)`` time, plus one solve per candidate order, ``O((n_channels max_order)**3)``;
    beyond about 32 channels, lower ``max_order`` or fix ``order``. Sampling is a Python
    loop over ``n_times + burn_in`` steps of ``O(n_channels**2 order)`` each.

    Parameters
    ----------
    max_order : int, default=10
        Largest order considered, in samples (>= 0).
    ic : {"aic", "bic", "hqic"}, default="aic"
        Information criterion for the order (Lütkepohl's definitions, as statsmodels).
    order : int | None, default=None
        Fixed order, in samples; None selects it with ``ic``.
    on_unstable : {"raise", "shrink"}, default="raise"
        What to do with an unstable fitted model.

    Attributes
    ----------
    order_ : int
        Selected order.
    coefs_ : ndarray, shape (order_, n_channels, n_channels)
        ``A_j``; ``coefs_[j - 1][c, d]`` is the effect of channel ``d`` at lag ``j`` on ``c``.
    sigma_u_ : ndarray, shape (n_channels, n_channels)
        Innovation covariance, in the squared unit of the data.
    mean_ : ndarray, shape (n_channels,)
        Channel means, in the unit of the data.
    shrink_ : float
        Scale ``s`` applied (1 if stable).

    Examples
    --------
    >>> import numpy as np
    >>> from biosynth.signals import make_signals
    >>> from biosynth.generators.learned import VARGenerator
    >>> rng = np.random.default_rng(0)
    >>> x = np.zeros((2, 4000))
    >>> for t in range(1, 4000):
    ...     x[:, t] = [[0.5, 0.3], [0.0, 0.5]] @ x[:, t - 1] + rng.normal(0, 1e-5, 2)
    >>> generator = VARGenerator(max_order=4, ic="bic").fit(make_signals(x, 250.0))
    >>> generator.order_
    1
    >>> generator.coefs_[0].round(1)
    array([[0.5, 0.3],
           [0. , 0.5]])
    >>> generator.sample(2, seed=0, duration=2.0).shape
    (2, 2, 500)
    """

    name = "var"

    def __init__(
        self, max_order: int = 10, ic: str = "aic", order: int | None = None, on_unstable: str = "raise"
    ) -> None:
        super().__init__(max_order=max_order, ic=ic, order=order, on_unstable=on_unstable)

    def _fit(self, data: np.ndarray, labels: np.ndarray | None) -> None:
        centred, self.mean_ = _centre(data)
        k = data.shape[1]
        self._check_rank(centred)
        hold_back = self.max_order if self.order is None else self.order
        _check_length(data, hold_back, k * hold_back + k, "max_order" if self.order is None else "order")
        if self.order is not None:
            order = self.order
        else:
            xtx, xty, yty, n_obs = _moments_multivariate(centred, hold_back, hold_back)
            scores = []
            for p in range(self.max_order + 1):
                _, ssr = _solve(xtx[: k * p, : k * p], xty[: k * p], yty)
                _, logdet = np.linalg.slogdet(ssr / n_obs)
                scores.append(n_obs * logdet + _penalty(self.ic, n_obs) * p * k * k)
            order = int(np.argmin(scores))
        xtx, xty, yty, n_obs = _moments_multivariate(centred, order, order)
        coefs, ssr = _solve(xtx, xty, yty)
        coefs = np.ascontiguousarray(coefs.reshape(order, k, k).transpose(0, 2, 1))  # (lag, to, from)
        self.coefs_, _, self.shrink_ = _stabilise(coefs, self.on_unstable, f"VAR({order})")
        self.order_ = order
        self.sigma_u_ = ssr / (n_obs - k * order)
        self._prepare()

    def _check_rank(self, centred: np.ndarray) -> None:
        covariance = np.einsum("rct,rdt->cd", centred, centred)
        eigenvalues = np.linalg.eigvalsh(covariance)
        if eigenvalues[0] <= 1e-10 * eigenvalues[-1]:
            names = self.info_["ch_names"]
            flat = [names[c] for c in np.flatnonzero(np.diag(covariance) == 0)]
            detail = f" ({', '.join(flat)} constant)" if flat else ""
            raise ValueError(
                f"the channels of real are linearly dependent{detail}: the VAR regression is singular. "
                "Drop a channel (one per dependency, e.g. one channel of an average reference) or use "
                "ARGenerator."
            )

    def _prepare(self) -> None:
        self._burn = _burn_in(_companion_radius(self.coefs_), self.order_)
        try:
            self._factor = np.linalg.cholesky(self.sigma_u_)
        except np.linalg.LinAlgError:
            values, vectors = np.linalg.eigh(self.sigma_u_)
            self._factor = vectors * np.sqrt(np.clip(values, 0.0, None))
        # (k, k p), C order: a loaded generator must run the very same BLAS calls as the fitted one
        self._stacked = np.ascontiguousarray(np.concatenate(list(self.coefs_), axis=1)) if self.order_ else None

    def _sample_record(self, rng: np.random.Generator, n_times: int, label: Any) -> np.ndarray:
        k, p = self.mean_.size, self.order_
        total = self._burn + n_times
        x = np.zeros((total + p, k))
        x[p:] = rng.standard_normal((total, k)) @ self._factor.T
        if p:
            stacked = self._stacked
            for t in range(p, total + p):
                x[t] += stacked @ x[t - p : t][::-1].ravel()  # [x_{t-1}, ..., x_{t-p}]
        return x[p + self._burn :].T + self.mean_[:, None]

    def _state(self) -> dict[str, np.ndarray]:
        return {
            "order": np.asarray(self.order_),
            "coefs": self.coefs_,
            "sigma_u": self.sigma_u_,
            "mean": self.mean_,
            "shrink": np.asarray(self.shrink_),
        }

    def _restore(self, state: dict[str, np.ndarray]) -> None:
        self.order_ = int(state["order"])
        self.coefs_ = state["coefs"].astype(np.float64)
        self.sigma_u_ = state["sigma_u"].astype(np.float64)
        self.mean_ = state["mean"].astype(np.float64)
        self.shrink_ = float(state["shrink"])
        self._prepare()
