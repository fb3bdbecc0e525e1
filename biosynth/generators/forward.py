# SPDX-License-Identifier: BSD-3-Clause
"""Spatial part of scalp EEG: electrode positions, a spherical-head lead field, projection.

Scalp potentials are a linear mixture of cortical current dipoles,

.. math::

    \\mathbf{v}(t) = G\\,\\mathbf{q}(t),

where :math:`\\mathbf{q}(t)` holds the dipole moments (A·m) of ``n_sources`` fixed
dipoles and :math:`G` (V per A·m) is the lead field (gain matrix). :func:`leadfield`
computes :math:`G` with MNE-Python's forward solution for a four-layer concentric
sphere head (brain, CSF, skull, scalp; relative radii 0.90, 0.92, 0.97, 1.0 and
conductivities 0.33, 1.0, 0.004, 0.33 S/m, MNE's defaults), evaluated with the
Berg-Scherg approximation of the multilayer series (Mosher et al. 1999). The sphere is
fitted to all electrodes of the montage, so a subset of channels gets the rows of the
full montage's lead field. Dipoles sit on a cortical shell at 80 % of the scalp radius
(inside the brain sphere), pointing radially, i.e. normal to the shell, as pyramidal
cells in a gyral crown do. Everything runs offline: no MRI, no fsaverage download.

Because the sources are shared, nearby electrodes see the same dipoles and their
signals correlate more than those of distant electrodes, which is what a single
uniform correlation (:func:`biosynth.generators.simulate_eeg`) cannot give.

Coordinates are MNE's head frame (after fitting the montage's fiducials): x to the
right preauricular point, y to the nasion, z up; in metres.

References
----------
.. [1] Mosher JC, Leahy RM, Lewis PS (1999). EEG and MEG: forward solutions for inverse
   methods. IEEE Trans Biomed Eng 46(3):245-259. doi:10.1109/10.748978
.. [2] Berg P, Scherg M (1994). A fast method for forward computation of multiple-shell
   spherical head models. Electroencephalogr Clin Neurophysiol 90(1):58-64.
.. [3] MNE-Python, :func:`mne.make_sphere_model` and :func:`mne.make_forward_solution`,
   https://mne.tools/stable/generated/mne.make_sphere_model.html
"""

from __future__ import annotations

import functools
import logging
import numbers
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from biosynth._utils.check import check_finite_array, check_int, check_option, check_positive, check_type
from biosynth._utils.seeds import Seed, make_seed_sequence

logger = logging.getLogger(__name__)

REFERENCES = ("average", "linked_mastoids", None)
#: Mastoid (or nearby) electrode pairs tried, in order, for the linked-mastoid reference.
MASTOID_PAIRS = (("M1", "M2"), ("TP9", "TP10"))
#: Source shell radius as a fraction of the scalp radius (the brain sphere is 0.90).
SHELL_RADIUS = 0.8
#: Lowest cosine of the polar angle (from the sphere's vertical axis) covered by sources.
SHELL_MIN_COS = -0.3
# Montage names MNE deprecates in favour of new ones (MNE 1.13); kept working here.
_MONTAGE_ALIASES = {
    "standard_1005": "colin27_1005",
    "standard_1020": "colin27_1020",
    "standard_alphabetic": "colin27_alphabetic",
    "standard_postfixed": "colin27_postfixed",
    "standard_prefixed": "colin27_prefixed",
    "standard_primed": "colin27_primed",
}


