"""Import hygiene: the library never pulls in Textual; help, version and the app start light."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def loaded_after(code: str) -> dict:
    """Run `code` in a fresh interpreter; report which heavy modules ended up imported."""
    probe = (
        f"{code}\nimport json, sys\n"
        "print(json.dumps({m: m in sys.modules\n"
        "                  for m in ('torch', 'textual', 'sacrebleu', 'transformers')}))"
    )
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_library_import_is_light():
    loaded = loaded_after("import textlatent, textlatent.latent, textlatent.evaluate, "
                          "textlatent.bench, textlatent.cli")
    assert loaded == {"torch": False, "textual": False, "sacrebleu": False,
                      "transformers": False}


def test_transform_modules_are_pure_numpy():
    loaded = loaded_after("import textlatent.transforms, textlatent.directions, "
                          "textlatent.prior, textlatent.index, textlatent.augment, "
                          "textlatent.cli.transforms, textlatent.transform_eval, "
                          "textlatent.fidelity")
    assert loaded == {"torch": False, "textual": False, "sacrebleu": False,
                      "transformers": False}


def test_help_and_version_do_not_import_torch():
    code = (
        "import contextlib, io\n"
        "from textlatent.cli import main\n"
        "names = ['encode', 'decode', 'reconstruct', 'blend', 'eval', 'bench',\n"
        "         'train-tokenizer', 'train', 'tui', 'vary', 'sample', 'arithmetic',\n"
        "         'edit', 'neighbors', 'augment']\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    codes = [main(['--help']), main(['--version']), main(['corpus', 'build', '-h'])]\n"
        "    codes += [main([n, '--help']) for n in names]\n"
        "    codes += [main(['direction', c, '--help']) for c in ('build', 'list')]\n"
        "    codes += [main(['index', 'build', '--help'])]\n"
        "assert codes == [0] * len(codes), codes\n"
    )
    loaded = loaded_after(code)
    assert not loaded["torch"] and not loaded["textual"]


def test_whole_library_never_imports_textual():
    loaded = loaded_after("import textlatent.backends.gru, textlatent.decoding, "
                          "textlatent.tokenizer, textlatent.train, textlatent.corpus")
    assert loaded["torch"] and not loaded["textual"]


def test_transformers_is_imported_only_when_an_hf_model_loads():
    loaded = loaded_after("import textlatent.backends.hf\n"
                          "from textlatent import load_model\n"
                          "load_model().reconstruct(['a cat'])")
    assert loaded["torch"] and not loaded["transformers"]


def test_default_install_does_not_pull_transformers():
    tomllib = pytest.importorskip("tomllib")

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert not any(d.lower().startswith("transformers") for d in project["dependencies"])
    assert any(d.startswith("transformers>=4.38,<4.46")
               for d in project["optional-dependencies"]["hf"])


def test_library_source_has_no_textual_or_tui_imports():
    for path in (ROOT / "textlatent").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top == "tui":
                    assert path == ROOT / "textlatent" / "cli" / "app.py", \
                        f"{path} imports {name}"
                assert top != "textual", f"{path} imports {name}"


def test_tui_import_does_not_import_torch():
    loaded = loaded_after("import tui, tui.app")
    assert loaded["textual"] and not loaded["torch"]


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _top_level_imports(tree: ast.Module):
    """Import statements run when the module is imported: not inside a function or class, not
    under `if TYPE_CHECKING:`."""
    stack = list(tree.body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        elif isinstance(node, ast.If):
            test = ast.unparse(node.test)
            if "TYPE_CHECKING" not in test:
                stack.extend(node.body + node.orelse)
        elif isinstance(node, (ast.Try, ast.With)):
            stack.extend(node.body)
            stack.extend(getattr(node, "orelse", []) + getattr(node, "finalbody", []))
            for handler in getattr(node, "handlers", []):
                stack.extend(handler.body)


def library_import_graph() -> dict[str, set[str]]:
    """textlatent module -> the textlatent modules it imports at module level."""
    paths = {_module_name(p): p for p in (ROOT / "textlatent").rglob("*.py")
             if "__pycache__" not in p.parts}
    graph: dict[str, set[str]] = {}
    for name, path in paths.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        edges = set()
        for node in _top_level_imports(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")
                    anchor = anchor[:len(anchor) - node.level + 1]
                    base = ".".join(anchor + ([base] if base else []))
                # `from x import y` imports module x.y when there is one, else x
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in paths else base
                           for a in node.names]
            edges |= {t for t in targets if t in paths and t != name}
        graph[name] = edges
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle (as a list of modules, first = last), or None."""
    state: dict[str, int] = {}
    trail: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        trail.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return trail[trail.index(nxt):] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        trail.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (found := visit(start)):
            return found
    return None


def test_library_modules_import_each_other_without_a_cycle():
    graph = library_import_graph()
    assert {"textlatent.cli", "textlatent.cli.common", "textlatent.decode_spec"} <= set(graph)
    assert "textlatent.cli.common" in graph["textlatent.cli.codec"]  # the walk sees imports
    assert find_cycle(graph) is None, " -> ".join(find_cycle(graph))


def test_the_cycle_check_finds_a_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None
