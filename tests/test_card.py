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
