# SPDX-License-Identifier: BSD-3-Clause
"""A convolutional MMD variational autoencoder (InfoVAE) trained on windows of real recordings.

:class:`VAEMMDGenerator` cuts every real record into windows of ``window`` samples,
learns an encoder ``q(z | x, label)`` and a decoder ``x = g(z, label)`` on them, and
samples new windows by decoding ``z ~ N(0, I)`` drawn from the record's NumPy stream.
It needs PyTorch (``pip install 'biosynth[torch]'``), imported only when the generator
is made.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import math
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd
import xarray as xr

from biosynth._utils.backend import check_device, require_torch, torch_device
from biosynth._utils.check import check_int, check_number, check_option, check_positive, check_type
from biosynth._utils.files import atomic_output
from biosynth.generators.learned._base import LearnedGenerator

logger = logging.getLogger(__name__)

_CHECKPOINT_KIND = "biosynth.vae_mmd.checkpoint"
_CHECKPOINT_VERSION = 1
#: Parameters that may differ between a checkpointed run and the run resuming it.
_RESUMABLE_CHANGES = ("epochs", "progress", "device", "checkpoint")
#: Bandwidths of the multi-scale MMD kernel, as multiples of 2 * latent_dim (Tolstikhin et al. 2018).
_KERNEL_SCALES = (0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0)
_HISTORY_COLUMNS = ("loss", "reconstruction", "kl", "mmd", "validation_loss")


class VAEMMDGenerator(LearnedGenerator):
    r"""Convolutional variational autoencoder with an MMD prior penalty (MMD-VAE / InfoVAE).

    Records are cut into windows of ``window`` samples every ``stride`` samples and
    standardised per channel (mean and SD of the training windows). The encoder (strided
    1-D convolutions, then a linear layer to the mean and log-variance of ``z``) and the
    decoder (a linear layer, transposed convolutions, a last convolution) minimise, per
    batch,

    .. math::

        \mathcal{L} = \frac{1}{C T}\lVert x - \hat x\rVert^2
        + \beta\,\frac{\mathrm{KL}(q(z\mid x)\,\Vert\,\mathcal N(0, I))}{C T}
        + \lambda\,\widehat{\mathrm{MMD}}^2\big(q(z), \mathcal N(0, I)\big)

    (Zhao et al. 2019), with ``C`` channels, ``T = window``, ``beta = kl_weight``,
    ``lambda = mmd_weight`` and the unbiased MMD estimate between the batch's codes and as
    many prior draws, under a sum of inverse-multiquadric (or Gaussian) kernels of
    bandwidths ``2 * latent_dim * (0.1 ... 10)``. With labels the model is conditional:
    a one-hot label is added as constant input channels to the encoder and concatenated
    to ``z`` for the decoder.

    A sample is one window: ``sample(duration=...)`` must be ``window / sfreq`` (the
    default, None). ``sample(device=...)`` decodes on that device for the call; None
    decodes on the generator's ``device`` (see :meth:`to`).

    Parameters
    ----------
    window : int
        Samples per window, >= 8: the length of the records this generator makes.
    stride : int | None
        Samples between the starts of consecutive training windows; None is ``window``
        (no overlap). With overlap, validation windows share samples with training ones
        and early stopping becomes optimistic.
    latent_dim : int
        Dimension of ``z``.
    hidden : int
        Channels of every convolution layer.
    epochs : int
        Most passes over the training windows.
    batch_size : int
        Windows per optimisation step (>= 2: the MMD needs pairs).
    learning_rate : float
        Adam step size.
    mmd_weight : float
        ``lambda``, weight of the MMD between the codes and ``N(0, I)``.
    kl_weight : float
        ``beta``, weight of the KL term (0 gives the pure MMD-VAE).
    kernel : {"imq", "rbf"}
        Kernel of the MMD: inverse multiquadric ``C / (C + d^2)`` or Gaussian
        ``exp(-d^2 / C)``.
    validation : float
        Fraction of the windows held out (chosen at random with the seed) to compute the
        validation loss that early stopping watches; 0 trains on all windows, without
        early stopping.
    patience : int
        Epochs without a lower validation loss before training stops; the weights of the
        best validation epoch are kept.
    device : str
        ``"cpu"`` or a torch device such as ``"cuda"``; checked when the generator is
        fitted or sampled, so a generator saved on a GPU machine loads anywhere (then
        :meth:`to` ``("cpu")``).
    seed : int | None
        Seed of the weight initialisation, the split, the shuffling and the
        reparameterisation noise (each epoch draws from its own stream, so a resumed run
        repeats the uninterrupted one); None draws fresh entropy (kept in ``seed_``).
        Given the seed, training on the CPU is bitwise deterministic on one machine with
        one torch thread count (the order of parallel sums changes with it); on a GPU,
        cuDNN's convolution gradients are not. Sampling takes its own ``seed``.
    checkpoint : str | PathLike | None
        ``.npz`` file rewritten (atomically, no pickle) after every epoch with the
        weights, the Adam state, the best weights and the history, so that
        ``fit(..., resume=True)`` continues a killed run. The file is kept after fit.
    progress : bool
        Show a progress bar over epochs with the losses.
    observation_noise : bool
        Add to each decoded window Gaussian noise with the mean power spectrum of the
        reconstruction residuals of the training windows (per channel): samples from
        :math:`p(x \\mid z)` rather than its mean, which keeps the variance and the
        fine structure the decoder smooths away. False returns the decoder mean.

    Attributes
    ----------
    history_ : DataFrame
        Indexed by epoch (from 1): ``loss`` (training, mean over the epoch's batches),
        ``reconstruction``, ``kl``, ``mmd`` (its parts) and ``validation_loss`` (NaN
        without validation).
    best_epoch_ : int
        The epoch whose weights were kept.
    classes_ : ndarray
        Labels seen in fit, sorted (empty for an unconditional model).
    seed_ : int
        The training seed actually used (``seed``, or the entropy drawn for None).

    References
    ----------
    Zhao S, Song J, Ermon S (2019). InfoVAE: balancing learning and inference in
    variational autoencoders. AAAI 33:5885-5892.
    Tolstikhin I, Bousquet O, Gelly S, Schoelkopf B (2018). Wasserstein auto-encoders. ICLR.

    Examples
    --------
    >>> import pytest; _ = pytest.importorskip("torch")  # skips this example without the torch extra
    >>> import numpy as np
    >>> from biosynth.signals import make_signals
    >>> t = np.arange(64) / 64.0
    >>> x = np.sin(2 * np.pi * 8 * t + np.random.default_rng(0).uniform(0, 6.3, (20, 1, 1))) * 1e-5
    >>> real = make_signals(x, 64.0, ch_names=["Cz"])
    >>> gen = VAEMMDGenerator(window=64, hidden=4, epochs=2, seed=0).fit(real)
    >>> gen.sample(3, seed=1).shape
    (3, 1, 64)
    """

    name: ClassVar[str] = "vae_mmd"
    conditional: ClassVar[bool] = True

    def __init__(
        self,
        window: int = 256,
        *,
        stride: int | None = None,
        latent_dim: int = 16,
        hidden: int = 32,
        epochs: int = 100,
        batch_size: int = 64,
        learning_rate: float = 1e-3,
        mmd_weight: float = 1.0,
        kl_weight: float = 0.0,
        kernel: str = "imq",
        validation: float = 0.2,
        patience: int = 10,
        device: str = "cpu",
        seed: int | None = None,
        checkpoint: str | os.PathLike | None = None,
        progress: bool = False,
        observation_noise: bool = True,
    ) -> None:
        require_torch(type(self).__name__)
        self.window = check_int("window", window, low=8)
        self.stride = None if stride is None else check_int("stride", stride, low=1)
        self.latent_dim = check_int("latent_dim", latent_dim, low=1)
        self.hidden = check_int("hidden", hidden, low=1)
        self.epochs = check_int("epochs", epochs, low=1)
        self.batch_size = check_int("batch_size", batch_size, low=2)
        self.learning_rate = check_positive("learning_rate", learning_rate)
        self.mmd_weight = check_number("mmd_weight", mmd_weight, low=0)
        self.kl_weight = check_number("kl_weight", kl_weight, low=0)
        self.kernel = check_option("kernel", kernel, ("imq", "rbf"))
        self.validation = check_number("validation", validation, low=0, high=1, high_inclusive=False)
        self.patience = check_int("patience", patience, low=1)
        self.device = check_type("device", device, str, "a str such as 'cpu' or 'cuda'")
        self.seed = None if seed is None else check_int("seed", seed, low=0)
        if checkpoint is not None:
            check_type("checkpoint", checkpoint, (str, os.PathLike), "a path or None")
            if Path(checkpoint).suffix.lower() != ".npz":
                raise ValueError(f"checkpoint must end in .npz, got {str(checkpoint)!r}.")
        self.checkpoint = None if checkpoint is None else str(checkpoint)
        self.progress = check_type("progress", progress, bool, "True or False")
        self.observation_noise = check_type("observation_noise", observation_noise, bool, "True or False")
        self._model: Any = None
        self._model_device: str | None = None

    # --- public -----------------------------------------------------------------------

    def fit(self, real: xr.DataArray, labels: Any = None, *, resume: bool = False) -> VAEMMDGenerator:
        """Train on windows of real recordings.

        Parameters
        ----------
        real : DataArray
            biosynth container, dims ``(record, channel, time)`` or ``(channel, time)``;
            every record has at least ``window`` samples.
        labels : array_like | None
            One label per record (e.g. ``"ictal"``, ``"interictal"``) for a conditional
            model; every window of a record takes its label.
        resume : bool
            Continue the run saved in ``checkpoint`` (same data and parameters except
            ``epochs``, ``progress``, ``device``); without the file, start afresh. Without
            ``resume``, an existing checkpoint file is an error (it is never replaced
            silently).

        Returns
        -------
        self : VAEMMDGenerator
        """
        self._resume = check_type("resume", resume, bool, "True or False")
        if resume and self.checkpoint is None:
            raise ValueError("resume=True needs a checkpoint file; pass checkpoint='run.npz' to the constructor.")
        if not resume and self.checkpoint is not None and Path(self.checkpoint).exists():
            raise FileExistsError(
                f"checkpoint {self.checkpoint!r} already exists; pass resume=True to continue that run, "
                "or delete the file to start afresh."
            )
        self._check_device()
        super().fit(real, labels)  # a failed or interrupted fit leaves the generator unfitted
        return self

    def to(self, device: str) -> VAEMMDGenerator:
        """Decode on another device from now on (e.g. a generator trained on a GPU, on a CPU).

        Parameters
        ----------
        device : str
            ``"cpu"`` or a torch device such as ``"cuda"``.

        Returns
        -------
        self : VAEMMDGenerator
        """
        check_type("device", device, str, "a str such as 'cpu' or 'cuda'")
        self.device = check_device(device)  # unchanged when the device is unavailable
        return self

    # --- hooks ------------------------------------------------------------------------

    def _params(self) -> dict[str, Any]:
        return {
            "window": self.window,
            "stride": self.stride,
            "latent_dim": self.latent_dim,
            "hidden": self.hidden,
            "epochs": self.epochs,
            "batch_size": self.batch_size,
            "learning_rate": self.learning_rate,
            "mmd_weight": self.mmd_weight,
            "kl_weight": self.kl_weight,
            "kernel": self.kernel,
            "validation": self.validation,
            "patience": self.patience,
            "device": self.device,
            "seed": self.seed,
            "checkpoint": self.checkpoint,
            "progress": self.progress,
            "observation_noise": self.observation_noise,
        }

    def _fit(self, data: np.ndarray, labels: np.ndarray | None) -> None:
        torch = require_torch(type(self).__name__)
        _, n_channels, n_times = data.shape
        if n_times < self.window:
            raise ValueError(
                f"real records have {n_times} samples, fewer than window={self.window}; "
                "use a shorter window or longer records."
            )
        if labels is not None and labels.dtype.kind not in "iubU":
            raise TypeError(
                f"labels must be integers, booleans or strings, got dtype {labels.dtype}; convert them first."
            )
        self.info_["n_times_real"] = n_times
        self.info_["n_times"] = self.window  # a record of this generator is one window
        self.classes_ = np.unique(labels) if labels is not None else np.array([], dtype=np.int64)
        self.seed_ = int(np.random.SeedSequence().entropy) if self.seed is None else self.seed
        saved = None
        if getattr(self, "_resume", False) and self.checkpoint is not None and Path(self.checkpoint).exists():
            saved = _read_checkpoint(self.checkpoint)
            self.seed_ = int(saved[0]["seed"])  # a run seeded with None keeps its drawn entropy

        windows, window_labels = _windows(data, labels, self.window, self.stride or self.window)
        codes = None if labels is None else np.searchsorted(self.classes_, window_labels)
        train, valid = _split(len(windows), self.validation, _rng(self.seed_, 3))
        self.mean_ = windows[train].mean(axis=(0, 2))
        sd = windows[train].std(axis=(0, 2))
        self.sd_ = np.where(sd > 0, sd, 1.0)
        x = ((windows - self.mean_[:, None]) / self.sd_[:, None]).astype(np.float32)
        onehot = np.zeros((len(windows), len(self.classes_)), dtype=np.float32)
        if codes is not None:
            onehot[np.arange(len(windows)), codes] = 1.0
        fingerprint = "" if self.checkpoint is None else _fingerprint(data, labels, self._checked_params())

        self._model_device = self._check_device()
        device = torch_device(self._model_device)
        model = self._build(n_channels, len(self.classes_)).to(device)
        optimiser = torch.optim.Adam(model.parameters(), lr=self.learning_rate)
        run = _Run(history={c: [] for c in _HISTORY_COLUMNS}, best=None, best_loss=math.inf, best_epoch=0, wait=0)
        run.seed = self.seed_
        if saved is not None:
            run = _restore_checkpoint(self.checkpoint, saved, fingerprint, self._checked_params(), model, optimiser)
            logger.info("resuming %s from epoch %d of %s", self.name, run.epoch, self.checkpoint)
        if run.epoch > self.epochs:
            raise ValueError(
                f"checkpoint {self.checkpoint!r} already holds {run.epoch} epochs, more than epochs={self.epochs}."
            )

        x_train, y_train = torch.from_numpy(x[train]), torch.from_numpy(onehot[train])
        x_valid, y_valid = torch.from_numpy(x[valid]), torch.from_numpy(onehot[valid])
        from tqdm.auto import tqdm

        bar = tqdm(total=self.epochs, initial=run.epoch, desc=self.name, unit="epoch", disable=not self.progress)
        try:
            for epoch in range(run.epoch, self.epochs):
                if len(valid) and run.wait >= self.patience:
                    break
                parts = self._train_epoch(model, optimiser, x_train, y_train, epoch, device)
                val_loss = math.nan
                if len(valid):
                    val_loss = self._evaluate(model, x_valid, y_valid, device)
                for key, value in zip(_HISTORY_COLUMNS, (*parts, val_loss), strict=True):
                    run.history[key].append(value)
                score = val_loss if len(valid) else parts[0]
                if score < run.best_loss:
                    run.best_loss, run.best_epoch, run.wait = score, epoch + 1, 0
                    run.best = _numpy_state(model)
                else:
                    run.wait += 1
                run.epoch = epoch + 1
                if self.checkpoint is not None:
                    _save_checkpoint(self.checkpoint, fingerprint, self._checked_params(), model, optimiser, run)
                bar.update(1)
                bar.set_postfix(loss=f"{parts[0]:.4g}", validation=f"{val_loss:.4g}")
        finally:
            bar.close()
        if len(valid) and run.wait >= self.patience and run.epoch < self.epochs:
            logger.info("%s stopped early after %d epochs (best: %d)", self.name, run.epoch, run.best_epoch)
        if len(valid) and run.best is not None:
            model.load_state_dict({k: torch.from_numpy(v) for k, v in run.best.items()})
        else:
            run.best_epoch = run.epoch
        model.eval()
        self._model = model
        self.best_epoch_ = run.best_epoch
        self.history_ = _history_frame(run.history)
        self.residual_ = self._residual_spectrum(torch, model, x[train], onehot[train], device)

    def _residual_spectrum(self, torch: Any, model: Any, x: np.ndarray, onehot: np.ndarray, device: Any) -> np.ndarray:
        """Root mean power (per channel and rFFT bin) of the reconstruction residuals of
        the training windows, decoded from their posterior means (normalised units)."""
        power = np.zeros((x.shape[1], self.window // 2 + 1))
        with torch.no_grad(), _exact_float32(torch, device):
            for start in range(0, len(x), 256):
                xb = torch.from_numpy(x[start : start + 256]).to(device)
                yb = torch.from_numpy(onehot[start : start + 256]).to(device)
                mu, _ = model.encode(xb, yb)
                residual = (xb - model.decode(mu, yb)).cpu().numpy().astype(np.float64)
                power += np.sum(np.abs(np.fft.rfft(residual, axis=-1)) ** 2, axis=0)
        return np.sqrt(power / max(len(x), 1))

    def _sample_record(self, rng: np.random.Generator, n_times: int, label: Any) -> np.ndarray:
        torch = require_torch(type(self).__name__)
        if n_times != self.window:
            raise ValueError(
                f"duration must be the window, {self.window / self.info_['sfreq']:g} s (window={self.window} "
                f"samples): {type(self).__name__} makes one window per record; got {n_times} samples."
            )
        onehot = np.zeros((1, len(self.classes_)), dtype=np.float32)
        if len(self.classes_):
            if label is None:
                raise ValueError(
                    f"this generator was fitted with labels {self.classes_.tolist()}; pass labels= to sample."
                )
            onehot[0, self._code(label)] = 1.0
        elif label is not None:
            raise ValueError("this generator was fitted without labels; sample it without labels.")
        z = rng.standard_normal((1, self.latent_dim)).astype(np.float32)
        model = self._model_for_sampling()
        device = torch_device(self._model_device)
        with torch.no_grad(), _exact_float32(torch, device):
            out = model.decode(torch.from_numpy(z).to(device), torch.from_numpy(onehot).to(device))
        out = out[0].cpu().numpy().astype(np.float64)
        if self.observation_noise and getattr(self, "residual_", None) is not None:
            shape = self.residual_.shape
            spectrum = (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)) / np.sqrt(2.0)
            out += np.fft.irfft(self.residual_ * spectrum, n=self.window, axis=-1)
        return out * self.sd_[:, None] + self.mean_[:, None]

    def _state(self) -> dict[str, np.ndarray]:
        state = {f"model/{k}": v for k, v in _numpy_state(self._model).items()}
        state.update({f"history/{c}": self.history_[c].to_numpy() for c in _HISTORY_COLUMNS})
        state.update(
            mean=self.mean_,
            sd=self.sd_,
            classes=self.classes_,
            best_epoch=np.array(self.best_epoch_),
            residual=self.residual_,
            seed=np.array(str(self.seed_)),
        )
        return state

    def _restore(self, state: dict[str, np.ndarray]) -> None:
        torch = require_torch(type(self).__name__)
        self.mean_, self.sd_, self.classes_ = state["mean"], state["sd"], state["classes"]
        self.best_epoch_ = int(state["best_epoch"])
        self.residual_ = state.get("residual")
        self.seed_ = int(str(state["seed"]))
        self.history_ = _history_frame({c: state[f"history/{c}"] for c in _HISTORY_COLUMNS})
        model = self._build(len(self.info_["ch_names"]), len(self.classes_))
        weights = {k.removeprefix("model/"): v for k, v in state.items() if k.startswith("model/")}
        model.load_state_dict({k: torch.from_numpy(np.array(v)) for k, v in weights.items()})
        model.eval()
        self._model, self._model_device = model, "cpu"

    # --- helpers ----------------------------------------------------------------------

    def _check_device(self) -> str:
        try:
            return check_device(self.device)
        except RuntimeError as err:
            if getattr(self, "_model", None) is None:
                raise
            raise RuntimeError(f"{err} For this fitted generator: generator.to('cpu').") from None

    def _checked_params(self) -> dict[str, Any]:
        """Parameters a resumed run must share with the checkpoint."""
        return {k: v for k, v in self._params().items() if k not in _RESUMABLE_CHANGES}

    def _build(self, n_channels: int, n_classes: int) -> Any:
        torch = require_torch(type(self).__name__)
        with torch.random.fork_rng(devices=[]):  # seeded init without touching torch's global stream
            torch.manual_seed(_torch_seed(self.seed_, 0))
            return _make_model(torch, n_channels, n_classes, self.window, self.latent_dim, self.hidden)

    def _prepare_sampling(self, device: str | None) -> None:
        self._sampling_device = self._check_device() if device is None else device

    def _model_for_sampling(self) -> Any:
        device = getattr(self, "_sampling_device", None) or self._check_device()
        if self._model_device != device:
            self._model = self._model.to(torch_device(device))
            self._model_device = device
        return self._model

    def _code(self, label: Any) -> int:
        value = label.item() if isinstance(label, np.generic) else label
        for i, known in enumerate(self.classes_.tolist()):
            if type(known) is type(value) and known == value:
                return i
        raise ValueError(f"label {value!r} was not seen in fit; known labels: {self.classes_.tolist()}.")

    def _loss(self, model: Any, x: Any, y: Any, generator: Any) -> tuple[Any, Any, Any, Any]:
        torch = require_torch(type(self).__name__)
        mu, logvar = model.encode(x, y)
        eps = torch.randn(mu.shape, generator=generator, device=mu.device)
        z = mu + torch.exp(0.5 * logvar) * eps
        recon = torch.mean((model.decode(z, y) - x) ** 2)
        n_values = x.shape[1] * x.shape[2]
        kl = 0.5 * torch.sum(mu**2 + torch.exp(logvar) - 1.0 - logvar, dim=1).mean() / n_values
        prior = torch.randn(z.shape, generator=generator, device=z.device)
        mmd = _mmd(torch, z, prior, self.kernel)
        return recon + self.kl_weight * kl + self.mmd_weight * mmd, recon, kl, mmd

    def _batches(self, order: Any) -> list[Any]:
        """Split indices into about ``batch_size``-long batches of at least 2 (for the MMD)."""
        torch = require_torch(type(self).__name__)
        n_batches = max(1, min(math.ceil(len(order) / self.batch_size), len(order) // 2))
        return list(torch.tensor_split(order, n_batches))

    def _train_epoch(self, model: Any, optimiser: Any, x: Any, y: Any, epoch: int, device: str) -> tuple[float, ...]:
        torch = require_torch(type(self).__name__)
        model.train()
        generator = torch.Generator(device=device).manual_seed(_torch_seed(self.seed_, 1, epoch))
        order = torch.from_numpy(_rng(self.seed_, 2, epoch).permutation(len(x)))
        sums = np.zeros(4)
        for batch in self._batches(order):
            xb, yb = x[batch].to(device), y[batch].to(device)
            loss, *parts = self._loss(model, xb, yb, generator)
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            sums += len(batch) * np.array([float(v.detach()) for v in (loss, *parts)])
        return tuple(float(v) for v in sums / len(x))

    def _evaluate(self, model: Any, x: Any, y: Any, device: str) -> float:
        torch = require_torch(type(self).__name__)
        model.eval()
        generator = torch.Generator(device=device).manual_seed(_torch_seed(self.seed_, 4))
        total = 0.0
        with torch.no_grad():
            for batch in self._batches(torch.arange(len(x))):
                loss, *_ = self._loss(model, x[batch].to(device), y[batch].to(device), generator)
                total += len(batch) * float(loss)
        return total / len(x)


# --- the network ---------------------------------------------------------------------


def _depth(window: int) -> int:
    """Number of stride-2 stages: up to 3, keeping at least 4 samples at the bottom."""
    depth = 0
    while depth < 3 and window // 2 ** (depth + 1) >= 4:
        depth += 1
    return depth


def _make_model(torch: Any, n_channels: int, n_classes: int, window: int, latent_dim: int, hidden: int) -> Any:
    nn = torch.nn
    depth = _depth(window)
    bottom = window
    for _ in range(depth):
        bottom = (bottom + 1) // 2  # Conv1d(k=5, stride=2, padding=2): ceil(L / 2)
    start = math.ceil(window / 2**depth)

    class _VAE(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            layers: list[Any] = []
            c_in = n_channels + n_classes
            for _ in range(depth):
                layers += [nn.Conv1d(c_in, hidden, 5, stride=2, padding=2), nn.GELU()]
                c_in = hidden
            self.encoder = nn.Sequential(*layers, nn.Flatten())
            self.head = nn.Linear(c_in * bottom, 2 * latent_dim)
            self.expand = nn.Linear(latent_dim + n_classes, hidden * start)
            layers = []
            for _ in range(depth):
                layers += [nn.GELU(), nn.ConvTranspose1d(hidden, hidden, 4, stride=2, padding=1)]
            self.decoder = nn.Sequential(*layers, nn.GELU(), nn.Conv1d(hidden, n_channels, 5, padding=2))

        def encode(self, x: Any, y: Any) -> tuple[Any, Any]:
            h = torch.cat([x, y[:, :, None].expand(-1, -1, x.shape[-1])], dim=1)
            mu, logvar = self.head(self.encoder(h)).chunk(2, dim=1)
            return mu, logvar.clamp(-12.0, 8.0)

        def decode(self, z: Any, y: Any) -> Any:
            h = self.expand(torch.cat([z, y], dim=1)).view(len(z), hidden, start)
            return self.decoder(h)[:, :, :window]

    return _VAE()


def _mmd(torch: Any, a: Any, b: Any, kernel: str) -> Any:
    """Unbiased squared MMD between two samples of codes, multi-scale kernel."""
    n = len(a)
    if n < 2:
        return a.new_zeros(())
    both = torch.cat([a, b])
    d2 = torch.cdist(both, both).pow(2)
    k = torch.zeros_like(d2)
    for scale in _KERNEL_SCALES:
        c = 2.0 * a.shape[1] * scale
        k = k + (c / (c + d2) if kernel == "imq" else torch.exp(-d2 / c))
    off = 1.0 - torch.eye(n, device=a.device, dtype=a.dtype)
    kaa = (k[:n, :n] * off).sum() / (n * (n - 1))
    kbb = (k[n:, n:] * off).sum() / (n * (n - 1))
    return kaa + kbb - 2.0 * k[:n, n:].mean()


@contextlib.contextmanager
def _exact_float32(torch: Any, device: str) -> Iterator[None]:
    """Turn TF32 off for cuDNN convolutions while decoding on a GPU, so it matches the CPU."""
    conv = getattr(torch.backends.cudnn, "conv", None)
    if not device.startswith("cuda"):
        yield
    elif conv is not None and hasattr(conv, "fp32_precision"):  # torch >= 2.9
        old = conv.fp32_precision
        conv.fp32_precision = "ieee"
        try:
            yield
        finally:
            conv.fp32_precision = old
    else:
        old = torch.backends.cudnn.allow_tf32
        torch.backends.cudnn.allow_tf32 = False
        try:
            yield
        finally:
            torch.backends.cudnn.allow_tf32 = old


# --- data and randomness ------------------------------------------------------------


def _windows(data: np.ndarray, labels: np.ndarray | None, window: int, stride: int) -> tuple[np.ndarray, Any]:
    """(n_records, n_channels, n_times) -> (n_windows, n_channels, window), record-major."""
    view = np.lib.stride_tricks.sliding_window_view(data, window, axis=-1)[:, :, ::stride]
    n_records, n_channels, n_starts, _ = view.shape
    windows = np.ascontiguousarray(view.transpose(0, 2, 1, 3)).reshape(n_records * n_starts, n_channels, window)
    return windows, None if labels is None else np.repeat(labels, n_starts)


def _split(n: int, fraction: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Random train / validation indices (sorted); at least 2 training windows."""
    n_valid = 0 if fraction == 0 else max(1, round(fraction * n))
    if n - n_valid < 2:
        raise ValueError(
            f"only {n} window(s) with validation={fraction:g}: need at least 2 training windows; "
            "use longer records, a smaller stride or window, or less validation."
        )
    order = rng.permutation(n)
    return np.sort(order[n_valid:]), np.sort(order[:n_valid])


def _rng(seed: int, *key: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=key))


