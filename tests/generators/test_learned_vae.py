# SPDX-License-Identifier: BSD-3-Clause
"""VAEMMDGenerator: a convolutional MMD-VAE over windows, trained in seconds on sinusoids in noise."""

from __future__ import annotations

import json
import sys

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from biosynth.generators.learned import NotFittedError, VAEMMDGenerator, load_generator  # noqa: E402
from biosynth.signals import make_signals  # noqa: E402

SFREQ = 64.0
WINDOW = 64  # 1 s: spectral bins 1 Hz apart
#: Small and fast (~3 s on 2 cores): ~500 overlapping windows, 4 latent dimensions, 16 conv
#: channels, 30 epochs. The loss sits near 1 for the first 3-12 epochs (the decoder first
#: learns the mean) before it falls, so patience is above the epoch count here.
SMALL = {
    "window": WINDOW,
    "stride": 8,
    "latent_dim": 4,
    "hidden": 16,
    "batch_size": 32,
    "learning_rate": 1e-2,
    "epochs": 30,
    "patience": 30,
}


def sinusoids(freqs, n_per_freq, seed, *, n_channels=1, noise=0.3):
    """Records of 2 s: unit sinusoids of random phase plus white noise, in volts (x 10 uV)."""
    rng = np.random.default_rng(seed)
    t = np.arange(2 * WINDOW) / SFREQ
    parts = []
    for freq in freqs:
        phase = rng.uniform(0, 2 * np.pi, (n_per_freq, n_channels, 1))
        parts.append(
            np.sin(2 * np.pi * freq * t + phase) + noise * rng.standard_normal((n_per_freq, n_channels, t.size))
        )
    return np.concatenate(parts) * 1e-5


def peak_frequency(x):
    """Frequency (Hz) of the largest bin of the mean power spectrum over records and channels."""
    power = (np.abs(np.fft.rfft(x - x.mean(axis=-1, keepdims=True), axis=-1)) ** 2).mean(axis=(0, 1))
    return np.fft.rfftfreq(x.shape[-1], 1 / SFREQ)[np.argmax(power)]


@pytest.fixture(scope="module")
def alpha_real():
    return make_signals(sinusoids([10.0], 60, 0), SFREQ, ch_names=["Cz"], units="V", modality="eeg")


@pytest.fixture(scope="module")
def alpha_model(alpha_real):
    return VAEMMDGenerator(**SMALL, seed=0).fit(alpha_real)


@pytest.fixture(scope="module")
def two_state_real():
    x = sinusoids([6.0, 12.0], 40, 1, n_channels=2)
    real = make_signals(x, SFREQ, ch_names=["C3", "C4"], units="V", modality="ecog")
    return real, np.array(["A"] * 40 + ["B"] * 40)


@pytest.fixture(scope="module")
def two_state_model(two_state_real):
    real, labels = two_state_real
    return VAEMMDGenerator(**SMALL, seed=0).fit(real, labels)


def tiny(**kw):
    """A model that trains in well under a second."""
    params = {"window": 32, "stride": 16, "latent_dim": 2, "hidden": 4, "batch_size": 8, "epochs": 4, "seed": 3}
    return VAEMMDGenerator(**{**params, **kw})


@pytest.fixture(scope="module")
def tiny_real():
    return make_signals(sinusoids([10.0], 12, 5), SFREQ, ch_names=["Cz"])


# --- training ---------------------------------------------------------------------------


def test_training_loss_falls(alpha_model, two_state_model):
    for model in (alpha_model, two_state_model):
        history = model.history_
        assert list(history.columns) == ["loss", "reconstruction", "kl", "mmd", "validation_loss"]
        assert history.index[0] == 1
        assert history["loss"].iloc[-1] < 0.5 * history["loss"].iloc[0]
        assert history["validation_loss"].min() < 0.5 * history["validation_loss"].iloc[0]
        # the kept weights are those of the epoch of least validation loss (epochs count from 1)
        assert model.best_epoch_ == int(history["validation_loss"].idxmin())


def test_training_is_deterministic_and_leaves_torch_rng_alone(tiny_real):
    before = torch.random.get_rng_state()
    a = tiny().fit(tiny_real)
    b = tiny().fit(tiny_real)
    assert torch.equal(before, torch.random.get_rng_state())
    assert a.history_.equals(b.history_)
    for key, value in a._model.state_dict().items():
        assert torch.equal(value, b._model.state_dict()[key])
    assert not tiny(seed=4).fit(tiny_real).history_.equals(a.history_)


