# SPDX-License-Identifier: BSD-3-Clause
"""The import arrows of DESIGN.md hold: no cycles, layers import only downwards, and no
module reaches into another package's private names.

Every ``import`` statement counts, function-local ones included: a local import hides a
dependency from the reader but not from the graph.
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


def _imports(module: str) -> list[tuple[str, str | None]]:
    """(imported module, imported name or None) for every import in ``module``."""
    tree = ast.parse(MODULES[module].read_text())
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
    return found


IMPORTS = {module: _imports(module) for module in MODULES}


@pytest.mark.parametrize("module", sorted(MODULES))
def test_layers_import_downwards(module):
    part = _part(module)
    allowed = ALLOWED.get(part)
    assert allowed is not None, f"{module}: part {part!r} has no layer in ALLOWED; add it to DESIGN.md and here"
    for target, _ in IMPORTS[module]:
        other = _part(target)
        assert other == part or other in allowed, f"{module} imports {target} ({part} may not import {other})"


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_private_names_across_packages(module):
    """A private module or name is used only inside its own package; siblings share a
    private *module* (``_shared.py``), never a public module's private names."""
    package = module if MODULES[module].name == "__init__.py" else module.rsplit(".", 1)[0]
    for target, name in IMPORTS[module]:
        if _part(target) == "_utils" or target == "biosynth._version":
            continue
        target_package = target if MODULES.get(target, Path()).name == "__init__.py" else target.rsplit(".", 1)[0]
        private_module = any(_private(p) for p in target.split(".")[1:])
        inside = package == target_package or package.startswith(target_package + ".")
        if private_module:
            owner = ".".join(
                p for p in target.split(".")[: next(i for i, p in enumerate(target.split(".")) if _private(p))]
            )
            assert package == owner or package.startswith(owner + "."), (
                f"{module} imports private module {target} of another package"
            )
        elif name is not None and _private(name):
            pytest.fail(
                f"{module} imports private name {name} from public module {target}"
                + ("" if inside else " of another package")
                + "; move it to a shared private module"
            )


def test_no_import_cycles():
    graph = defaultdict(set)
    for module, found in IMPORTS.items():
        for target, _ in found:
            while target and target not in MODULES:
                target = target.rsplit(".", 1)[0] if "." in target else ""
            # importing a submodule runs its package __init__ first; a package importing
            # its own submodules is the normal re-export, not a cycle
            if target and target != module and not target.startswith(module + "."):
                graph[module].add(target)
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycle = [*stack[stack.index(nxt) :], nxt]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for module in sorted(MODULES):
        if module not in state:
            visit(module)


def test_nothing_imports_the_cli_or_the_bench():
    for module, found in IMPORTS.items():
        for target, _ in found:
            if _part(target) == "cli":
                assert _part(module) == "cli", f"{module} imports the CLI ({target})"
            if _part(target) == "bench":
                assert _part(module) in {"bench", "cli"}, f"{module} imports the bench ({target})"


def test_utils_imports_nothing_of_biosynth():
    for module, found in IMPORTS.items():
        if _part(module) == "_utils":
            assert all(_part(t) == "_utils" for t, _ in found), f"{module} imports {found}"