def _torch_seed(seed: int, *key: int) -> int:
    return int(np.random.SeedSequence(seed, spawn_key=key).generate_state(1, np.uint64)[0])


def _fingerprint(data: np.ndarray, labels: np.ndarray | None, params: dict[str, Any]) -> str:
    digest = hashlib.sha256(np.ascontiguousarray(data).tobytes())
    digest.update(repr(data.shape).encode())
    digest.update(b"" if labels is None else repr(labels.tolist()).encode())
    digest.update(json.dumps(params, sort_keys=True).encode())
    return digest.hexdigest()


def _numpy_state(model: Any) -> dict[str, np.ndarray]:
    return {k: v.detach().cpu().numpy().copy() for k, v in model.state_dict().items()}


def _history_frame(history: dict[str, Any]) -> pd.DataFrame:
    frame = pd.DataFrame({c: np.asarray(history[c], dtype=np.float64) for c in _HISTORY_COLUMNS})
    frame.index = pd.RangeIndex(1, len(frame) + 1, name="epoch")
    return frame


# --- checkpoints --------------------------------------------------------------------


class _Run:
    """Where a training run stands (what a checkpoint holds besides the weights)."""

    def __init__(self, *, history: dict, best: dict | None, best_loss: float, best_epoch: int, wait: int) -> None:
        self.history, self.best, self.best_loss = history, best, best_loss
        self.best_epoch, self.wait, self.epoch, self.seed = best_epoch, wait, 0, 0


