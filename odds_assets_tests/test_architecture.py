"""The house rules of the package, read from its source (AST, no imports):

- Dagster is imported only in ``odds_assets/defs/`` and ``odds_assets/definitions.py``;
- a domain folder under ``defs/`` imports no other domain, only ``defs/common``;
- every function under ``defs/`` touches Dagster (the plain pipeline steps live below it);
- packages import downwards only, and no two modules import each other (directly or round a circle).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[1] / "odds_assets"
DEFS = PKG / "defs"


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PKG.rglob("*.py")):
        rel = path.relative_to(PKG.parent).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


MODULES = _modules()


def _imports(path: Path) -> Iterator[tuple[str, int]]:
    """Every imported module name (absolute; ``from x import y`` yields ``x.y`` when that is a module)."""
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path}:{node.lineno}: relative import"
            base = node.module or ""
            yield base, node.lineno
            for alias in node.names:
                if f"{base}.{alias.name}" in MODULES:
                    yield f"{base}.{alias.name}", node.lineno


def _rel(path: Path) -> str:
    return str(path.relative_to(PKG.parent)) if path.is_relative_to(PKG.parent) else str(path)


def test_dagster_is_imported_only_in_defs_and_definitions() -> None:
    bad = [f"{_rel(p)}:{line} imports {name}" for mod, p in MODULES.items()
           if not (mod.startswith("odds_assets.defs") or mod == "odds_assets.definitions")
           for name, line in _imports(p) if name.split(".")[0] in ("dagster", "dagster_postgres", "dagster_webserver")]
    assert not bad, "\n".join(bad)


def test_defs_domains_are_siblings_sharing_only_common() -> None:
    domains = sorted(p.name for p in DEFS.iterdir() if p.is_dir() and (p / "__init__.py").exists())
    assert "common" in domains and len(domains) >= 3
    bad = []
    for mod, path in MODULES.items():
        parts = mod.split(".")
        if len(parts) < 3 or parts[1] != "defs":
            continue
        mine = parts[2] if len(parts) > 3 or path.name == "__init__.py" else None
        for name, line in _imports(path):
            other = name.split(".")
            # (defs/__init__ merges the domains: it may import each of them)
            if (len(other) >= 3 and other[:2] == ["odds_assets", "defs"] and other[2] not in ("common", mine)
                    and (mine is not None or other[2] not in domains)):
                bad.append(f"{_rel(path)}:{line} imports {name}")
            if mine == "common" and len(other) >= 3 and other[:2] == ["odds_assets", "defs"] and other[2] != "common":
                bad.append(f"{_rel(path)}:{line}: defs/common imports the domain module {name}")
    assert not bad, "\n".join(bad)


# -- every function under defs/ touches Dagster ------------------------------------------------------

def _names(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def _dagster_names(tree: ast.Module) -> set[str]:
    """Names bound to Dagster in a defs module: imported from dagster or from the Dagster layer
    (``odds_assets.defs``), and module-level names defined from those (e.g. a severity table)."""
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.Import):
            names |= {(a.asname or a.name).split(".")[0] for a in node.names if a.name.split(".")[0] == "dagster"}
        elif isinstance(node, ast.ImportFrom) and node.module and (
                node.module.split(".")[0] == "dagster" or node.module.startswith("odds_assets.defs")):
            names |= {a.asname or a.name for a in node.names}
    changed = True
    while changed:
        changed = False
        for node in tree.body:
            targets: list[ast.expr] = []
            value: ast.AST | None = None
            if isinstance(node, ast.Assign):
                targets, value = node.targets, node.value
            elif isinstance(node, ast.AnnAssign) and node.value is not None:
                targets, value = [node.target], node.value
            elif isinstance(node, ast.ClassDef):
                if any(_names(b) & names for b in node.bases) and node.name not in names:
                    names.add(node.name)
                    changed = True
                continue
            if value is not None and _names(value) & names:
                for t in targets:
                    new = _names(t) - names
                    if new:
                        names |= new
                        changed = True
    return names


def _functions_not_touching_dagster(path: Path) -> list[str]:
    tree = ast.parse(path.read_text())
    dagster = _dagster_names(tree)
    bad: list[str] = []

    def visit(node: ast.AST, scope: set[str], in_dagster_class: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.ClassDef):
                visit(child, scope, child.name in dagster)
            elif isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                args = [*child.args.posonlyargs, *child.args.args, *child.args.kwonlyargs]
                local = set(scope)
                local |= {a.arg for a in args if a.annotation is not None and _names(a.annotation) & scope}
                if in_dagster_class:  # a method of a Dagster resource, IO manager ... is Dagster's
                    visit(child, local, False)
                    continue
                used = set()
                for part in (*child.decorator_list, *(a.annotation for a in args if a.annotation), child.returns,
                             *child.args.defaults, *child.args.kw_defaults, *child.body):
                    if part is not None:
                        used |= _names(part)
                if not used & local:
                    bad.append(f"{_rel(path)}:{child.lineno} {child.name}()")
                visit(child, local, False)

    visit(tree, dagster, False)
    return bad


def test_every_function_under_defs_touches_dagster() -> None:
    bad = [f for path in sorted(DEFS.rglob("*.py")) for f in _functions_not_touching_dagster(path)]
    assert not bad, "plain functions belong below defs/:\n" + "\n".join(bad)


def test_the_dagster_rule_sees_a_plain_function(tmp_path: Path) -> None:
    src = tmp_path / "m.py"
    src.write_text("import dagster as dg\n\ndef plain(x: int) -> int:\n    return x + 1\n\n"
                   "def dagsterish(ctx: dg.OpExecutionContext) -> None:\n    def inner() -> None:\n"
                   "        ctx.log.info('x')\n    inner()\n")
    assert [b.split()[-1] for b in _functions_not_touching_dagster(src)] == ["plain()"]


# -- layers and circles ----------------------------------------------------------------------------

#: a package may import only packages of a lower rank (and itself)
RANK = {
    "odds_assets.models": 0, "odds_assets.errors": 0,
    "odds_assets.markets": 1, "odds_assets.summary": 1,
    "odds_assets.clients": 2, "odds_assets.snapshot": 2, "odds_assets.analytics": 2,
    "odds_assets.archive": 3, "odds_assets.db": 3,
    "odds_assets.quality": 4,
    "odds_assets.settings": 5, "odds_assets.scrape": 5, "odds_assets.trader": 5, "odds_assets.simulator": 5,
    "odds_assets.windows": 6,
    "odds_assets.catchup": 7,
    "odds_assets.defs": 8, "odds_assets.dagster_home": 8, "odds_assets.web": 8,
    "odds_assets.definitions": 9, "odds_assets.demo": 9,
    "odds_assets.cli": 10,
}


def _package(mod: str) -> str | None:
    key = ".".join(mod.split(".")[:2])
    return key if key in RANK else None


def test_every_module_has_a_layer() -> None:
    missing = sorted(m for m in MODULES if m != "odds_assets" and _package(m) is None)
    assert not missing, f"add to RANK: {missing}"


def test_packages_import_downwards_only() -> None:
    bad = []
    for mod, path in MODULES.items():
        mine = _package(mod)
        if mine is None:
            continue
        for name, line in _imports(path):
            theirs = _package(name) if name.startswith("odds_assets.") else None
            if theirs is not None and theirs != mine and RANK[theirs] >= RANK[mine]:
                bad.append(f"{_rel(path)}:{line} ({mine}, rank {RANK[mine]}) imports {name} (rank {RANK[theirs]})")
    assert not bad, "\n".join(bad)


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {m: set() for m in MODULES}
    for mod, path in MODULES.items():
        for name, _ in _imports(path):
            if name in MODULES and name != mod and not mod.startswith(name + "."):
                graph[mod].add(name)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []

    def strong(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            strong(v)
    return out


def test_no_import_circles() -> None:
    # a package's __init__ importing its own submodules is not a circle worth reporting; module pairs are
    graph = {m: {d for d in deps if not (MODULES[m].name == "__init__.py" and d.startswith(m + "."))}
             for m, deps in _graph().items()}
    assert _cycles(graph) == []


@pytest.mark.parametrize("graph, expected", [
    ({"a": {"b"}, "b": {"a"}, "c": set()}, [["a", "b"]]),
    ({"a": {"b"}, "b": {"c"}, "c": set()}, []),
])
def test_the_circle_finder_finds_circles(graph: dict[str, set[str]], expected: list[list[str]]) -> None:
    assert _cycles(graph) == expected
