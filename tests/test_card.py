# SPDX-License-Identifier: BSD-3-Clause
"""Data cards: limitations per generator and the ground-truth summary."""

from biosynth.card import LIMITATIONS, write_card
from biosynth.generators import simulate_eeg, simulate_ioecog


def test_ioecog_card_lists_its_limitations_and_event_rows(tmp_path):
    ecog, events = simulate_ioecog(10.0, 1000.0, layout="2x3", epileptiform={"spike": {"rate": 30}}, seed=0,
                                   return_events=True)  # fmt: skip
    text = write_card(ecog, tmp_path / "card.md", events=events).read_text()
    spikes = events[events["type"] == "spike"]
    n_channels = spikes["channel"].nunique()
    assert f"- `spike`: {len(spikes)} events on {n_channels} channel(s)" in text
    for line in LIMITATIONS["biosynth.generators.simulate_ioecog"]:
        assert line in text
    assert "Not documented for this generator" not in text


def test_eeg_card_events_on_all_channels_have_no_channel_count(tmp_path):
    eeg, events = simulate_eeg(4.0, 128.0, states=[("eyes_closed", 2), ("eyes_open", 2)], rhythms=(), seed=0,
                               return_events=True)  # fmt: skip
    text = write_card(eeg, tmp_path / "card.md", events=events).read_text()
    assert "- `eyes_closed`: 1 events\n" in text
    assert LIMITATIONS["biosynth.generators.simulate_eeg"][0] in text


def test_card_lists_published_comparisons_and_rejects_incomplete_rows(tmp_path):
    import pytest

    eeg = simulate_eeg(2.0, 128.0, rhythms=(), seed=0)
    row = {"quantity": "alpha peak (Hz)", "synthetic": 10.0, "published": "8-12", "source": "Doe 2020"}
    rows = [{**row, "agrees": True, "tuned": False}]
    text = write_card(eeg, tmp_path / "card.md", published=rows).read_text()
    assert "| alpha peak (Hz) | 10 | 8-12 | yes | no | Doe 2020 |" in text
    assert 'published_statistics: [{"quantity": "alpha peak (Hz)"' in text
    with pytest.raises(ValueError, match=r"published\[0\] lacks source"):
        write_card(eeg, tmp_path / "other.md", published=[{"quantity": "q", "synthetic": 1, "published": 2}])