def _save_checkpoint(path: str, fingerprint: str, params: dict, model: Any, optimiser: Any, run: _Run) -> None:
    optim = optimiser.state_dict()
    header = {
        "kind": _CHECKPOINT_KIND,
        "version": _CHECKPOINT_VERSION,
        "fingerprint": fingerprint,
        "params": params,
        "seed": str(run.seed),
        "epoch": run.epoch,
        "best_epoch": run.best_epoch,
        "best_loss": run.best_loss,
        "wait": run.wait,
    }
    arrays = {f"model/{k}": v for k, v in _numpy_state(model).items()}
    arrays.update({f"best/{k}": v for k, v in (run.best or {}).items()})
    arrays.update({f"history/{k}": np.asarray(v, dtype=np.float64) for k, v in run.history.items()})
    for index, slots in optim["state"].items():
        for slot, value in slots.items():
            arrays[f"optim/{index}/{slot}"] = value.detach().cpu().numpy()
    with atomic_output(path, overwrite=True) as tmp, open(tmp, "wb") as handle:
        np.savez(handle, __header__=np.array(json.dumps(header)), **arrays)


def _read_checkpoint(path: str) -> tuple[dict, dict[str, np.ndarray]]:
    try:
        with np.load(path, allow_pickle=False) as npz:
            header = json.loads(str(npz["__header__"]))
            arrays = {k: npz[k] for k in npz.files if k != "__header__"}
    except (ValueError, KeyError, OSError, json.JSONDecodeError) as err:
        raise ValueError(f"cannot read checkpoint {path!r}: {err}") from None
    if header.get("kind") != _CHECKPOINT_KIND or header.get("version") != _CHECKPOINT_VERSION:
        raise ValueError(f"{path!r} is not a {_CHECKPOINT_KIND} file of version {_CHECKPOINT_VERSION}.")
    return header, arrays


