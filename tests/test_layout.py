"""The package's structure: folders by role, no import cycles, privacy kept.

Read from the source with ``ast``, every import counted (those inside
functions too), so the layout stays one a reader can follow one way: the
package root holds the estimator, the public modules and one private folder
per role; a module uses another role's modules only through their public
names.
"""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "sklearn_seq2seq"


def module_name(path):
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): ast.parse(path.read_text()) for path in PACKAGE.rglob("*.py")}
PUBLIC_MODULES = {"datasets", "display", "metrics", "persistence", "preprocessing"}
ROLES = {"_input", "_network", "_training", "_decoding", "_persistence", "_runtime"}
# The module whose job is to name the private scikit-learn and Keras APIs
# used; its names keep their upstream spelling (``_fit_context``).
PRIVATE_API = "_runtime.private_api"


def role(name):
    return name.split(".")[0]


def resolve(importer, node):
    """The package modules an ``ImportFrom`` node names, with the names it takes."""
    if node.level == 0:
        if not (node.module or "").startswith("sklearn_seq2seq"):
            return []
        base = node.module.split(".")[1:]
    else:
        is_package = (PACKAGE / importer.replace(".", "/") / "__init__.py").exists()
        here = importer.split(".") if importer else []
        folder = here if is_package else here[:-1]
        base = folder[: len(folder) - (node.level - 1)] + (
            node.module.split(".") if node.module else []
        )
    found = []
    for alias in node.names:
        candidate = ".".join([*base, alias.name])
        if candidate in MODULES:  # from package import module
            found.append((candidate, None))
        else:
            found.append((".".join(base), alias.name))
    return found


def imports(name):
    """(imported module, imported name or None) for every import in a module."""
    return [
        pair
        for node in ast.walk(MODULES[name])
        if isinstance(node, ast.ImportFrom)
        for pair in resolve(name, node)
    ]


def test_the_package_root_holds_roles_and_public_modules():
    root = {name for name in MODULES if "." not in name and name}
    assert root == ROLES | PUBLIC_MODULES | {"_estimator", "_version"}
    for name in ROLES:
        assert ast.get_docstring(MODULES[name]), f"{name}/__init__.py says what it owns"


def test_the_package_has_no_import_cycles():
    graph = {name: {module for module, _ in imports(name) if module in MODULES} for name in MODULES}
    for name in graph:  # importing a.b imports the package a first
        graph[name] |= {role(m) for m in graph[name] if "." in m and role(m) != role(name)}

    def reachable(start):
        seen, todo = set(), [start]
        while todo:
            for module in graph[todo.pop()] - seen:
                seen.add(module)
                todo.append(module)
        return seen

    cycles = sorted(name for name in graph if name and name in reachable(name))
    assert not cycles, f"modules on an import cycle: {cycles}"


@pytest.mark.parametrize("name", sorted(name for name in MODULES if name))
def test_no_module_reads_another_roles_private_names(name):
    reads = [
        f"{module}.{imported}"
        for module, imported in imports(name)
        if imported
        and imported.startswith("_")
        and not imported.startswith("__")
        and role(module) != role(name)
        and module != PRIVATE_API
    ]
    assert not reads, f"{name} imports another role's private names: {reads}"


@pytest.mark.parametrize("name", sorted(set(MODULES) - {"_estimator", ""}))
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
    assert not reads, f"{name} reads the estimator's private state: {reads}"


def test_the_rules_above_see_the_imports():
    # Guards the parser the tests rely on: the estimator imports the codec.
    assert ("_input.codec", "Codec") in imports("_estimator")
    assert ("_runtime", None) not in imports("_estimator")
    assert ("_runtime.private_api", None) in imports("_estimator")
