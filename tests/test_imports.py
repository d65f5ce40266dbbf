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
