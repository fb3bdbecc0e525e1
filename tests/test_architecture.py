# SPDX-License-Identifier: BSD-3-Clause
"""The import arrows of DESIGN.md hold: no cycles, layers import only downwards, and no
module reaches into another package's private names.

Every ``import`` statement counts, function-local ones included: a local import hides a
dependency from the reader but not from the graph; so does a module named in a string
(``importlib.import_module``). The scripts of ``benchmarks/`` use public names only. Each
check is a function of an import table, and the last tests feed them made-up bad tables,
so that no check passes for want of seeing an import.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

import biosynth

PACKAGE = Path(biosynth.__file__).parent

#: Layer of each top-level part of biosynth -> the parts it may import (besides itself).
ALLOWED = {
    "_version": set(),
    "_utils": set(),
    "signals": {"_utils", "_version"},
    "generators": {"signals", "_utils", "_version"},
    "fidelity": {"signals", "_utils", "_version"},
    "datasets": {"signals", "_utils", "_version"},
    "card": {"signals", "generators", "fidelity", "datasets", "_utils", "_version"},
    "bench": {"signals", "generators", "fidelity", "datasets", "card", "_utils", "_version"},
    "review": {"signals", "generators", "fidelity", "datasets", "card", "_utils", "_version"},
    "cli": {"signals", "generators", "fidelity", "datasets", "card", "bench", "review", "_utils", "_version"},
    "__init__": {"_version"},
}


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _part(module: str) -> str:
    """Top-level part of biosynth a module belongs to (``biosynth.fidelity.x`` -> ``fidelity``)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _resolve(module: str, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    package = module if MODULES[module].name == "__init__.py" else module.rsplit(".", 1)[0]
    base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
    return f"{base}.{node.module}" if node.module else base


def _imports(module: str, source: str | None = None) -> list[tuple[str, str | None]]:
    """(imported module, imported name or None) for every import in ``module``.

    ``source`` replaces the module's text (the tests of this file feed it made-up code).
    Besides ``import`` statements, a string that is exactly the dotted name of a biosynth
    module counts as an import of it: that is how ``importlib.import_module`` and the lazy
    ``__getattr__`` of a package name what they load.
    """
    tree = ast.parse(MODULES[module].read_text() if source is None else source)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, None) for alias in node.names if alias.name.startswith("biosynth")]
        elif isinstance(node, ast.ImportFrom):
            target = _resolve(module, node)
            if not target.startswith("biosynth"):
                continue
            for alias in node.names:
                # "from biosynth.x import y" may import the module biosynth.x.y
                sub = f"{target}.{alias.name}"
                found.append((sub, None) if sub in MODULES else (target, alias.name))
        elif isinstance(node, ast.Constant) and node.value in MODULES and node.value != "biosynth":
            found.append((node.value, None))  # "biosynth" alone is also the command's name
    return found


IMPORTS = {module: _imports(module) for module in MODULES}


def _package(module: str) -> str:
    return module if MODULES.get(module, Path()).name == "__init__.py" else module.rsplit(".", 1)[0]


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def _layer_errors(module: str, found: list[tuple[str, str | None]]) -> list[str]:
    """Imports of ``module`` that point up or sideways across the layers."""
    part = _part(module)
    allowed = ALLOWED.get(part)
    if allowed is None:
        return [f"{module}: part {part!r} has no layer in ALLOWED; add it to DESIGN.md and here"]
    return [
        f"{module} imports {target} ({part} may not import {_part(target)})"
        for target, _ in found
        if _part(target) != part and _part(target) not in allowed
    ]


def _private_errors(module: str, found: list[tuple[str, str | None]]) -> list[str]:
    """A private module or name is used only inside its own package; siblings share a
    private *module* (``_shared.py``), never a public module's private names."""
    package = _package(module)
    errors = []
    for target, name in found:
        if target == "biosynth._version":
            continue
        if _part(target) == "_utils":  # the declared toolkit, open to all; its _names are not
            if name is not None and _private(name) and _part(module) != "_utils":
                errors.append(f"{module} imports private name {name} of the toolkit module {target}")
            continue
        target_package = _package(target)
        parts = target.split(".")
        inside = package == target_package or package.startswith(target_package + ".")
        if any(_private(p) for p in parts[1:]):
            owner = ".".join(parts[: next(i for i, p in enumerate(parts) if _private(p))])
            if not (package == owner or package.startswith(owner + ".")):
                errors.append(f"{module} imports private module {target} of another package")
        elif name is not None and _private(name):
            errors.append(
                f"{module} imports private name {name} from public module {target}"
                + ("" if inside else " of another package")
                + "; move it to a shared private module"
            )
    return errors


