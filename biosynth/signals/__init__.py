# SPDX-License-Identifier: BSD-3-Clause
"""The shared vocabulary of biosynth: the signal container, events, units, seeds,
resampling and file I/O. Imports nothing else of biosynth."""

from biosynth._utils.seeds import Seed, make_seed_sequence, record_rng, record_seed_sequence
from biosynth.signals.bids import read_bids_ieeg, write_bids_ieeg
from biosynth.signals.container import (
    CHANNEL,
    DIMS,
    MODALITIES,
    RECORD,
    TIME,
    as_batch,
    crop,
    epochs,
    get_record,
    make_signals,
    validate_signals,
)
from biosynth.signals.events import (
    EVENT_COLUMNS,
    annotations_to_events,
    empty_events,
    events_to_annotations,
    make_events,
    read_events_tsv,
    to_bids_events,
    validate_events,
    write_events_tsv,
)
from biosynth.signals.io import (
    SignalFileError,
    check_writable,
    from_dataset,
    from_mne_raw,
    read,
    to_dataset,
    to_mne_raw,
    write,
)
from biosynth.signals.resample import resample
from biosynth.signals.stream import SignalWriter, open_writer
from biosynth.signals.units import UNITS, convert_units, normalize_units, unit_factor

__all__ = [
    "CHANNEL",
    "DIMS",
    "EVENT_COLUMNS",
    "MODALITIES",
    "RECORD",
    "TIME",
    "UNITS",
    "Seed",
    "SignalFileError",
    "SignalWriter",
    "annotations_to_events",
    "as_batch",
    "check_writable",
    "convert_units",
    "crop",
    "empty_events",
    "epochs",
    "events_to_annotations",
    "from_dataset",
    "from_mne_raw",
    "get_record",
    "make_events",
    "make_seed_sequence",
    "make_signals",
    "normalize_units",
    "open_writer",
    "read",
    "read_bids_ieeg",
    "read_events_tsv",
    "record_rng",
    "record_seed_sequence",
    "resample",
    "to_bids_events",
    "to_dataset",
    "to_mne_raw",
    "unit_factor",
    "validate_events",
    "validate_signals",
    "write",
    "write_bids_ieeg",
    "write_events_tsv",
]
