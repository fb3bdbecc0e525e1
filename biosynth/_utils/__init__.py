# SPDX-License-Identifier: BSD-3-Clause
"""biosynth's internal toolkit (like ``mne.utils`` / ``sklearn.utils``): argument
validation, seeds, compute backends, safe output files, shared docstrings and
renamed-argument shims.

Every sub-package of biosynth may import from here; nothing here imports any other
part of biosynth. The names are not public API: they may change without notice.
"""

from biosynth._utils.backend import TORCH_HINT, check_device, require_torch, torch_device
from biosynth._utils.check import (
    check_finite_array,
    check_int,
    check_number,
    check_option,
    check_positive,
    check_sfreq,
    check_type,
    fmt_value,
)
from biosynth._utils.deprecation import renamed_arguments
from biosynth._utils.docs import docdict, fill_doc
from biosynth._utils.files import atomic_output, check_output_path
from biosynth._utils.seeds import (
    Seed,
    make_seed_sequence,
    record_rng,
    record_seed_sequence,
    seed_from_json,
    seed_to_json,
)

__all__ = [
    "TORCH_HINT",
    "Seed",
    "atomic_output",
    "check_device",
    "check_finite_array",
    "check_int",
    "check_number",
    "check_option",
    "check_output_path",
    "check_positive",
    "check_sfreq",
    "check_type",
    "docdict",
    "fill_doc",
    "fmt_value",
    "make_seed_sequence",
    "record_rng",
    "record_seed_sequence",
    "renamed_arguments",
    "require_torch",
    "seed_from_json",
    "seed_to_json",
    "torch_device",
]