def montage_positions(
    ch_names: Sequence[str] | None = None, montage: str = "standard_1020"
) -> tuple[list[str], np.ndarray]:
    """Electrode names and positions of a standard montage, in MNE's head frame.

    Parameters
    ----------
    ch_names : sequence of str | None
        Channels wanted, in the order wanted; matched exactly, else ignoring case (the
        montage's spelling is returned). None returns every channel of the montage.
    montage : str
        Name of a built-in MNE montage (:func:`mne.channels.get_builtin_montages`),
        e.g. ``"standard_1020"`` (the Colin27 10-20 template), ``"standard_1005"``,
        ``"biosemi32"``.

    Returns
    -------
    names : list of str
        Channel names, in the requested order.
    positions : ndarray, shape (n_channels, 3)
        Electrode positions in m, head frame (x right, y anterior, z up).

    Raises
    ------
    ValueError
        If ``montage`` is unknown or a channel is not in the montage (the message
        names the unknown channels and lists a few valid ones).

    Examples
    --------
    >>> names, pos = montage_positions(["Cz", "Fz"])
    >>> names, pos.shape
    (['Cz', 'Fz'], (2, 3))
    """
    montage = _check_montage(montage)
    all_names, all_pos = _montage_table(montage)
    if ch_names is None:
        return list(all_names), all_pos.copy()
    names = _check_ch_names(ch_names, montage)
    idx = [all_names.index(n) for n in names]
    return list(names), all_pos[idx].copy()


