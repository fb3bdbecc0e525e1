# SPDX-License-Identifier: BSD-3-Clause
"""Cortical sources from the Jansen-Rit neural mass model (Jansen & Rit 1995), seeded per record.

A cortical column is three interacting populations: pyramidal cells, excitatory and
inhibitory interneurons. Each population turns its mean incoming firing rate into a
postsynaptic potential through a second-order linear synapse, and its mean membrane
potential into a firing rate through a sigmoid:

.. math::

    \\ddot y_0 &= A a\\, S(y_1 - y_2) - 2 a \\dot y_0 - a^2 y_0, \\\\
    \\ddot y_1 &= A a \\left(p(t) + C_2 S(C_1 y_0)\\right) - 2 a \\dot y_1 - a^2 y_1, \\\\
    \\ddot y_2 &= B b\\, C_4 S(C_3 y_0) - 2 b \\dot y_2 - b^2 y_2, \\\\
    S(v) &= \\frac{2 e_0}{1 + e^{r (v_0 - v)}},

with :math:`y_1 - y_2` the mean membrane potential of the pyramidal cells (mV), the
quantity EEG sees, and :math:`p(t)` the input from other areas, a pulse density (1/s).
The standard parameters (Jansen & Rit 1995, table 1) are ``A = 3.25`` mV, ``B = 22``
mV, ``a = 100`` /s, ``b = 50`` /s, ``C = 135``, ``C1..C4 = C, 0.8 C, 0.25 C, 0.25 C``,
``e0 = 2.5`` /s, ``v0 = 6`` mV and ``r = 0.56`` /mV; Jansen & Rit drive the column with
uniform white noise between 120 and 320 pulses/s and get an alpha rhythm near 10 Hz.
Without noise the column sits at a fixed point for a constant input below about 90
pulses/s and oscillates at alpha frequencies above it (up to about 315 pulses/s;
Grimbert & Faugeras 2006).

**Sources.** ``n_sources`` columns per record, all-to-all coupled: source k receives, on
top of its own :math:`p_k(t)`, ``coupling`` times the mean pyramidal firing rate
:math:`S(y_1 - y_2)` of the other sources (so ``coupling`` is dimensionless, 0 leaves
them independent).

**Integration.** Fourth-order Runge-Kutta with a fixed internal step :math:`h = 1 /
(q\\, \\mathrm{sfreq})`, ``q = ceil(1000 / sfreq)`` (so :math:`h \\le 1` ms), from the
zero state. The input is drawn once per internal step and held over it: uniform white
noise with mean ``input_mean`` and standard deviation ``input_std``, drawn with NumPy on
the host from the record's own generator, so every device integrates the same input.
The noise is white up to :math:`1 / (2h)`; its effect on the output, which the synapses
filter with corner frequencies near 16 and 8 Hz, hardly depends on :math:`h`.

**Anti-aliasing.** With ``q > 1`` the internal-rate output is low-pass filtered by a
zero-phase linear-phase FIR filter (Hamming window, ``20 q + 1`` taps, -6 dB at ``0.4
sfreq``, more than 50 dB down from about ``0.48 sfreq``) and every q-th sample kept. The
model runs ``burn_in`` s plus the filter's half length (10 output samples) before
:math:`t = 0` and 10 output samples past the end, so no sample sees the filter's edges.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import xarray as xr

from biosynth._utils.docs import fill_doc
from biosynth._utils.seeds import Seed
from biosynth.generators._checks import check_flags
from biosynth.generators._neural_mass_core import JANSEN_RIT_PARAMS as JANSEN_RIT_PARAMS  # re-exported
from biosynth.generators._neural_mass_core import jansen_rit
from biosynth.generators._provenance import build_provenance
from biosynth.signals import empty_events, make_signals


@fill_doc
def simulate_jansen_rit(
    duration: float,
    sfreq: float,
    *,
    n_records: int | None = None,
    n_sources: int = 1,
    params: Mapping[str, float] | None = None,
    input_mean: float = 220.0,
    input_std: float = 22.0,
    coupling: float = 0.0,
    burn_in: float = 1.0,
    first_record: int = 0,
    seed: Seed = None,
    device: str = "cpu",
    progress: bool = False,
    return_events: bool = False,
) -> xr.DataArray | tuple[xr.DataArray, pd.DataFrame]:
    """Simulate the pyramidal membrane potential of Jansen-Rit cortical columns.

    Parameters
    ----------
    %(duration)s
    sfreq : float
        Output sampling rate, in Hz; at least 25 Hz (the alpha band, 8-12 Hz, must lie
        below the anti-alias filter's cut-off, 0.4 ``sfreq``).
    %(n_records)s
    n_sources : int
        Cortical columns per record (the channels of the output).
    params : mapping of str to float | None
        Model parameters overriding :data:`JANSEN_RIT_PARAMS`: ``"A"``, ``"B"`` (mV),
        ``"a"``, ``"b"``, ``"e0"`` (1/s), ``"C"``, ``"C1"``..``"C4"`` (dimensionless;
        unset ones follow ``C`` as C, 0.8 C, 0.25 C, 0.25 C), ``"v0"`` (mV), ``"r"``
        (1/mV). All but ``v0`` must be positive.
    input_mean : float
        Mean of the external input :math:`p(t)`, in pulses/s. Jansen & Rit: 220.
    input_std : float
        Standard deviation of :math:`p(t)`, in pulses/s, drawn uniformly per internal
        step (Jansen & Rit's 120-320 pulses/s is ``input_std`` = 57.7).
    coupling : float
        Gain of the input each source receives from the mean pyramidal firing rate of
        the others (dimensionless, >= 0); no effect with one source.
    burn_in : float
        Time simulated and dropped before :math:`t = 0`, in seconds (the start-up
        transient from the zero state); rounded to whole output samples.
    %(first_record)s
    %(seed)s
    device : str
        ``"cpu"`` (Numba, parallel over records, or over records and sources when
        ``coupling`` is 0), ``"torch:cpu"`` or a torch device such as ``"cuda"`` (the
        RK4 integration runs there; the anti-alias decimation runs on the host). The
        input noise is drawn with NumPy on the host, so all devices give the same
        output within float tolerance. The torch path steps through time in Python.
    %(progress)s
    return_events : bool, default=False
        Also return an events table. The model has no discrete events (its alpha
        rhythm is continuous), so the table is always empty, with the standard columns
        ``record, channel, onset, duration, type``.

    Returns
    -------
    y : DataArray
        Mean membrane potential of the pyramidal cells, :math:`y_1 - y_2`, in mV
        (``units="mV"``, modality ``"lfp"``: a source-level signal; project it with
        :func:`~biosynth.generators.project_sources` for the scalp), one channel per
        source (``"src000"``, ``"src001"``, ...), ``n_times = round(duration * sfreq)``
        samples from :math:`t = 0`; dims ``("channel", "time")`` with
        ``n_records=None``, else ``("record", "channel", "time")``.
    events : DataFrame
        Only with ``return_events=True``: an empty events table.

    Raises
    ------
    ValueError
        On a non-positive duration, ``sfreq`` below 25 Hz, unknown or out-of-range
        ``params`` and other out-of-range arguments (one line naming the argument).

    Notes
    -----
    See the module docstring for the equations, the integration scheme and the
    anti-aliasing filter.

    References
    ----------
    .. [1] Jansen BH, Rit VG (1995). Electroencephalogram and visual evoked potential
       generation in a mathematical model of coupled cortical columns. Biol Cybern
       73(4):357-366. doi:10.1007/BF00199471
    .. [2] Grimbert F, Faugeras O (2006). Bifurcation analysis of Jansen's neural mass
       model. Neural Comput 18(12):3052-3068. doi:10.1162/neco.2006.18.12.3052

    Examples
    --------
    >>> y = simulate_jansen_rit(2.0, 100.0, n_records=2, seed=0)
    >>> y.dims, y.shape, y.attrs["units"]
    (('record', 'channel', 'time'), (2, 1, 200), 'mV')
    """
    check_flags(progress=progress, return_events=return_events)
    data, checked, root = jansen_rit(
        duration,
        sfreq,
        n_records=n_records,
        n_sources=n_sources,
        params=params,
        input_mean=input_mean,
        input_std=input_std,
        coupling=coupling,
        burn_in=burn_in,
        first_record=first_record,
        seed=seed,
        device=device,
        progress=progress,
    )
    provenance = build_provenance("biosynth.generators.simulate_jansen_rit", checked, root)
    first = checked["first_record"]
    signals = make_signals(
        data if n_records is not None else data[0],
        checked["sfreq"],
        ch_names=[f"src{k:03d}" for k in range(checked["n_sources"])],
        units="mV",
        modality="lfp",
        provenance=provenance,
        record_names=np.arange(first, first + data.shape[0]) if n_records is not None else None,
        check_finite=False,
    )
    return (signals, empty_events()) if return_events else signals
