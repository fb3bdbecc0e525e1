# SPDX-License-Identifier: BSD-3-Clause
"""Discrete states of a recording's epoch band powers, for :class:`~biosynth.generators.learned.SpectralGenerator`.

Real recordings often switch between a few states that last many epochs (eyes open and
closed, sleep stages, the stretches before and during a seizure); their band powers are
then multimodal across epochs, which a Gaussian of the epoch log band powers does not
reproduce. Where the data hold such states, the fit learns them as a Markov chain of the
epochs, each state adding its own mean to the log band powers:

1. The epoch log band powers (n_epochs, n_channels * n_bands) are divided by the spread
   a stationary Gaussian process shows by chance (so that bands of few frequency bins do
   not dominate), reduced to their leading principal scores (at most
   :data:`MAX_SCORE_DIMS`), and each score is made as Gaussian as a Yeo-Johnson power
   transform can (a mixture would otherwise fit the skew of a unimodal score).
2. Gaussian mixtures whose states share one covariance (the states differ by their means;
   the rest of the variability is common to all) are fitted by EM (:data:`N_STARTS`
   k-means++ starts, fixed seeds) with K = 1, 2, ... states, at most :data:`MAX_STATES`
   and one per :data:`MIN_EPOCHS_PER_STATE` epochs.
3. K + 1 states replace K only when (a) BIC improves, (b) the states persist: the mean
   dwell time (run of one state within a record) exceeds that of the labels shuffled over
   the epochs by :data:`MIN_EXTRA_DWELL` epochs, beyond all but :data:`SHUFFLE_LEVEL` of
   :data:`N_SHUFFLES` shuffles, and so does each state's own, and (c) the likelihood gain
   exceeds that of every one of :data:`N_BOOTSTRAP` draws of the K-state model with
   within-state deviations as slow as the real ones (a first-order vector autoregression).
   BIC alone counts epochs as independent, and a slow but unimodal recording then looks
   clustered; (c) is a parametric bootstrap of the likelihood-ratio test that does not.
   White-noise-like, stationary or unimodal recordings keep one state, and the model is
   then exactly the state-free one.
4. The labels are decoded again as a chain (Viterbi, :data:`N_DECODE` rounds), so that a
   lone misread epoch does not cut a dwell. Each state's offset is its epochs' mean log
   band powers less the mean of all epochs (the offsets average to zero over the epochs);
   the transition matrix per epoch is counted from consecutive epochs within records (with
   :data:`PSEUDO_COUNT` added to each cell), and the occupancy is the share of the epochs
   in each state (each synthetic record starts from it: in a set of short segments that
   rarely switch, the chain's stationary distribution would say little).

Sampling runs the chain per synthesis frame (frames advance by half an epoch) with the
per-frame matrix ``(I + P) / 2``: it keeps the occupancy, the mean dwell time in seconds
(``1 / (1 - P_kk)`` epochs) and where the chain goes when it leaves a state. Each frame
adds its state's offset less ``log10(sum_k occupancy_k 10 ** offset_k)``, so that the mean
power of every band stays that of the model (``E[10 ** u] = 1``).

Everything here is parameters (offsets in log10 units, a transition matrix, an
occupancy); no real samples.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from biosynth._utils.docs import fill_doc

#: Most states tried.
MAX_STATES = 4
#: Fewest epochs per state tried: K states are tried only with at least K times this many epochs.
MIN_EPOCHS_PER_STATE = 8
#: Most principal scores of the epoch log band powers the mixtures see.
MAX_SCORE_DIMS = 3
#: Shuffles of the labels that the observed mean dwell time is compared with.
N_SHUFFLES = 200
#: The observed mean dwell time must exceed all but this share of the shuffled ones.
SHUFFLE_LEVEL = 0.01
#: ... and their mean by at least this many epochs.
MIN_EXTRA_DWELL = 1.0
#: Draws of the bootstrap that tests K + 1 states against K (the observed gain in
#: likelihood must exceed every one of them: a test at level 1 / (N_BOOTSTRAP + 1)).
N_BOOTSTRAP = 19
#: EM starts of each mixture fit (k-means++ seeds; the best likelihood is kept).
N_STARTS = 3
#: Rounds of Viterbi decoding of the labels with the chain fitted to the previous ones.
N_DECODE = 2
#: Added to every cell of the transition counts (a state left once is not absorbing).
PSEUDO_COUNT = 0.5


@dataclass(frozen=True)
class States:
    """Discrete states of the epoch log band powers.

    Attributes
    ----------
    offsets : ndarray, shape (n_states, n_features)
        Mean log band powers (log10) of each state less the mean of all epochs.
    transitions : ndarray, shape (n_states, n_states)
        Probability of the state of the next epoch (rows) given the present one.
    occupancy : ndarray, shape (n_states,)
        Share of the epochs in each state (where records are long, the stationary
        distribution of ``transitions``; in sets of short segments that rarely switch
        state, the share of the segments).
    labels : ndarray of int, shape (n_epochs,)
        State of each fitted epoch (all 0 for one state).
    """

    offsets: np.ndarray
    transitions: np.ndarray
    occupancy: np.ndarray
    labels: np.ndarray

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(offsets, transitions, occupancy)``: what the generator keeps."""
        return self.offsets, self.transitions, self.occupancy

    def residuals(self, features: np.ndarray) -> np.ndarray:
        """``features`` (n_epochs, n_features) less the offset of each epoch's state."""
        return features - self.offsets[self.labels]