def leadfield(
    ch_names: Sequence[str] | None,
    *,
    n_sources: int = 1000,
    montage: str = "standard_1020",
    sphere: float | Sequence[float] | None = None,
    seed: Seed = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """EEG lead field of radial cortical dipoles in a four-layer spherical head.

    Parameters
    ----------
    ch_names : sequence of str | None
        Electrodes (rows of the gain), in order; None takes the whole montage.
    n_sources : int
        Number of dipoles on the cortical shell, >= 1.
    montage : str
        Built-in MNE montage giving the electrode positions (see
        :func:`montage_positions`).
    sphere : float | sequence of 4 floats | None
        Head sphere: None fits a sphere to all the montage's electrodes
        (:func:`mne.bem.fit_sphere_to_headshape`); a float is the scalp radius in m
        around that fitted centre; ``(x, y, z, radius)`` gives centre and radius in m
        (head frame). The inner layers follow MNE's relative radii.
    seed : int, SeedSequence or None
        None places the dipoles on a deterministic, evenly spread Fibonacci lattice of
        the shell (no randomness); a seed draws them uniformly on the shell instead.

    Returns
    -------
    gain : ndarray, shape (n_channels, n_sources)
        Potential at each electrode (reference at infinity) per unit dipole moment,
        in V per A·m. A 10 nA·m dipole gives potentials of order 10 µV.
    source_positions : ndarray, shape (n_sources, 3)
        Dipole positions in m, head frame.
    source_orientations : ndarray, shape (n_sources, 3)
        Unit dipole orientations (radial: outward normal of the shell).

    Notes
    -----
    The result is cached in memory per (channels, montage, n_sources, sphere, seed):
    the first call takes about a second (the MNE forward solution), later calls are
    copies. The cortical shell is a spherical cap at 80 % of the scalp radius
    covering polar angles up to ``arccos(-0.3)`` (about 107°) from the sphere's
    vertical axis, so it reaches below the temporal electrodes.

    References
    ----------
    .. [1] Mosher JC, Leahy RM, Lewis PS (1999). EEG and MEG: forward solutions for
       inverse methods. IEEE Trans Biomed Eng 46(3):245-259. doi:10.1109/10.748978
    .. [2] MNE-Python sphere model, :func:`mne.make_sphere_model`.

    Examples
    --------
    >>> gain, rr, nn = leadfield(["Fz", "Cz", "Pz"], n_sources=50)
    >>> gain.shape, rr.shape, nn.shape
    ((3, 50), (50, 3), (50, 3))
    """
    montage = _check_montage(montage)
    names = tuple(_montage_table(montage)[0] if ch_names is None else _check_ch_names(ch_names, montage))
    n_sources = check_int("n_sources", n_sources, low=1)
    sphere_key = _check_sphere(sphere)
    seed_key = _seed_key(seed)
    gain, rr, nn = _leadfield_cached(names, montage, n_sources, sphere_key, seed_key)
    return gain.copy(), rr.copy(), nn.copy()


def project_sources(
    source_activity: ArrayLike,
    gain: ArrayLike,
    *,
    reference: str | None = "average",
    ch_names: Sequence[str] | None = None,
) -> np.ndarray:
    """Project source dipole moments to referenced scalp potentials.

    Parameters
    ----------
    source_activity : array_like, shape (..., n_sources, n_times)
        Dipole moments in A·m (any leading batch dims, e.g. records).
    gain : array_like, shape (n_channels, n_sources)
        Lead field in V per A·m, reference at infinity (from :func:`leadfield`).
    reference : {"average", "linked_mastoids", None}
        ``"average"`` subtracts the mean over channels at each sample (the channel mean
        is then 0); ``"linked_mastoids"`` subtracts the mean of M1 and M2 (or TP9 and
        TP10 in 10-10 naming), which must be among ``ch_names``; None keeps the
        reference at infinity. The reference is computed from all channels of ``gain``.
    ch_names : sequence of str | None
        Names of the rows of ``gain``; needed for ``"linked_mastoids"``.

    Returns
    -------
    scalp : ndarray, shape (..., n_channels, n_times)
        Scalp potentials in V.

    Examples
    --------
    >>> gain, _, _ = leadfield(["Fz", "Cz", "Pz"], n_sources=50)
    >>> q = 1e-8 * np.random.default_rng(0).standard_normal((50, 100))
    >>> project_sources(q, gain).shape
    (3, 100)
    """
    reference = check_option("reference", reference, REFERENCES)
    g = np.asarray(gain, dtype=float)
    if g.ndim != 2:
        raise ValueError(f"gain must be 2-D (n_channels, n_sources), got shape {g.shape}.")
    check_finite_array("gain", g)
    q = np.asarray(source_activity, dtype=float)
    if q.ndim < 2 or q.shape[-2] != g.shape[1]:
        raise ValueError(
            f"source_activity must have shape (..., n_sources={g.shape[1]}, n_times), got shape {q.shape}."
        )
    check_finite_array("source_activity", q)
    if ch_names is not None:
        ch_names = [str(check_type("ch_names entries", c, str, "str")) for c in ch_names]
        if len(ch_names) != g.shape[0]:
            raise ValueError(f"ch_names must name the {g.shape[0]} rows of gain, got {len(ch_names)} names.")
    if reference == "average":
        g = g - g.mean(axis=0, keepdims=True)
    elif reference == "linked_mastoids":
        i, j = mastoid_rows(ch_names)
        g = g - 0.5 * (g[i] + g[j])
    scalp = np.matmul(g, q)
    if reference == "average":
        # remove the rounding left by the product so the channel mean is 0 to machine precision
        scalp -= scalp.mean(axis=-2, keepdims=True)
    return scalp


# ---------------------------------------------------------------------------- helpers


def _check_montage(montage: Any) -> str:
    """Validate a montage name (MNE's built-ins plus the deprecated standard_* names)."""
    import mne

    check_type("montage", montage, str, "a montage name (str)")
    allowed = set(mne.channels.get_builtin_montages()) | set(_MONTAGE_ALIASES)
    if montage not in allowed:
        few = ", ".join(repr(m) for m in ("standard_1020", "standard_1005", "biosemi32", "biosemi64"))
        raise ValueError(
            f"montage must be a built-in MNE montage (e.g. {few}; see mne.channels.get_builtin_montages()), "
            f"got {montage!r}."
        )
    return montage


def _make_montage(montage: str) -> Any:
    """Build an MNE montage, mapping names MNE has deprecated or removed, quietly."""
    import mne

    kind = montage
    if kind in _MONTAGE_ALIASES and kind not in mne.channels.get_builtin_montages():
        kind = _MONTAGE_ALIASES[kind]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # FutureWarning on the standard_* names in MNE 1.13
        return mne.channels.make_standard_montage(kind)


@functools.lru_cache(maxsize=16)
def _montage_info(montage: str) -> Any:
    """An MNE Info holding every EEG channel of ``montage``, positioned in the head frame."""
    import mne

    mont = _make_montage(montage)
    info = mne.create_info(list(mont.ch_names), 1000.0, "eeg")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        info.set_montage(mont, verbose="error")
    return info


@functools.lru_cache(maxsize=16)
def _montage_table(montage: str) -> tuple[tuple[str, ...], np.ndarray]:
    """Channel names and head-frame positions (m) of the whole montage (read-only)."""
    info = _montage_info(montage)
    pos = np.array([ch["loc"][:3] for ch in info["chs"]], dtype=float)
    pos.setflags(write=False)
    return tuple(info["ch_names"]), pos


def _check_ch_names(ch_names: Any, montage: str) -> tuple[str, ...]:
    """Map requested channel names to the montage's (exact, else case-insensitive)."""
    if isinstance(ch_names, str) or not isinstance(ch_names, Sequence):
        raise TypeError(f"ch_names must be a sequence of channel names, got {type(ch_names).__name__} {ch_names!r}.")
    all_names = _montage_table(montage)[0]
    lower = {n.lower(): n for n in all_names}
    names, unknown = [], []
    for c in ch_names:
        if not isinstance(c, str):
            raise TypeError(f"ch_names entries must be str, got {type(c).__name__} {c!r}.")
        name = c if c in all_names else lower.get(c.lower())
        (unknown.append(c) if name is None else names.append(name))
    if unknown:
        common = [n for n in ("Fp1", "Fz", "Cz", "Pz", "O1", "T7") if n in all_names]
        few = ", ".join(repr(n) for n in (common if len(common) >= 3 else all_names[:6]))
        raise ValueError(
            f"ch_names has {len(unknown)} channel(s) not in montage {montage!r}: "
            f"{', '.join(repr(u) for u in unknown[:10])}{' ...' if len(unknown) > 10 else ''}; "
            f"valid names include {few}, ... ({len(all_names)} in all)."
        )
    if not names:
        raise ValueError("ch_names must name at least one channel, got an empty sequence.")
    if len(set(names)) != len(names):
        dup = sorted({n for n in names if names.count(n) > 1})
        raise ValueError(f"ch_names must not repeat channels, got {', '.join(repr(d) for d in dup)} twice or more.")
    return tuple(names)


def _check_sphere(sphere: Any) -> float | tuple[float, ...] | None:
    """Validate ``sphere`` into a hashable cache key."""
    if sphere is None:
        return None
    if isinstance(sphere, numbers.Real) and not isinstance(sphere, bool):
        return check_positive("sphere", sphere, unit="m")
    values = np.asarray(sphere, dtype=float) if isinstance(sphere, (Sequence, np.ndarray)) else None
    if values is None or values.shape != (4,) or not np.isfinite(values).all() or values[3] <= 0:
        raise ValueError(f"sphere must be None, a radius in m or (x, y, z, radius) in m, got {sphere!r}.")
    return tuple(float(v) for v in values)


def _seed_key(seed: Seed) -> tuple[Any, ...] | None:
    """Hashable key of a seed (None stays None: the deterministic lattice)."""
    if seed is None:
        return None
    ss = make_seed_sequence(seed)
    return (ss.entropy, tuple(ss.spawn_key))


def _shell_directions(n: int, seed_key: tuple[Any, ...] | None) -> np.ndarray:
    """Unit vectors spread over the cap ``cos(polar) >= SHELL_MIN_COS`` (n, 3).

    Equal-area in both cases: z = cos(polar) uniform on [SHELL_MIN_COS, 1] (Archimedes);
    a Fibonacci (golden-angle) lattice without a seed, uniform draws with one.
    """
    if seed_key is None:
        k = np.arange(n) + 0.5
        z = 1.0 - k / n * (1.0 - SHELL_MIN_COS)
        phi = np.pi * (1.0 + np.sqrt(5.0)) * k
    else:
        rng = np.random.default_rng(np.random.SeedSequence(seed_key[0], spawn_key=seed_key[1]))
        z = rng.uniform(SHELL_MIN_COS, 1.0, n)
        phi = rng.uniform(0.0, 2.0 * np.pi, n)
    rho = np.sqrt(1.0 - z**2)
    return np.column_stack([rho * np.cos(phi), rho * np.sin(phi), z])


@functools.lru_cache(maxsize=32)
def _head_sphere(montage: str, sphere: float | tuple[float, ...] | None) -> tuple[np.ndarray, float]:
    """Centre (m, head frame) and scalp radius (m) of the head sphere."""
    import mne

    if isinstance(sphere, tuple):
        return np.array(sphere[:3]), sphere[3]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        radius, origin, _ = mne.bem.fit_sphere_to_headshape(
            _montage_info(montage), dig_kinds=("eeg",), units="m", verbose="error"
        )
    return np.asarray(origin, dtype=float), float(radius if sphere is None else sphere)


@functools.lru_cache(maxsize=16)
def _leadfield_cached(
    names: tuple[str, ...],
    montage: str,
    n_sources: int,
    sphere: float | tuple[float, ...] | None,
    seed_key: tuple[Any, ...] | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Compute the lead field with MNE (read-only arrays; callers copy)."""
    import mne

    origin, radius = _head_sphere(montage, sphere)
    full = _montage_info(montage)
    info = mne.pick_info(full, [full["ch_names"].index(n) for n in names], verbose="error")
    nn = _shell_directions(n_sources, seed_key)
    rr = origin + SHELL_RADIUS * radius * nn
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = mne.make_sphere_model(r0=origin, head_radius=radius, info=info, verbose="error")
        src = mne.setup_volume_source_space(pos={"rr": rr, "nn": nn}, sphere=model, mindist=0.0, verbose="error")
        fwd = mne.make_forward_solution(info, trans=None, src=src, bem=model, meg=False, eeg=True, verbose="error")
        fwd = mne.convert_forward_solution(fwd, surf_ori=True, force_fixed=True, use_cps=False, verbose="error")
    if fwd["nsource"] != n_sources or list(fwd["sol"]["row_names"]) != list(names):
        raise RuntimeError(  # pragma: no cover - MNE dropped a source or reordered channels
            f"MNE's forward solution kept {fwd['nsource']} of {n_sources} sources; expected all of them."
        )
    gain = np.ascontiguousarray(fwd["sol"]["data"], dtype=float)
    logger.debug("lead field %s x %s for montage %r, sphere r=%.4f m", *gain.shape, montage, radius)
    for a in (gain, rr, nn):
        a.setflags(write=False)
    return gain, rr, nn


def mastoid_rows(ch_names: Sequence[str] | None) -> tuple[int, int]:
    """Row indices of the linked-mastoid pair among ``ch_names``.

    Parameters
    ----------
    ch_names : sequence of str or None
        Channel names (matched ignoring case).

    Returns
    -------
    rows : (int, int)
        Indices of the first pair of :data:`MASTOID_PAIRS` present (M1/M2, else
        TP9/TP10).
    """
    pairs = " or ".join(f"{a}/{b}" for a, b in MASTOID_PAIRS)
    if ch_names is None:
        raise ValueError(f"reference='linked_mastoids' needs ch_names (to find {pairs}), got ch_names=None.")
    lower = [c.lower() for c in ch_names]
    for a, b in MASTOID_PAIRS:
        if a.lower() in lower and b.lower() in lower:
            return lower.index(a.lower()), lower.index(b.lower())
    raise ValueError(f"reference='linked_mastoids' needs {pairs} among ch_names, got {list(ch_names)!r}.")
