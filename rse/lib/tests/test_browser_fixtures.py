"""Every browser test gets Chromium from rse/lib/testing/browser.py, which fails on CI when it is
missing: none may skip there on its own and pass CI without having run."""

from pathlib import Path

import pytest

from rse.lib.testing import browser

ROOT = Path(__file__).resolve().parents[3]


def test_missing_chromium_fails_on_ci_and_skips_locally(monkeypatch, tmp_path):
    monkeypatch.setenv("RSE_CHROMIUM", str(tmp_path / "no-chromium"))
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="make browser-deps"):
        browser.require_chromium()
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception, match="make browser-deps"):
        browser.require_chromium()


def test_only_the_shared_module_launches_chromium():
    shared = ROOT / "rse" / "lib" / "testing" / "browser.py"
    offenders = []
    for path in ROOT.rglob("*.py"):
        if any(part in {".venv", "var", "staticfiles", "node_modules"} for part in path.relative_to(ROOT).parts):
            continue
        if path == shared or path == Path(__file__).resolve():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        if "chromium.launch(" in text or "sync_playwright()" in text:
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == [], "launch Chromium through rse.lib.testing.browser (launched_chromium / fixtures)"
