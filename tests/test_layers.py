"""Imports point one way: each part of the package imports only parts of lower layers.

The layers are those of ARCHITECTURE.md; a part added to the package must be placed in
one here. Imports inside functions count as much as those at the top of a module.
"""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "topicnmf"

#: Lowest first; a part may import the parts of any layer below its own.
LAYERS = [
    {"errors"},
    {"_validation", "_docstrings", "_numba_cache", "_persistence"},
    {"corpus"},
    {"preprocessing"},
    {"nmf"},
    {"measures", "images"},
    {"selection", "seeding", "_periods"},
    {"model"},
    {"_assemble", "streaming"},
    {"dynamic", "hierarchy"},
    {"plotting"},
    {"reporting"},
    {"cli"},
    {"__main__"},
]
LAYER = {part: level for level, parts in enumerate(LAYERS) for part in parts}


def _part(path: Path) -> str:
    return path.relative_to(PACKAGE).with_suffix("").parts[0]


def _imported_parts(path: Path, source: str | None = None) -> set[str]:
    """The parts of the package that the module at ``path`` (its text: ``source``) imports,
    other than its own."""
    package = ["topicnmf", *path.relative_to(PACKAGE).with_suffix("").parts[:-1]]
    names = []
    tree = ast.parse(path.read_text(encoding="utf-8") if source is None else source)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join(base + ([node.module] if node.module else []))
            names.append(module)
            if module == "topicnmf":
                names.extend(f"topicnmf.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
    own = _part(path)
    return {name.split(".")[1] for name in names if name.startswith("topicnmf.")} - {own}


MODULES = sorted(p for p in PACKAGE.rglob("*.py") if p.name != "__init__.py" or p.parent != PACKAGE)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_point_down(path):
    part = _part(path)
    assert part in LAYER, f"{part} is in no layer of tests/test_layers.py; place it in one"
    upward = sorted(t for t in _imported_parts(path) if LAYER.get(t, len(LAYERS)) >= LAYER[part])
    assert not upward, f"{path.relative_to(PACKAGE)} imports {upward}, which are not below {part}"


def test_imports_are_read_everywhere():
    """Relative and absolute imports count, at the top and inside functions."""
    source = ("from . import _scores\nfrom topicnmf import plotting\n"
              "def f():\n    from ..model import TopicModel\n    import topicnmf.cli.fit\n")
    assert _imported_parts(PACKAGE / "measures" / "_probe.py", source) == {"model", "cli", "plotting"}
