"""Journey: every role walks every page its navigation offers, and axe-core checks each one.

The ``page`` fixture (conftest.py) runs axe on every page any journey loads and fails the journey
on a serious or critical violation; this journey makes sure each role's pages are among them,
and that the check itself can fail.
"""

import pytest
from playwright.sync_api import Page

from tests.e2e.helpers import E2E, AccessibilityWatch, log_in, main_navigation

pytestmark = E2E

PERSONAS = ["admin_user", "manager", "owner", "service_user", "quality_manager", "shopper"]
# Third-party pages with their own markup: Django's admin and the API's browsable pages.
NOT_OURS = ("/admin/", "/api/")


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_page_in_the_navigation_passes_axe(page: Page, accessibility, request, persona):
    log_in(page, request.getfixturevalue(persona))
    links = main_navigation(page).get_by_role("link", include_hidden=True)
    targets = dict.fromkeys(
        href
        for href in links.evaluate_all("(links) => links.map((link) => link.pathname)")
        if not href.startswith(NOT_OURS)
    )
    for target in [*targets, "/no-such-page/"]:
        page.goto(target)
        accessibility.wait(page)
    # The login page, the home page (perhaps left before its check ended), each target, the 404.
    assert accessibility.checked >= len(targets) + 2


def test_the_check_finds_a_violation(page: Page, owner):
    log_in(page, owner)
    # A second tab of the same session with a watch of its own, apart from the fixture's.
    tab = page.context.new_page()
    watch = AccessibilityWatch(tab)
    tab.goto("/")
    watch.wait(tab)
    assert watch.checked == 1
    assert watch.violations == []
    tab.evaluate(
        """() => { const low = document.createElement("p");
        low.textContent = "hard to read"; low.style.color = "#bbb";
        document.getElementById("content").append(low); }"""
    )
    # A reload would lose the planted paragraph: check the page as it is now.
    watch.check(tab)
    assert any("color-contrast" in violation for violation in watch.violations)