def _graph(imports: dict[str, list[tuple[str, str | None]]]) -> dict[str, set[str]]:
    """Module -> the modules it imports (a name's module where a name is imported)."""
    graph = defaultdict(set)
    for module, found in imports.items():
        for target, _ in found:
            while target and target not in MODULES:
                target = target.rsplit(".", 1)[0] if "." in target else ""
            # a package importing its own submodules (the re-export) counts: a submodule
            # that imports names from its package's __init__ closes a real cycle
            if target and target != module:
                graph[module].add(target)
    return graph


def _find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle of ``graph`` (its modules, the first repeated last), or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (cycle := visit(nxt)) is not None:
                return cycle
        stack.pop()
        state[node] = 2
        return None

    for module in sorted(graph):
        if module not in state and (cycle := visit(module)) is not None:
            return cycle
    return None


def _upward_errors(imports: dict[str, list[tuple[str, str | None]]]) -> list[str]:
    """Imports of the CLI from outside it, of the bench from outside bench and CLI, and of
    anything of biosynth from ``_utils``."""
    errors = []
    for module, found in imports.items():
        for target, _ in found:
            if _part(target) == "cli" and _part(module) != "cli":
                errors.append(f"{module} imports the CLI ({target})")
            if _part(target) == "bench" and _part(module) not in {"bench", "cli"}:
                errors.append(f"{module} imports the bench ({target})")
            if _part(module) == "_utils" and _part(target) != "_utils":
                errors.append(f"{module} imports {target}")
    return errors


@pytest.mark.parametrize("module", sorted(MODULES))
def test_layers_import_downwards(module):
    assert not _layer_errors(module, IMPORTS[module])


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_private_names_across_packages(module):
    assert not _private_errors(module, IMPORTS[module])


def test_no_import_cycles():
    cycle = _find_cycle(_graph(IMPORTS))
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_nothing_imports_the_cli_or_the_bench_and_utils_imports_nothing():
    assert not _upward_errors(IMPORTS)


# --- the checks themselves: they see every import form and fail on a bad graph ----------


def test_the_import_table_holds_the_known_arrows():
    """A resolution bug that made imports invisible would let every check above pass."""
    assert len(MODULES) > 100
    assert sum(map(len, IMPORTS.values())) > 500
    assert ("biosynth.fidelity.features", "extract_features") in IMPORTS["biosynth.fidelity.compare"]
    assert ("biosynth.signals", "make_signals") in IMPORTS["biosynth.datasets.real"]
    # function-local imports of the CLI handlers
    assert ("biosynth.bench", "run_suite") in IMPORTS["biosynth.cli.bench"]
    assert ("biosynth.fidelity.compare", None) in IMPORTS["biosynth.cli.fidelity"]  # a module or a name there
    # names loaded by importlib from a module named in a string
    assert ("biosynth.bench.suites", None) in IMPORTS["biosynth.bench"]
    assert ("biosynth.datasets", None) in IMPORTS["biosynth.bench.suites"]
    graph = _graph(IMPORTS)
    assert "biosynth.bench" in graph["biosynth.cli.bench"]
    assert "biosynth.generators" not in graph["biosynth.fidelity.compare"]


def test_every_import_form_is_seen():
    source = """
import numpy
import biosynth.signals.io
import biosynth.fidelity.spectral as spectral
from biosynth import generators
from biosynth.generators import simulate_eeg
from . import container
from .container import make_signals
from .. import fidelity
from ..fidelity import _psd
from ..generators.eeg import _private_helper
import importlib

def lazy():
    from biosynth.bench import run_suite
    return importlib.import_module("biosynth.cli")

if TYPE_CHECKING:
    from biosynth.card import write_card
"""
    found = _imports("biosynth.signals.io", source)
    assert sorted(found, key=str) == sorted(
        [
            ("biosynth.signals.io", None),
            ("biosynth.fidelity.spectral", None),
            ("biosynth.generators", None),
            ("biosynth.generators", "simulate_eeg"),
            ("biosynth.signals.container", None),
            ("biosynth.signals.container", "make_signals"),
            ("biosynth.fidelity", None),
            ("biosynth.fidelity._psd", None),
            ("biosynth.generators.eeg", "_private_helper"),
            ("biosynth.bench", "run_suite"),
            ("biosynth.cli", None),
            ("biosynth.card", "write_card"),
        ],
        key=str,
    )
    # relative imports from a package's __init__ resolve against the package itself
    assert _imports("biosynth.signals", "from .io import read") == [("biosynth.signals.io", "read")]
    assert _imports("biosynth.fidelity._kernels", "from ..spectral import welch_psd") == [
        ("biosynth.fidelity.spectral", "welch_psd")
    ]


