"""The package's structure: no import cycles, the estimator's privacy kept.

Read from the source with ``ast``, every import counted (those inside
functions too), so the layout stays one a reader can follow one way.
"""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "sklearn_seq2seq"
MODULES = {path.stem: ast.parse(path.read_text()) for path in PACKAGE.glob("*.py")}


def local_imports(tree):
    """The package modules a module imports, anywhere in it."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module:
                found.add(node.module.split(".")[0])
            else:
                found.update(alias.name for alias in node.names)
    return found & set(MODULES)


def test_the_package_has_no_import_cycles():
    graph = {name: local_imports(tree) for name, tree in MODULES.items()}

    def reachable(start):
        seen, todo = set(), [start]
        while todo:
            for module in graph[todo.pop()] - seen:
                seen.add(module)
                todo.append(module)
        return seen

    cycles = sorted(name for name in graph if name in reachable(name))
    assert not cycles, f"modules on an import cycle: {cycles}"


@pytest.mark.parametrize("name", sorted(set(MODULES) - {"estimator"}))
def test_no_module_reads_the_estimators_private_state(name):
    reads = [
        f"line {node.lineno}: {node.value.id}.{node.attr}"
        for node in ast.walk(MODULES[name])
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id in {"estimator", "est"}
        and node.attr.startswith("_")
        and not node.attr.startswith("__")
    ]
    assert not reads, f"{name}.py reads the estimator's private state: {reads}"


# The estimator keeps scikit-learn's docstring, its parameter table and
# thin methods; every other module does one job.
ESTIMATOR_MAX_LINES = 600
MODULE_MAX_LINES = 450


@pytest.mark.parametrize("name", sorted(MODULES))
def test_modules_stay_small(name):
    n_lines = len((PACKAGE / f"{name}.py").read_text().splitlines())
    limit = ESTIMATOR_MAX_LINES if name == "estimator" else MODULE_MAX_LINES
    assert n_lines <= limit, f"{name}.py has {n_lines} lines (at most {limit})"
