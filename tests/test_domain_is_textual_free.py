"""Domain, storage and sync code never imports Textual (checked in a fresh interpreter)."""

import pkgutil
import subprocess
import sys

import clerk

UI_MODULES = {
    "clerk.__main__",
    "clerk.screens.app",
    "clerk.screens",
    "clerk.screens.widgets",
    "clerk.cli._run",
}


def domain_modules() -> list[str]:
    names = []
    for info in pkgutil.walk_packages(clerk.__path__, prefix="clerk."):
        if any(info.name == ui or info.name.startswith(ui + ".") for ui in UI_MODULES):
            continue
        names.append(info.name)
    return names


def test_there_are_domain_modules_to_check():
    assert "clerk.domain.catalog" in domain_modules()
    assert "clerk.domain.model" in domain_modules()


def test_domain_modules_do_not_import_textual():
    code = (
        "import importlib, sys\n"
        f"for name in {domain_modules()!r}:\n"
        "    importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
