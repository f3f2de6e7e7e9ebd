"""The architecture contracts (.importlinter) hold, and a new import that breaks one fails with a message that
names it."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(tree: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(LINT_IMPORTS), "--no-cache", "--no-logo"], cwd=tree, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(tree)}, timeout=120)


BREAKS = [  # (module, a new import in it, the contract it breaks, how the failure names it)
    ("budget/services.py", "from ..spending.models import SpendingEntry",
     "budget is the base layer: it imports no other area BROKEN",
     "pbportal.budget.services -> pbportal.spending.models"),
    ("reviews/services.py", "from ..spending.views import bp",
     "No area imports another area's views BROKEN", "pbportal.reviews.services -> pbportal.spending.views"),
    ("money.py", "from .budget.models import Budget",
     "The core modules import no area BROKEN", "pbportal.money -> pbportal.budget.models"),
    ("spending/services.py", "from ..employment.models import PersonalAssistant",
     "Layers: each layer imports only the layers below it BROKEN",
     "pbportal.spending.services -> pbportal.employment.models"),
]


def test_the_contracts_hold():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 4 kept, 0 broken." in result.stdout


def test_an_import_that_breaks_a_contract_fails_the_run_and_is_named(tmp_path):
    shutil.copytree(ROOT / "pbportal", tmp_path / "pbportal", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / ".importlinter", tmp_path / ".importlinter")
    for module, line, _contract, _named in BREAKS:
        path = tmp_path / "pbportal" / module
        path.write_text(path.read_text() + f"\n{line}  # noqa\n")
    result = lint_imports(tmp_path)
    assert result.returncode == 1
    assert "Contracts: 0 kept, 4 broken." in result.stdout
    for _module, _line, contract, named in BREAKS:
        assert contract in result.stdout
        assert named in result.stdout