def test_the_checks_fail_on_a_bad_graph():
    """Each check reports a made-up violation of its rule."""
    up = _imports("biosynth.signals.io", "from biosynth.generators import simulate_eeg")
    assert _layer_errors("biosynth.signals.io", up) == [
        "biosynth.signals.io imports biosynth.generators (signals may not import generators)"
    ]
    sideways = _imports("biosynth.fidelity.compare", "import biosynth.generators.eeg as eeg")
    assert _layer_errors("biosynth.fidelity.compare", sideways)
    assert _layer_errors("biosynth.fidelity.compare", _imports("biosynth.fidelity.compare", "from .. import bench"))

    other_private = _imports("biosynth.fidelity.compare", "from biosynth.generators import _checks")
    assert _private_errors("biosynth.fidelity.compare", other_private) == [
        "biosynth.fidelity.compare imports private module biosynth.generators._checks of another package"
    ]
    sibling_name = _imports("biosynth.generators.ioecog", "from .eeg import _render")
    assert (
        "private name _render from public module biosynth.generators.eeg"
        in _private_errors("biosynth.generators.ioecog", sibling_name)[0]
    )
    # what the rules allow
    own_private = _imports("biosynth.generators.learned.vae", "from biosynth.generators._checks import check_rhythm")
    assert not _private_errors("biosynth.generators.learned.vae", own_private)
    assert not _private_errors("biosynth.fidelity.compare", [("biosynth._utils.check", "check_int")])
    assert _private_errors("biosynth.fidelity.compare", [("biosynth._utils.check", "_fmt")]) == [
        "biosynth.fidelity.compare imports private name _fmt of the toolkit module biosynth._utils.check"
    ]

    cycle = {
        "biosynth.signals.io": [("biosynth.signals.units", None)],
        "biosynth.signals.units": [("biosynth.signals.io", "read")],
    }
    assert _find_cycle(_graph(cycle)) == ["biosynth.signals.io", "biosynth.signals.units", "biosynth.signals.io"]
    assert _find_cycle(_graph({"biosynth.signals": [("biosynth.signals.io", None)]})) is None
    through_init = {
        "biosynth.fidelity": [("biosynth.fidelity.compare", None)],
        "biosynth.fidelity.compare": [("biosynth.fidelity", "extract_features")],
    }
    assert _find_cycle(_graph(through_init)) == ["biosynth.fidelity", "biosynth.fidelity.compare", "biosynth.fidelity"]

    assert _upward_errors(
        {
            "biosynth.generators.eeg": _imports(
                "biosynth.generators.eeg", "import importlib\nimportlib.import_module('biosynth.cli')"
            )
        }
    ) == ["biosynth.generators.eeg imports the CLI (biosynth.cli)"]
    assert _upward_errors({"biosynth.card": [("biosynth.bench", "run_suite")]}) == [
        "biosynth.card imports the bench (biosynth.bench)"
    ]
    assert _upward_errors({"biosynth._utils.check": [("biosynth.signals", "RECORD")]}) == [
        "biosynth._utils.check imports biosynth.signals"
    ]


def _script_errors(script: str, source: str) -> list[str]:
    """A benchmark script uses biosynth's public names only, and shares with the other
    scripts through ``benchmarks/_results.py`` rather than their private names."""
    errors = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            targets = [(alias.name, None) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and not node.level:
            targets = [(node.module or "", alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            targets = [(f"benchmarks.{node.module or ''}".rstrip("."), alias.name) for alias in node.names]
        else:
            continue
        for target, name in targets:
            root, *rest = target.split(".")
            private_name = name is not None and _private(name)
            if root == "biosynth" and (any(map(_private, rest)) or private_name):
                errors.append(f"{script} imports {target}{'' if name is None else '.' + name}, private to biosynth")
            elif root == "benchmarks" and private_name and not any(map(_private, rest)):
                errors.append(f"{script} imports private name {name} of {target}; share it through benchmarks._results")
    return errors


@pytest.mark.parametrize("script", sorted(p.name for p in (PACKAGE.parent / "benchmarks").glob("*.py")))
def test_benchmark_scripts_use_public_names(script):
    assert not _script_errors(script, (PACKAGE.parent / "benchmarks" / script).read_text())


def test_the_script_check_fails_on_private_names():
    source = (
        "from biosynth._version import __version__\nfrom biosynth.bench import _helper\n"
        "from benchmarks.eeg import _report_dict\nfrom benchmarks._results import quiet\nimport biosynth.fidelity\n"
    )
    assert _script_errors("x.py", source) == [
        "x.py imports biosynth._version.__version__, private to biosynth",
        "x.py imports biosynth.bench._helper, private to biosynth",
        "x.py imports private name _report_dict of benchmarks.eeg; share it through benchmarks._results",
    ]
