"""The package's layers, read from its source with ``ast``: no import cycle, nothing
imported from a layer above, and CuPy imported by the backend alone.

Every ``import`` counts, at the top of a file or inside a function: an import that is
deferred to run time still ties the two modules together for a reader.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "minigrad"

# From the bottom up: a module may import from its own layer and the layers below it.
LAYERS = [
    (
        "backend",
        [
            "backend",
            "fastpath",
            "dtypes",
            "from_python",
            "random",
            "atomic",
            "host_memory",
            "cuda",
            "accelerator",
            "backends",
            "threads",
            "determinism",
            "xpu",
            "printing",
            "size",
            "return_types",
            "compiler",
        ],
    ),
    ("engine", ["grad_mode", "autograd", "custom_function", "autocast_mode"]),
    ("primitives", ["ops"]),
    (
        "tensor",
        [
            "tensor",
            "tensor_methods",
            "functions",
            "functions_extra",
            "functions_math",
            "functions_select",
            "functions_einsum",
            "functions_pointwise",
            "functions_linalg",
            "functions_arrange",
            "functions_stats",
            "functions_order",
            "functions_index",
            "functions_queries",
            "functions_build",
            "functions_bits",
            "functions_numeric",
            "functions_special",
            "linalg",
            "special",
            "sampling",
            "creation",
            "gradcheck",
            "graph",
            "testing",
            "autograd_functional",
        ],
    ),
    # The process group and collectives: below nn and data, which build DDP, SyncBatchNorm
    # and DistributedSampler on them.
    ("distributed", ["distributed"]),
    (
        "nn, optim, data",
        ["nn", "optim", "data", "utils", "serialization", "distributions", "amp", "func"],
    ),
    ("fast paths", ["fast"]),
    ("the package", [""]),
]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imports_of(name: str) -> set[str]:
    """The minigrad modules that module ``name`` imports (a package's ``from . import x``
    of a submodule counts as importing the submodule)."""
    path = MODULES[name]
    is_package = path.name == "__init__.py"
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.split(".")[0] == "minigrad")
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".") if is_package else name.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                prefix = ".".join(base + ([node.module] if node.module else []))
            elif (node.module or "").split(".")[0] == "minigrad":
                prefix = node.module
            else:
                continue
            for alias in node.names:
                submodule = f"{prefix}.{alias.name}"
                found.add(submodule if submodule in MODULES else prefix)
    return {m for m in found if m in MODULES and m != name}


GRAPH = {name: imports_of(name) for name in MODULES}


def layer_of(name: str) -> int:
    inner = name.removeprefix("minigrad").removeprefix(".")
    for i, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            if inner == prefix or (prefix and inner.startswith(prefix + ".")):
                return i
    raise LookupError(name)


def test_every_module_has_a_layer():
    missing = []
    for name in MODULES:
        try:
            layer_of(name)
        except LookupError:
            missing.append(name)
    assert not missing, f"add these modules to LAYERS in {Path(__file__).name}: {missing}"


def test_no_import_cycle():
    """Depth-first search for a back edge; the cycle found is reported in full."""
    state: dict[str, str] = {}
    path: list[str] = []

    def visit(name: str) -> list[str] | None:
        state[name] = "open"
        path.append(name)
        for dep in sorted(GRAPH[name]):
            if state.get(dep) == "open":
                return [*path[path.index(dep) :], dep]
            if dep not in state:
                cycle = visit(dep)
                if cycle:
                    return cycle
        state[name] = "done"
        path.pop()
        return None

    for name in sorted(MODULES):
        if name not in state:
            cycle = visit(name)
            assert cycle is None, "import cycle: " + " -> ".join(cycle)


@pytest.mark.parametrize("name", sorted(MODULES))
def test_imports_go_down_the_layers(name):
    upward = sorted(dep for dep in GRAPH[name] if layer_of(dep) > layer_of(name))
    assert not upward, (
        f"{name} (layer '{LAYERS[layer_of(name)][0]}') imports from layers above it: "
        + ", ".join(f"{dep} ('{LAYERS[layer_of(dep)][0]}')" for dep in upward)
    )


def test_only_the_backend_imports_cupy():
    importers = []
    for name, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            modules = []
            if isinstance(node, ast.Import):
                modules = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level:
                modules = [node.module or ""]
            if any(m.split(".")[0] == "cupy" for m in modules):
                importers.append(name)
    assert sorted(set(importers)) == ["minigrad.backend"]


def test_the_cycle_check_sees_a_cycle():
    """The checker itself: relative imports resolve, and a planted cycle is found."""
    assert "minigrad.autograd" in GRAPH["minigrad.ops.conv"]
    assert "minigrad.ops.conv" in GRAPH["minigrad.fast.conv"]
    assert "minigrad.fast.cuda_kernels" in GRAPH["minigrad.fast.gpu"]  # inside a function
    GRAPH["minigrad.autograd"].add("minigrad.tensor")
    try:
        with pytest.raises(AssertionError, match=r"import cycle: .*minigrad\.autograd"):
            test_no_import_cycle()
    finally:
        GRAPH["minigrad.autograd"].discard("minigrad.tensor")
