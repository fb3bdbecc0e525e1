# SPDX-License-Identifier: BSD-3-Clause
"""Realism (issue 17): generators fitted on one part of each real recording, judged on the part
they never saw, side by side with neurodsp set up from the same fit.

Rerun: ``python -m benchmarks.realism [--real-data DIR] [--out FILE.md] [--quick]
[--generators fitted,defaults,neurodsp,iaaft] [--repeats 3]``. Each recording is judged in
``--repeats`` draws (seeds 0, 1, 2 by default) and the tables give their median. Reads every recording of
:data:`biosynth.bench.realism_suite.RECORDINGS` found in the real-data folder (``--real-data``, else
``$BIOSYNTH_REAL_DATA``, else ``shared/data/real`` beside the checkout; an absent file is
skipped with one line), writes ``benchmarks/results/realism_<date>.md`` and the JSON beside
it, and prints the tables.

Split, epochs, comparisons and targets: :mod:`biosynth.bench.realism`; the recordings and
the tables: :mod:`biosynth.bench.realism_suite` (also ``biosynth bench realism``).

Candidates: those of :data:`biosynth.bench.realism.CANDIDATES` (``fitted`` is the learned
``SpectralGenerator``)
and ``neurodsp``: per channel, neurodsp ``sim_combined`` of an aperiodic component
(``sim_knee`` with the fitted knee, ``sim_powerlaw`` without one) and one
``sim_bursty_oscillation`` per fitted peak (``sim_oscillation`` where an epoch holds fewer
than 3 of its cycles), with the variance of each component that the fitted spectrum gives on
the epoch's frequency grid, each epoch scaled to the channel's SD in the fit part. The
spectrum parameters are the ``spectrum_params_`` of ``SpectralGenerator`` fitted to the fit
part. Channels are independent
(neurodsp has no cross-channel model).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks._results import RESULTS, quiet
from biosynth.bench.realism import CANDIDATES, Candidate, Unavailable, default_generators
from biosynth.bench.realism_suite import realism_markdown, run_realism, write_realism
from biosynth.signals import CHANNEL, as_batch, make_signals

#: Peaks an epoch holds fewer cycles of than this are pure sinusoids, not bursts.
MIN_BURST_CYCLES = 3.0


def spectrum_params(fit: Any, seed: int) -> tuple[list[dict[str, Any]], str]:
    """Per-channel spectrum parameters of the fit part, and where they come from.

    Parameters
    ----------
    fit : DataArray
        The fit part, ``(record, channel, time)``.
    seed : int
        Seed of ``SpectralGenerator``.

    Returns
    -------
    params : list of dict
        One per channel: ``offset`` (log10 power), ``knee`` (Hz, 0 for none), ``exponent``,
        ``peaks`` (``[centre Hz, height log10, sd Hz]`` each).
    source : str
        ``"SpectralGenerator"`` or ``"fooof"``.
    """
    from biosynth.generators.learned import SpectralGenerator

    params = SpectralGenerator().fit(fit).spectrum_params_
    return [{**p, "knee": p["knee_freq"]} for p in params], "SpectralGenerator"  # the knee in Hz


def _from_fooof(model: Any) -> dict[str, Any]:
    offset, knee, exponent = (float(v) for v in model.aperiodic_params_)
    if not np.isfinite([offset, knee, exponent]).all():
        return {"offset": 0.0, "knee": 0.0, "exponent": 1.0, "peaks": []}
    knee_hz = knee ** (1.0 / exponent) if knee > 0 and exponent > 0 else 0.0
    peaks = [[float(c), float(h), float(s)] for c, h, s in np.atleast_2d(model.gaussian_params_) if h > 0]
    return {"offset": offset, "knee": knee_hz, "exponent": exponent, "peaks": peaks}


def components(params: dict[str, Any], n_times: int, sfreq: float) -> tuple[dict[str, Any], list[float]]:
    """neurodsp ``sim_combined`` components of one channel and their variances.

    Parameters
    ----------
    params : dict
        One channel's entry of :func:`spectrum_params`.
    n_times : int
        Samples per epoch.
    sfreq : float
        Sampling rate, in Hz.

    Returns
    -------
    components : dict
        ``{sim function: parameters or list of them}``.
    variances : list of float
        In the order ``sim_combined`` walks ``components``.
    """
    freqs = np.fft.rfftfreq(n_times, 1.0 / sfreq)[1:]
    exponent = max(float(params["exponent"]), 0.0)
    knee = float(params["knee"]) ** exponent if params["knee"] > 0 else 0.0
    aperiodic = 1.0 / (knee + freqs**exponent)
    if knee > 0:
        found: dict[str, Any] = {"sim_knee": {"exponent1": 0.0, "exponent2": -exponent, "knee": knee}}
    else:
        found = {"sim_powerlaw": {"exponent": -exponent}}
    variances = {"aperiodic": [float(aperiodic.sum())], "sim_bursty_oscillation": [], "sim_oscillation": []}
    for centre, height, sd in params["peaks"]:
        if not freqs[0] < centre < sfreq / 2:
            continue
        shape = np.exp(-((freqs - centre) ** 2) / (2 * sd**2))
        name = "sim_bursty_oscillation" if centre * n_times / sfreq >= MIN_BURST_CYCLES else "sim_oscillation"
        found.setdefault(name, []).append({"freq": float(centre)})
        variances[name].append(float(np.sum(aperiodic * (10.0 ** (height * shape) - 1.0))))
    return found, [v for key in ("aperiodic", *list(found)[1:]) for v in variances[key]]


class NeurodspSampler:
    """Per-channel neurodsp ``sim_combined`` set up from :func:`spectrum_params` (see the
    module notes)."""

    def __init__(self, fit: Any, params: list[dict[str, Any]], source: str) -> None:
        self.params, self.source = params, source
        self.sfreq, self.units = float(fit.attrs["sfreq"]), fit.attrs["units"]
        self.names = [str(c) for c in fit[CHANNEL].values]
        self.sd = np.asarray(as_batch(fit).values, dtype=np.float64).std(axis=(0, -1))

    def sample(self, n_records: int, *, duration: float, seed: int) -> Any:
        """``n_records`` epochs of ``duration`` s (see :class:`biosynth.bench.realism.Sampler`)."""
        from neurodsp.sim import sim_combined
        from neurodsp.utils import set_random_seed

        n_times = round(duration * self.sfreq)
        out = np.empty((n_records, len(self.names), n_times))
        set_random_seed(seed)
        with quiet():
            for c, params in enumerate(self.params):
                found, variances = components(params, n_times, self.sfreq)
                for r in range(n_records):
                    sig = sim_combined(n_times / self.sfreq, self.sfreq, found, variances)[:n_times]
                    out[r, c] = (sig - sig.mean()) / sig.std() * self.sd[c]
        provenance = {"generator": "neurodsp.sim.sim_combined", "spectrum_params": self.source}
        return make_signals(out, self.sfreq, ch_names=self.names, units=self.units, modality="misc",
                            provenance=provenance)  # fmt: skip


def fit_neurodsp(fit: Any, seed: int) -> NeurodspSampler:
    """The ``neurodsp`` candidate's fit (see the module notes).

    Parameters
    ----------
    fit : DataArray
        The fit part.
    seed : int
        Seed of the spectrum fit.

    Returns
    -------
    sampler : NeurodspSampler

    Raises
    ------
    Unavailable
        neurodsp (or, without ``SpectralGenerator``, fooof) is not installed.
    """
    try:
        with quiet():
            import neurodsp  # noqa: F401
    except ImportError as err:
        raise Unavailable("neurodsp is not installed (pip install biosynth[dev])") from err
    params, source = spectrum_params(fit, seed)
    return NeurodspSampler(fit, params, source)


NEURODSP = Candidate(
    "neurodsp",
    fit_neurodsp,
    "neurodsp sim_combined per channel: sim_knee or sim_powerlaw plus a bursty oscillation per peak, from "
    "SpectralGenerator's spectrum_params_ (fooof's fit where it is absent), scaled to each channel's SD",
)


def generators(names: str | None) -> list[str | Candidate]:
    """The candidates of ``--generators`` (None: :func:`default_generators` with ``neurodsp``
    before ``iaaft``)."""
    if names is None:
        chosen = list(default_generators())
        chosen.insert(chosen.index("iaaft") if "iaaft" in chosen else len(chosen), "neurodsp")
    else:
        chosen = [n.strip() for n in names.split(",") if n.strip()]
    unknown = sorted(set(chosen) - set(CANDIDATES) - {"neurodsp"})
    if unknown:
        raise SystemExit(f"--generators: unknown {unknown}; expected some of {[*CANDIDATES, 'neurodsp']}.")
    return [NEURODSP if n == "neurodsp" else n for n in chosen]


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Run the benchmark, print the tables and write them."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--real-data", type=Path, default=None, metavar="DIR", help="folder of real recordings")
    parser.add_argument("--out", type=Path, default=None, help="Markdown file (JSON beside it)")
    parser.add_argument("--quick", action="store_true", help="4 recordings, 20 Bonn segments per part")
    parser.add_argument("--generators", default=None, help="comma-separated candidates")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeats", type=int, default=3, help="draws per recording, their median reported")
    args = parser.parse_args(argv)
    if args.repeats < 1:
        parser.error(f"--repeats must be at least 1 (draws per recording), got {args.repeats}")
    chosen = generators(args.generators)
    result = run_realism(
        args.real_data, generators=chosen, quick=args.quick, seed=args.seed, repeats=args.repeats, log=print
    )
    print(realism_markdown(result))
    out = args.out or RESULTS / f"realism-{time.strftime('%Y-%m-%d')}.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    print("wrote " + ", ".join(map(str, write_realism(result, out, overwrite=True))))
    return result


if __name__ == "__main__":
    main()
