"""Under CI=true a skipped test fails the run (issue 11 §7): checked with pytest's own pytester on a tiny
test file that skips, once with CI=true and once without."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]

SKIPPING = """
import pytest

def test_needs_something():
    pytest.skip("poppler-utils not installed")
"""


@pytest.mark.parametrize("ci, failed, skipped", [("true", 1, 0), ("", 0, 1)])
def test_skip_is_failure_only_under_ci(pytester, monkeypatch, ci, failed, skipped):
    monkeypatch.setenv("CI", ci)
    import tests.conftest as shared

    conftest = shared.__file__
    src = open(conftest, encoding="utf-8").read()
    hook = src[src.index("@pytest.hookimpl(hookwrapper=True)") :]
    pytester.makeconftest("import pytest\n\n" + hook)
    pytester.makepyfile(test_skips=SKIPPING)
    result = pytester.runpytest_inprocess("-p", "no:xdist", "-p", "no:cacheprovider")
    result.assert_outcomes(failed=failed, skipped=skipped)
    if failed:
        result.stdout.fnmatch_lines(["*CI=true: skipped tests count as failures*poppler-utils not installed*"])
