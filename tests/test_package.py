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
import biosynth.bench
import biosynth.datasets
import biosynth.fidelity
import biosynth.generators
import biosynth.generators.learned
import biosynth.signals

PACKAGE = Path(biosynth.__file__).parent


def test_import_is_light():
    code = (
        "import sys, biosynth, biosynth.signals, biosynth.generators, biosynth.generators.learned, "
        "biosynth.fidelity, biosynth.datasets, biosynth.card, biosynth.bench, biosynth.cli; "
        "print(sorted(m for m in ('torch', 'dask', 'matplotlib', 'numba') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


PUBLIC = [
    (mod, name)
    for mod in (
        biosynth.signals,
        biosynth.generators,
        biosynth.generators.learned,
        biosynth.fidelity,
        biosynth.datasets,
        biosynth.bench,
    )
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


def _public_modules() -> list[str]:
    """Every module of biosynth without a ``_``-prefixed part, the CLI and the old aliases aside."""
    names = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        parts = parts[:-1] if parts[-1] == "__init__" else parts
        if any(p.startswith("_") for p in parts) or parts[:2] == ("biosynth", "cli"):
            continue
        if parts[:2] == ("biosynth", "bench") and parts[-1] in ("run", "runner"):
            continue  # deprecated aliases: every name read from them warns
        names.append(".".join(parts))
    return names


def _documented_objects():
    """(qualified name, object) for every public function and class of every public module
    (its ``__all__``, else the names it defines), with the methods and properties of the classes."""
    import importlib

    seen = {}
    for module_name in _public_modules():
        module = importlib.import_module(module_name)
        public = getattr(module, "__all__", None)
        if public is None:  # the names the module defines
            public = [n for n, v in vars(module).items() if getattr(v, "__module__", None) == module_name]
        for name in public:
            if name.startswith("_"):
                continue
            obj = getattr(module, name)
            if not (inspect.isfunction(obj) or inspect.isclass(obj)) or id(obj) in seen:
                continue
            seen[id(obj)] = (f"{module_name}.{name}", obj)
            if inspect.isclass(obj):
                for attr, value in vars(obj).items():
                    if not attr.startswith("_") and (inspect.isfunction(value) or isinstance(value, property)):
                        seen.setdefault(id(value), (f"{module_name}.{name}.{attr}", value))
    return sorted(seen.values(), key=lambda item: item[0])


DOCUMENTED = _documented_objects()


def test_every_docstring_slot_is_filled():
    """A ``%(name)s`` slot left in a rendered docstring means a missing ``@fill_doc`` (or a
    slot written inside a line, which fill_doc does not fill)."""
    from biosynth._utils.docs import fill_doc

    assert len(DOCUMENTED) > 250  # the walk sees the API (263 objects), not an empty list
    unfilled = [
        name for name, obj in DOCUMENTED if obj is not fill_doc and re.search(r"%\(\w+\)s", inspect.getdoc(obj) or "")
    ]
    assert not unfilled, f"unfilled docstring slots in {unfilled}"


def test_shipped_sample_is_the_documented_excerpt(real_file):
    import numpy as np

    from biosynth.datasets import load_sample

    shipped = load_sample("eeglab")
    source = np.load(real_file("eeg_eeglab_32ch.npz"))
    np.testing.assert_array_equal(shipped.values, source["data"][:, 3840:11520])  # seconds 30-90 at 128 Hz
    assert shipped["channel"].values.tolist() == source["ch_names"].tolist()
    assert "BSD" in shipped.attrs["provenance"]["licence"]
