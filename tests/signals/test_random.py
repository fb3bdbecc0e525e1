# SPDX-License-Identifier: BSD-3-Clause
import numpy as np
import pytest

from biosynth._utils.seeds import seed_from_json, seed_to_json
from biosynth.signals import make_seed_sequence, record_rng, record_seed_sequence


@pytest.mark.parametrize("index", [0, 3, 9])
def test_record_stream_equals_spawn(index):
    root = make_seed_sequence(42)
    spawned = np.random.SeedSequence(42).spawn(10)[index]
    a = np.random.default_rng(spawned).standard_normal(5)
    b = record_rng(root, index).standard_normal(5)
    np.testing.assert_array_equal(a, b)


def test_record_stream_independent_of_spawn_calls():
    root = make_seed_sequence(7)
    root.spawn(3)  # spawning mutates the counter; addressing by index must not care
    a = record_rng(root, 1).standard_normal(4)
    b = np.random.default_rng(np.random.SeedSequence(7).spawn(2)[1]).standard_normal(4)
    np.testing.assert_array_equal(a, b)


def test_none_seed_draws_entropy_and_json_round_trip():
    root = make_seed_sequence(None)
    again = seed_from_json(seed_to_json(root))
    assert (
        record_seed_sequence(again, 2).generate_state(4).tolist()
        == record_seed_sequence(root, 2).generate_state(4).tolist()
    )


@pytest.mark.parametrize(("seed", "err", "match"), [(-1, ValueError, "non-negative"), (1.5, TypeError, "float")])
def test_bad_seed(seed, err, match):
    with pytest.raises(err, match=match):
        make_seed_sequence(seed)


def test_record_sub_streams_are_spawned_children():
    import numpy as np

    from biosynth._utils import record_seed_sequence

    root = np.random.SeedSequence(7)
    child = np.random.SeedSequence(7).spawn(3)[2].spawn(5)[4]
    assert record_seed_sequence(root, 2, 4).generate_state(4).tolist() == child.generate_state(4).tolist()
    nested = record_seed_sequence(record_seed_sequence(root, 2), 4)
    assert nested.spawn_key == record_seed_sequence(root, 2, 4).spawn_key