def _restore_checkpoint(
    path: str, saved: tuple[dict, dict[str, np.ndarray]], fingerprint: str, params: dict, model: Any, optimiser: Any
) -> _Run:
    torch = require_torch("VAEMMDGenerator")
    header, arrays = saved
    if header["params"] != params:
        changed = sorted(k for k in params if header["params"].get(k) != params[k])
        raise ValueError(
            f"checkpoint {path!r} was written with other parameters ({', '.join(changed)} differ); "
            f"only {', '.join(_RESUMABLE_CHANGES)} may change when resuming."
        )
    if header["fingerprint"] != fingerprint:
        raise ValueError(f"checkpoint {path!r} was written for other data or labels; resume on the same data.")

    def part(prefix: str) -> dict[str, np.ndarray]:
        return {k.removeprefix(prefix): v for k, v in arrays.items() if k.startswith(prefix)}

    device = next(model.parameters()).device
    model.load_state_dict({k: torch.from_numpy(v) for k, v in part("model/").items()})
    optim = optimiser.state_dict()
    slots: dict[int, dict[str, Any]] = {}
    for key, value in part("optim/").items():
        index, slot = key.split("/")
        tensor = torch.from_numpy(value)
        slots.setdefault(int(index), {})[slot] = tensor if slot == "step" else tensor.to(device)
    optim["state"] = slots
    optimiser.load_state_dict(optim)
    best = part("best/")
    run = _Run(
        history={c: part("history/")[c].tolist() for c in _HISTORY_COLUMNS},
        best=best or None,
        best_loss=float(header["best_loss"]),
        best_epoch=int(header["best_epoch"]),
        wait=int(header["wait"]),
    )
    run.epoch, run.seed = int(header["epoch"]), int(header["seed"])
    return run
