"""A page URL opened first on a fresh server (issue 21): Streamlit would serve it in its legacy ``pages/`` mode
(the page alone, every file of pages/ listed); the page declares the app's navigation (the documented switch,
pages.common.use_app_navigation) so app.py runs around it, at the URL asked for."""

from __future__ import annotations

import pytest

from tests.browser.conftest import serve
from tests.browser.waits import goto

pytestmark = pytest.mark.browser


@pytest.fixture
def fresh_server(tmp_path):
    """A server of this test's own: no session has called st.navigation in it yet."""
    with serve(str(tmp_path / "scenarios.sqlite")) as url:
        yield url


def test_a_page_url_opened_first_on_a_fresh_server_runs_inside_the_app(fresh_server, page):
    goto(page, fresh_server + "/report?council=coventry", ready="Report")
    page.shot("report")
    assert page.url.split("?")[0].endswith("/report")  # the page asked for, not the default page
    nav = page.locator('[data-testid="stSidebarNav"]')
    assert nav.get_by_role("link", name="Zone map").count() == 1  # app.py's navigation ...
    for module in ("common", "state", "access", "resources"):  # ... not the legacy listing of every file
        assert nav.get_by_role("link", name=module).count() == 0
    assert page.get_by_label("Council").count() == 1  # app.py's council selector ran
    assert page.get_by_role("heading", name="Report").count() >= 1