def test_seed_none_draws_entropy(tiny_real):
    model = tiny(seed=None).fit(tiny_real)
    assert isinstance(model.seed_, int)
    assert model._params()["seed"] is None


def test_early_stopping_on_stalled_validation():
    noise = np.random.default_rng(7).standard_normal((12, 1, 64)) * 1e-5  # nothing to generalise
    model = tiny(epochs=60, patience=2, learning_rate=1e-2).fit(make_signals(noise, SFREQ))
    n_epochs = len(model.history_)
    assert n_epochs < 60
    assert model.best_epoch_ == n_epochs - 2
    assert (
        model.history_["validation_loss"].iloc[: model.best_epoch_].min()
        < model.history_["validation_loss"].iloc[model.best_epoch_ :].min()
    )


def test_without_validation_trains_every_epoch(tiny_real):
    model = tiny(validation=0.0, epochs=5).fit(tiny_real)
    assert len(model.history_) == 5
    assert model.best_epoch_ == 5
    assert model.history_["validation_loss"].isna().all()


# --- samples ----------------------------------------------------------------------------


def test_samples_look_like_the_real_container(two_state_model):
    out = two_state_model.sample(3, seed=0, labels=["A", "B", "A"])
    assert out.dims == ("record", "channel", "time")
    assert out.shape == (3, 2, WINDOW)
    assert out.attrs["sfreq"] == SFREQ
    assert out["channel"].values.tolist() == ["C3", "C4"]
    assert out.attrs["units"] == "V"
    assert out.attrs["modality"] == "ecog"
    provenance = out.attrs["provenance"]
    assert provenance["generator"].endswith("VAEMMDGenerator")
    assert provenance["labels"] == ["A", "B", "A"]
    assert provenance["fitted_on"]["n_times"] == WINDOW
    assert provenance["fitted_on"]["n_times_real"] == 2 * WINDOW
    json.dumps(provenance)
    assert np.isfinite(out.values).all()


def test_spectral_peak_at_the_trained_frequency(alpha_real, alpha_model):
    synthetic = alpha_model.sample(40, seed=1).values
    assert abs(peak_frequency(synthetic) - 10.0) <= 2.0
    # amplitude in the real unit: within a factor 2 of the real windows' SD
    assert 0.5 < synthetic.std() / alpha_real.values.std() < 2.0


def test_conditional_model_makes_label_specific_peaks(two_state_model):
    peak_a = peak_frequency(two_state_model.sample(40, seed=1, labels="A").values)
    peak_b = peak_frequency(two_state_model.sample(40, seed=1, labels="B").values)
    assert abs(peak_a - 6.0) <= 2.0
    assert abs(peak_b - 12.0) <= 2.0


def test_seeds_reproduce_and_records_are_independent_of_batching(two_state_model):
    labels = ["A", "B", "B", "A", "B"]
    batch = two_state_model.sample(5, seed=11, labels=labels)
    again = two_state_model.sample(5, seed=11, labels=labels)
    np.testing.assert_array_equal(batch.values, again.values)
    part = two_state_model.sample(2, seed=11, labels=labels[3:], first_record=3)
    np.testing.assert_array_equal(part.values, batch.values[3:])
    other = two_state_model.sample(5, seed=12, labels=labels)
    assert not np.allclose(other.values, batch.values)
    assert not np.allclose(batch.values[0], batch.values[3])  # same label, different records


def test_sampling_leaves_torch_rng_alone(alpha_model):
    before = torch.random.get_rng_state()
    alpha_model.sample(2, seed=0)
    assert torch.equal(before, torch.random.get_rng_state())


def test_save_load_round_trip(two_state_model, tmp_path):
    path = two_state_model.save(tmp_path / "vae.npz")
    with np.load(path, allow_pickle=False) as npz:  # no pickle anywhere
        assert any(k.startswith("state/model/") for k in npz.files)
    loaded = load_generator(path)
    assert isinstance(loaded, VAEMMDGenerator)
    assert loaded._params() == two_state_model._params()
    assert loaded.classes_.tolist() == ["A", "B"]
    assert loaded.best_epoch_ == two_state_model.best_epoch_
    np.testing.assert_array_equal(loaded.history_.values, two_state_model.history_.values)
    a = two_state_model.sample(4, seed=5, labels="B")
    b = loaded.sample(4, seed=5, labels="B")
    np.testing.assert_array_equal(a.values, b.values)