def no_states(n_features: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The arrays of one state: zero offsets ``(1, n_features)``, ``[[1]]`` and ``[1]``."""
    return np.zeros((1, n_features)), np.ones((1, 1)), np.ones(1)


def restore_states(state: dict[str, np.ndarray], n_features: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The state arrays of a saved generator; one state for a file written before states existed."""
    if "state_offsets" not in state:
        return no_states(n_features)
    return state["state_offsets"], state["state_transitions"], state["state_occupancy"]


def fit_states(
    features: np.ndarray, chance_std: np.ndarray, per_record: int, *, max_states: int | None = None
) -> States:
    """Fit the states of the epoch log band powers (see the module notes).

    Parameters
    ----------
    features : ndarray, shape (n_epochs, n_features)
        Log10 band powers of consecutive epochs, record after record (``per_record`` each).
    chance_std : ndarray, shape (n_features,)
        Standard deviation of each feature across epochs of a stationary Gaussian process
        with the recording's spectrum (log10 units).
    per_record : int
        Epochs per record.
    max_states : int | None
        Most states tried; None: :data:`MAX_STATES`.

    Returns
    -------
    states : States
        One state (zero offsets) where no persistent mixture beats it.
    """
    n_epochs, n_features = features.shape
    limit = min(MAX_STATES if max_states is None else max_states, n_epochs // MIN_EPOCHS_PER_STATE)
    labels = np.zeros(n_epochs, dtype=int)
    if limit < 2 or per_record < 2:
        return States(*no_states(n_features), labels)
    scores = _principal_scores(features, chance_std)
    rng = np.random.default_rng(0)  # the bootstrap is part of the fit: fixed
    fitted = _mixture(scores, 1)
    for k in range(2, limit + 1):
        mixture = _mixture(scores, k)
        candidate = _canonical(mixture.labels, k)
        if mixture.bic(n_epochs) >= fitted.bic(n_epochs) or len(np.unique(candidate)) < k:
            break
        if not persistent(candidate, per_record):
            break
        gain = mixture.log_likelihood - fitted.log_likelihood
        null = [
            _mixture(sample, k).log_likelihood - _mixture(sample, k - 1).log_likelihood
            for sample in map(_symmetric, _null_scores(rng, scores, labels, k - 1, per_record, N_BOOTSTRAP))
        ]
        if gain <= max(null):
            break
        fitted, labels = mixture, candidate
    k = int(labels.max()) + 1
    if k == 1:
        return States(*no_states(n_features), labels)
    for _ in range(N_DECODE):  # the chain's labels: a lone misread epoch does not cut a dwell
        labels = _decode(fitted, scores, labels, k, per_record)
    return _states_of(features, labels, k, per_record)


@fill_doc
def persistent(labels: np.ndarray, per_record: int, *, seed: int = 0) -> bool:
    """Whether the states of consecutive epochs persist beyond chance (see the module notes).

    Parameters
    ----------
    %(epoch_states)s
    seed : int, default=0
        Seed of the shuffles (the fit is deterministic).

    Returns
    -------
    persistent : bool
    """
    observed = mean_dwell(labels, per_record)
    rng = np.random.default_rng(seed)
    shuffles = [rng.permutation(labels) for _ in range(N_SHUFFLES)]
    shuffled = np.array([mean_dwell(s, per_record) for s in shuffles])
    beyond = (np.sum(shuffled >= observed) + 1) / (N_SHUFFLES + 1)
    each = state_dwell(labels, per_record)
    each_shuffled = np.mean([state_dwell(s, per_record) for s in shuffles], axis=0)
    return bool(
        observed >= shuffled.mean() + MIN_EXTRA_DWELL
        and beyond <= SHUFFLE_LEVEL
        and np.all(each >= each_shuffled + MIN_EXTRA_DWELL)
    )


@fill_doc
def mean_dwell(labels: np.ndarray, per_record: int) -> float:
    """Mean length, in epochs, of the runs of one state within records (a run ends at a
    record's end).

    Parameters
    ----------
    %(epoch_states)s

    Returns
    -------
    dwell : float
    """
    by_record = np.asarray(labels).reshape(-1, per_record)
    changes = np.count_nonzero(by_record[:, 1:] != by_record[:, :-1])
    return by_record.size / (changes + len(by_record))


@fill_doc
def state_dwell(labels: np.ndarray, per_record: int) -> np.ndarray:
    """Mean length, in epochs, of the runs of each state within records.

    Parameters
    ----------
    %(epoch_states)s

    Returns
    -------
    dwell : ndarray, shape (n_states,)
        0 for a state with no epoch.
    """
    by_record = np.asarray(labels).reshape(-1, per_record)
    starts = np.ones(by_record.shape, dtype=bool)
    starts[:, 1:] = by_record[:, 1:] != by_record[:, :-1]
    k = int(by_record.max()) + 1
    runs = np.bincount(by_record[starts], minlength=k)
    return np.bincount(by_record.ravel(), minlength=k) / np.maximum(runs, 1)


def state_log_power(
    rng: np.random.Generator, offsets: np.ndarray, transitions: np.ndarray, occupancy: np.ndarray, n_frames: int
) -> np.ndarray | float:
    """Log band powers (log10) that the states add to ``n_frames`` synthesis frames.

    The chain starts from ``occupancy`` and steps once per frame (half an epoch) with
    ``(I + transitions) / 2``; each frame gets its state's offset less
    ``log10(sum_k occupancy_k 10 ** offsets_k)`` (the mean power stays).

    Parameters
    ----------
    rng : Generator
        The record's generator (not used for one state).
    offsets, transitions, occupancy : ndarray
        As :class:`States`.
    n_frames : int
        Frames of the record.

    Returns
    -------
    log_power : ndarray, shape (n_frames, n_features), or 0.0
        0.0 for one state (no draws: the record is that of the state-free model).
    """
    if len(offsets) < 2:
        return 0.0
    per_frame = np.cumsum(0.5 * (np.eye(len(transitions)) + transitions), axis=1)
    draws = rng.random(n_frames)
    states = np.empty(n_frames, dtype=int)
    states[0] = min(int(np.searchsorted(np.cumsum(occupancy), draws[0] * np.sum(occupancy))), len(offsets) - 1)
    for t in range(1, n_frames):
        row = per_frame[states[t - 1]]
        states[t] = min(int(np.searchsorted(row, draws[t] * row[-1])), len(offsets) - 1)
    mean_power = np.log10(occupancy @ 10.0**offsets / np.sum(occupancy))
    return offsets[states] - mean_power


def dwell_epochs(transitions: np.ndarray) -> np.ndarray:
    """Mean dwell time of each state, in epochs: ``1 / (1 - P_kk)``.

    Parameters
    ----------
    transitions : ndarray, shape (n_states, n_states)

    Returns
    -------
    dwell : ndarray, shape (n_states,)
    """
    return 1.0 / np.maximum(1.0 - np.diagonal(transitions), 1e-12)


# --- helpers ------------------------------------------------------------------------------


def _principal_scores(features: np.ndarray, chance_std: np.ndarray) -> np.ndarray:
    """Leading principal scores (n_epochs, d) of the features in units of their chance
    spread, each made as Gaussian as a Yeo-Johnson power transform can (:func:`_symmetric`)."""
    scale = np.maximum(chance_std, 1e-6 * max(float(np.max(chance_std)), 1e-300))
    z = (features - features.mean(axis=0)) / scale
    u, s, _ = np.linalg.svd(z, full_matrices=False)
    d = min(MAX_SCORE_DIMS, int(np.sum(s > 1e-9 * s[0])) if s.size and s[0] > 0 else 0)
    return _symmetric(u[:, : max(d, 1)] * s[: max(d, 1)])


def _symmetric(scores: np.ndarray) -> np.ndarray:
    """Each column through the Yeo-Johnson transform of maximum Gaussian likelihood, then
    standardised: a skewed but unimodal score becomes near Gaussian (a mixture would
    otherwise fit its skew), while two modes stay two modes."""
    from scipy.stats import yeojohnson

    out = np.empty_like(scores)
    for j, column in enumerate(scores.T):
        spread = column.std()
        if spread == 0:
            out[:, j] = 0.0
            continue
        values = yeojohnson((column - column.mean()) / spread)[0]
        out[:, j] = (values - values.mean()) / max(values.std(), 1e-300)
    return out


@dataclass(frozen=True)
class _Mixture:
    """A Gaussian mixture whose components share one covariance, fitted by EM."""

    weights: np.ndarray  # (k,)
    means: np.ndarray  # (k, d)
    covariance: np.ndarray  # (d, d)
    log_likelihood: float  # of the scores it was fitted to
    labels: np.ndarray  # most probable component of each score

    def bic(self, n: int) -> float:
        """Bayesian information criterion on ``n`` scores."""
        k, d = self.means.shape
        return -2.0 * self.log_likelihood + (k * d + k - 1 + d * (d + 1) / 2) * np.log(n)


def _mixture(scores: np.ndarray, k: int, *, seed: int = 0) -> _Mixture:
    """The best of :data:`N_STARTS` EM fits (k-means++ seeds, fixed ``seed``) of a mixture
    of ``k`` Gaussians with a shared covariance (one: the sample mean and covariance)."""
    rng = np.random.default_rng(seed)
    best = _em(scores, _seeds(rng, scores, k))
    for _ in range(N_STARTS - 1 if k > 1 else 0):
        fit = _em(scores, _seeds(rng, scores, k))
        best = fit if fit.log_likelihood > best.log_likelihood else best
    return best


def _seeds(rng: np.random.Generator, x: np.ndarray, k: int) -> np.ndarray:
    """k-means++ seeds refined by a few Lloyd steps: initial means (k, d)."""
    centres = x[[rng.integers(len(x))]]
    for _ in range(1, k):
        distance = np.min(np.sum((x[:, None] - centres[None]) ** 2, axis=-1), axis=1)
        total = distance.sum()
        index = rng.choice(len(x), p=distance / total) if total > 0 else rng.integers(len(x))
        centres = np.vstack([centres, x[index]])
    for _ in range(10):
        nearest = np.argmin(np.sum((x[:, None] - centres[None]) ** 2, axis=-1), axis=1)
        centres = np.stack([x[nearest == c].mean(axis=0) if np.any(nearest == c) else centres[c] for c in range(k)])
    return centres


def _em(x: np.ndarray, means: np.ndarray, max_iter: int = 200, tol: float = 1e-4) -> _Mixture:
    """EM for a Gaussian mixture with a shared covariance, from the initial ``means``."""
    n, d = x.shape
    k = len(means)
    weights = np.full(k, 1.0 / k)
    total_cov = np.atleast_2d(np.cov(x, rowvar=False, bias=True))
    ridge = 1e-6 * max(float(np.trace(total_cov)) / d, 1e-300) * np.eye(d)
    covariance = total_cov + ridge
    previous = -np.inf
    for _ in range(max_iter):
        chol = np.linalg.cholesky(covariance)
        whiten = np.linalg.inv(chol).T
        log_det = 2.0 * np.sum(np.log(np.diagonal(chol)))
        distance = np.sum(((x @ whiten)[:, None] - (means @ whiten)[None]) ** 2, axis=-1)
        log_p = np.log(np.maximum(weights, 1e-300)) - 0.5 * (distance + log_det + d * np.log(2 * np.pi))
        top = log_p.max(axis=1, keepdims=True)
        row = top[:, 0] + np.log(np.sum(np.exp(log_p - top), axis=1))
        total = float(row.sum())
        responsibility = np.exp(log_p - row[:, None])
        if total - previous <= tol * n:
            break
        previous = total
        counts = responsibility.sum(axis=0) + 1e-12
        weights = counts / n
        means = responsibility.T @ x / counts[:, None]
        covariance = (x.T @ x - (means.T * counts) @ means) / n + ridge
    return _Mixture(weights, means, covariance, total, np.argmax(responsibility, axis=1))


def _null_scores(
    rng: np.random.Generator, scores: np.ndarray, labels: np.ndarray, k: int, per_record: int, n_draws: int
) -> list[np.ndarray]:
    """Draws of the scores under the model of ``k`` states (those of ``labels``): the chain
    of the labels, each state's mean, and within-state deviations as a first-order vector
    autoregression (so the draws are as slow as the real scores: a slow but unimodal
    recording looks clustered in a finite sample, and the test must not take that for states)."""
    means = np.stack([scores[labels == s].mean(axis=0) for s in range(k)])
    deviations = scores - means[labels]
    pairs = np.arange(len(scores)).reshape(-1, per_record)[:, :-1].ravel()
    lag0 = deviations.T @ deviations / len(deviations)
    lag1 = deviations[pairs + 1].T @ deviations[pairs] / len(pairs)
    ar = lag1 @ np.linalg.pinv(lag0)
    radius = np.max(np.abs(np.linalg.eigvals(ar)))
    ar = ar * min(1.0, 0.98 / radius) if radius > 0 else ar
    innovation = _psd_root(lag0 - ar @ lag0 @ ar.T)
    start = _psd_root(lag0)
    if k > 1:
        chain = _states_of(scores, labels, k, per_record)
        per_epoch, occupancy = np.cumsum(chain.transitions, axis=1), np.cumsum(chain.occupancy)
    n_records, dim = len(scores) // per_record, scores.shape[1]
    out = []
    for _ in range(n_draws):
        noise = rng.standard_normal((n_records, per_record, dim))
        draw = np.empty_like(noise)
        draw[:, 0] = noise[:, 0] @ start.T
        for t in range(1, per_record):
            draw[:, t] = draw[:, t - 1] @ ar.T + noise[:, t] @ innovation.T
        states = np.zeros((n_records, per_record), dtype=int)
        if k > 1:
            uniform = rng.random((n_records, per_record))
            states[:, 0] = np.minimum(np.searchsorted(occupancy, uniform[:, 0] * occupancy[-1]), k - 1)
            for t in range(1, per_record):
                rows = per_epoch[states[:, t - 1]]
                states[:, t] = np.minimum(np.sum(rows < uniform[:, t : t + 1] * rows[:, -1:], axis=1), k - 1)
        out.append((draw + means[states]).reshape(-1, dim))
    return out


def _decode(mixture: _Mixture, scores: np.ndarray, labels: np.ndarray, k: int, per_record: int) -> np.ndarray:
    """The most probable state sequence of each record (Viterbi) under the mixture's
    Gaussians and the chain of ``labels``, renumbered by decreasing count."""
    order = _canonical_order(mixture.labels, k)  # mixture component of each canonical state
    chol = np.linalg.cholesky(mixture.covariance)
    whiten = np.linalg.inv(chol).T
    distance = np.sum(((scores @ whiten)[:, None] - (mixture.means[order] @ whiten)[None]) ** 2, axis=-1)
    emission = (-0.5 * distance).reshape(-1, per_record, k)
    chain = _states_of(scores, labels, k, per_record)
    log_transitions, log_start = np.log(chain.transitions), np.log(np.maximum(chain.occupancy, 1e-300))
    out = np.empty(emission.shape[:2], dtype=int)
    for r, record in enumerate(emission):
        best = log_start + record[0]
        back = np.empty((per_record, k), dtype=int)
        for t in range(1, per_record):
            candidates = best[:, None] + log_transitions
            back[t] = np.argmax(candidates, axis=0)
            best = candidates[back[t], np.arange(k)] + record[t]
        out[r, -1] = int(np.argmax(best))
        for t in range(per_record - 1, 0, -1):
            out[r, t - 1] = back[t, out[r, t]]
    decoded = out.ravel()
    return _canonical(decoded, k) if len(np.unique(decoded)) == k else labels


def _psd_root(matrix: np.ndarray) -> np.ndarray:
    """A square root ``R`` (``R R^T = matrix``) of a symmetric matrix, negative eigenvalues set to zero."""
    values, vectors = np.linalg.eigh(0.5 * (matrix + matrix.T))
    return vectors * np.sqrt(np.clip(values, 0.0, None))


def _canonical_order(labels: np.ndarray, k: int) -> np.ndarray:
    """The labels by decreasing count (ties: the lower first)."""
    return np.argsort(-np.bincount(labels, minlength=k), kind="stable")


def _canonical(labels: np.ndarray, k: int) -> np.ndarray:
    """Labels renumbered by decreasing count (ties: the lower first)."""
    rank = np.empty(k, dtype=int)
    rank[_canonical_order(labels, k)] = np.arange(k)
    return rank[labels]


def _states_of(features: np.ndarray, labels: np.ndarray, k: int, per_record: int) -> States:
    offsets = np.stack([features[labels == s].mean(axis=0) for s in range(k)]) - features.mean(axis=0)
    by_record = labels.reshape(-1, per_record)
    counts = np.zeros((k, k))
    np.add.at(counts, (by_record[:, :-1].ravel(), by_record[:, 1:].ravel()), 1.0)
    counts += PSEUDO_COUNT
    transitions = counts / counts.sum(axis=1, keepdims=True)
    return States(offsets, transitions, np.bincount(labels, minlength=k) / len(labels), labels)
