# SPDX-License-Identifier: BSD-3-Clause
"""Meta-tests: the import is light (no torch, dask, matplotlib, nor Numba: no kernel compiles
at import) and public names are documented (the import arrows: test_architecture.py)."""

import inspect
import re
import subprocess
import sys
from pathlib import Path

import pytest

import biosynth
import biosynth.fidelity
import biosynth.generators
import biosynth.signals

PACKAGE = Path(biosynth.__file__).parent


def test_import_is_light():
    code = (
        "import sys, biosynth, biosynth.signals, biosynth.generators, biosynth.fidelity; "
        "print(sorted(m for m in ('torch', 'dask', 'matplotlib', 'numba') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


PUBLIC = [
    (mod, name)
    for mod in (biosynth.signals, biosynth.generators, biosynth.fidelity)
    for name in mod.__all__
    if inspect.isfunction(getattr(mod, name))
]


@pytest.mark.parametrize(("mod", "name"), PUBLIC, ids=[f"{m.__name__}.{n}" for m, n in PUBLIC])
def test_docstring_parameters_match_signature(mod, name):
    func = getattr(mod, name)
    doc = inspect.getdoc(func) or ""
    assert doc, f"{name} has no docstring"
    params = [p for p in inspect.signature(func).parameters if p not in ("self",)]
    if not params:
        return
    assert "Parameters\n----------" in doc, f"{name}: no Parameters section"
    section = doc.split("Parameters\n----------", 1)[1].split("\n\n", 1)[0]
    section = re.split(r"\n(Returns|Raises|Examples|Notes|See Also)\n-+", section)[0]
    documented = []
    for line in section.splitlines():
        match = re.match(r"^\*{0,2}([A-Za-z_][\w, ]*?)(?: :|$)", line)  # numpydoc writes **kwargs bare
        if match:
            documented += [n.strip() for n in match.group(1).split(",")]
    assert documented == params, f"{name}: documented {documented}, signature {params}"


def test_shipped_sample_is_the_documented_excerpt(real_file):
    import numpy as np

    from biosynth.datasets import load_sample

    shipped = load_sample("eeglab")
    source = np.load(real_file("eeg_eeglab_32ch.npz"))
    np.testing.assert_array_equal(shipped.values, source["data"][:, 3840:11520])  # seconds 30-90 at 128 Hz
    assert shipped["channel"].values.tolist() == source["ch_names"].tolist()
    assert "BSD" in shipped.attrs["provenance"]["licence"]