def test_torch_cpu_device_decodes_like_cpu(alpha_model):
    cpu = alpha_model.sample(2, seed=3).values
    alpha_model.to("torch:cpu")
    try:
        np.testing.assert_array_equal(alpha_model.sample(2, seed=3).values, cpu)
    finally:
        alpha_model.to("cpu")


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_gpu_decoding_matches_cpu(two_state_model):
    cpu = two_state_model.sample(4, seed=2, labels="A").values
    two_state_model.to("cuda")
    try:
        gpu = two_state_model.sample(4, seed=2, labels="A").values
    finally:
        two_state_model.to("cpu")
    np.testing.assert_allclose(gpu, cpu, rtol=1e-4, atol=1e-4 * np.abs(cpu).max())


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_trains_on_gpu(tiny_real):
    model = tiny(device="cuda").fit(tiny_real)
    assert model.sample(2, seed=0).shape == (2, 1, 32)
    assert model.history_["loss"].notna().all()


# --- checkpoints ------------------------------------------------------------------------


@pytest.mark.parametrize("validation", [0.2, 0.0])
def test_resume_equals_straight_training(tiny_real, tmp_path, validation):
    straight = tiny(epochs=6, validation=validation, patience=50).fit(tiny_real)
    path = tmp_path / "run.npz"
    tiny(epochs=3, validation=validation, patience=50, checkpoint=path).fit(tiny_real)
    with np.load(path, allow_pickle=False) as npz:
        assert json.loads(str(npz["__header__"]))["epoch"] == 3
    resumed = tiny(epochs=6, validation=validation, patience=50, checkpoint=path).fit(tiny_real, resume=True)
    assert len(resumed.history_) == 6
    np.testing.assert_array_equal(resumed.history_.values, straight.history_.values)
    assert resumed.best_epoch_ == straight.best_epoch_
    for key, value in straight._model.state_dict().items():
        assert torch.equal(value, resumed._model.state_dict()[key]), key
    np.testing.assert_array_equal(resumed.sample(3, seed=0).values, straight.sample(3, seed=0).values)


def test_resume_without_a_file_starts_afresh(tiny_real, tmp_path):
    path = tmp_path / "new.npz"
    model = tiny(checkpoint=path).fit(tiny_real, resume=True)
    assert path.exists()
    assert model.history_.equals(tiny().fit(tiny_real).history_)


def test_resume_keeps_the_drawn_seed(tiny_real, tmp_path):
    path = tmp_path / "run.npz"
    first = tiny(seed=None, epochs=2, checkpoint=path).fit(tiny_real)
    resumed = tiny(seed=None, epochs=4, checkpoint=path).fit(tiny_real, resume=True)
    assert resumed.seed_ == first.seed_
    assert len(resumed.history_) == 4


def test_checkpoint_errors(tiny_real, tmp_path):
    path = tmp_path / "run.npz"
    with pytest.raises(ValueError, match="needs a checkpoint"):
        tiny().fit(tiny_real, resume=True)
    tiny(epochs=3, checkpoint=path).fit(tiny_real)
    with pytest.raises(FileExistsError, match="resume=True"):
        tiny(epochs=3, checkpoint=path).fit(tiny_real)
    with pytest.raises(ValueError, match="hidden"):
        tiny(epochs=5, hidden=5, checkpoint=path).fit(tiny_real, resume=True)
    with pytest.raises(ValueError, match="other data"):
        tiny(epochs=5, checkpoint=path).fit(tiny_real * 2, resume=True)
    with pytest.raises(ValueError, match="already holds 3 epochs"):
        tiny(epochs=2, checkpoint=path).fit(tiny_real, resume=True)
    with pytest.raises(ValueError, match="must end in .npz"):
        tiny(checkpoint=tmp_path / "run.pt")


# --- errors -----------------------------------------------------------------------------


def test_duration_must_be_the_window(alpha_model):
    with pytest.raises(ValueError, match=r"duration must be the window, 1 s \(window=64 samples\)"):
        alpha_model.sample(1, seed=0, duration=2.0)


def test_sample_device_overrides_the_generator_device(alpha_model):
    cpu = alpha_model.sample(2, seed=3).values
    np.testing.assert_array_equal(alpha_model.sample(2, seed=3, device="torch:cpu").values, cpu)
    np.testing.assert_array_equal(alpha_model.sample(2, seed=3, device="cpu").values, cpu)


