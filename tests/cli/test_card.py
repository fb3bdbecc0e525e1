# SPDX-License-Identifier: BSD-3-Clause
"""``biosynth card``: refuses a JSON that is not a fidelity summary (the card itself:
test_fidelity.py, which writes the summary first)."""

import pytest

from tests.cli._helpers import run


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"metrics": [{"name": "x"}]}', "metric 0 lacks value, reference, better"),
        ("[1, 2]", "it has no 'metrics' list"),
        ("not json", "is not a readable JSON file"),
    ],
)
def test_card_refuses_a_json_that_is_not_a_fidelity_summary(synthetic, tmp_path, capsys, content, message):
    bad = tmp_path / "other.json"
    bad.write_text(content)
    code, _, err = run(capsys, "card", str(synthetic), "--fidelity", str(bad), "--out", str(tmp_path / "c.md"))
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "c.md").exists()