def test_label_errors(two_state_model, alpha_model):
    with pytest.raises(ValueError, match=r"label 'C' was not seen in fit; known labels: \['A', 'B'\]"):
        two_state_model.sample(2, seed=0, labels="C")
    with pytest.raises(ValueError, match="fitted with labels"):
        two_state_model.sample(2, seed=0)
    with pytest.raises(ValueError, match="fitted without labels"):
        alpha_model.sample(2, seed=0, labels="A")


def test_fit_errors(tiny_real):
    with pytest.raises(ValueError, match="fewer than window=256"):
        VAEMMDGenerator(window=256).fit(tiny_real)
    with pytest.raises(TypeError, match="labels must be integers, booleans or strings"):
        tiny().fit(tiny_real, labels=np.linspace(0, 1, 12))
    model = tiny(window=128, validation=0.5)
    with pytest.raises(ValueError, match="at least 2 training windows"):
        model.fit(tiny_real.isel(record=[0, 1]))
    with pytest.raises(NotFittedError):  # a failed fit leaves the generator unfitted
        model.sample(1, seed=0)
    model = tiny(window=128, validation=0.34).fit(tiny_real.isel(record=[0, 1, 2]))  # one validation window
    assert np.isfinite(model.history_["validation_loss"]).all()


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"window": 4}, ValueError, "window must be an integer >= 8"),
        ({"batch_size": 1}, ValueError, "batch_size"),
        ({"kernel": "laplace"}, ValueError, "kernel must be one of"),
        ({"validation": 1.0}, ValueError, "validation must lie in"),
        ({"learning_rate": 0}, ValueError, "learning_rate"),
        ({"device": 0}, TypeError, "device must be a str"),
    ],
)
def test_parameter_errors(kwargs, error, match):
    with pytest.raises(error, match=match):
        VAEMMDGenerator(**kwargs)


@pytest.mark.skipif(torch.cuda.is_available(), reason="CUDA is available here")
def test_cuda_without_cuda_is_a_clear_error(tiny_real, alpha_model):
    with pytest.raises(RuntimeError, match="CUDA is not available"):
        tiny(device="cuda").fit(tiny_real)
    with pytest.raises(RuntimeError, match="CUDA is not available"):
        alpha_model.to("cuda")
    assert alpha_model.device == "cpu"
    alpha_model.device = "cuda"  # as loaded from a file saved on a GPU machine
    try:
        with pytest.raises(RuntimeError, match=r"generator.to\('cpu'\)"):
            alpha_model.sample(1, seed=0)
    finally:
        alpha_model.device = "cpu"


def test_without_torch_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)
    with pytest.raises(ImportError, match=r"pip install 'biosynth\[torch\]'"):
        VAEMMDGenerator()


def test_integer_labels_and_progress_bar(tiny_real, capsys):
    labels = np.arange(12) % 2
    model = tiny(progress=True).fit(tiny_real, labels)
    assert "vae_mmd" in capsys.readouterr().err
    assert model.classes_.tolist() == [0, 1]
    assert model.sample(2, seed=0, labels=1).attrs["provenance"]["labels"] == [1, 1]
    with pytest.raises(ValueError, match="label '1' was not seen"):
        model.sample(1, seed=0, labels="1")


def test_a_killed_run_resumes_where_it_stopped(tiny_real, tmp_path, monkeypatch):
    straight = tiny(epochs=6).fit(tiny_real)
    path = tmp_path / "run.npz"
    train_epoch = VAEMMDGenerator._train_epoch

    def killed_at_epoch_4(self, model, optimiser, x, y, epoch, device):
        if epoch == 3:
            raise KeyboardInterrupt
        return train_epoch(self, model, optimiser, x, y, epoch, device)

    monkeypatch.setattr(VAEMMDGenerator, "_train_epoch", killed_at_epoch_4)
    with pytest.raises(KeyboardInterrupt):
        tiny(epochs=6, checkpoint=path).fit(tiny_real)
    monkeypatch.undo()
    with np.load(path, allow_pickle=False) as npz:
        assert json.loads(str(npz["__header__"]))["epoch"] == 3
    resumed = tiny(epochs=6, checkpoint=path).fit(tiny_real, resume=True)
    np.testing.assert_array_equal(resumed.history_.values, straight.history_.values)
    np.testing.assert_array_equal(resumed.sample(2, seed=0).values, straight.sample(2, seed=0).values)
