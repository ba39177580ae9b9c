"""Steps the browser journeys share: logging in through the real form, the main navigation.

Pages are addressed relative to pytest-django's ``live_server`` (the ``base_url`` fixture of
conftest.py), so ``page.goto("/login/")`` and ``expect(page).to_have_url("/")`` work.

Every e2e module sets ``pytestmark = E2E`` so that its tests
- carry the ``e2e`` marker,
- need Chromium (``chromium_available``: fail in CI, skip elsewhere when it is missing), and
- run in a transactional database (live_server needs one; the server threads must see the
  test's data), which Django serializes after migrating (``serialized_rollback``) so that
  conftest.py can load the migrated role groups and permissions back before each journey.
"""

import contextlib
import json
import re

import pytest
from django.conf import settings
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Locator, Page, expect

from tests.aftersales.factories import PASSWORD

E2E = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("chromium_available"),
]


def _label(text):
    # crispy-forms marks required fields with "*"; a label's text keeps the template's whitespace.
    return re.compile(rf"^\s*{re.escape(text)}\s*\*?\s*$")


def field(scope: Page | Locator, label) -> Locator:
    """The form control labelled exactly ``label`` (required or not)."""
    return scope.get_by_label(_label(label))


def checkbox_group(scope: Page | Locator, legend) -> Locator:
    """The fieldset of checkboxes with exactly this legend (required or not)."""
    return scope.get_by_role("group", name=_label(legend))


def main_navigation(page: Page, name="Main navigation") -> Locator:
    return page.get_by_role("navigation", name=name, exact=True)


def submit_login_form(page: Page, username, password):
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in", exact=True).click()


def log_in(page: Page, user, password=PASSWORD):
    """Log in through the login form and wait for the home page."""
    page.goto("/login/")
    submit_login_form(page, user.username, password)
    expect(page).to_have_url("/")


def open_menu(page: Page, name, navigation_name="Main navigation"):
    """Open one of the navigation bar's dropdown menus ("Staff", "Set-up", the user's name)."""
    # The dropdown needs Bootstrap's deferred script, which has run once the page has loaded.
    page.wait_for_load_state("load")
    toggle = main_navigation(page, navigation_name).get_by_role("button", name=name, exact=True)
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")


def open_user_menu(page: Page, user, navigation_name="Main navigation"):
    """Open the dropdown under the user's name in the navigation bar."""
    open_menu(page, str(user), navigation_name)


def log_out(page: Page, user):
    open_user_menu(page, user)
    page.get_by_role("button", name="Log out", exact=True).click()


# axe-core from package.json (npm ci). Init scripts are not subject to the pages' Content
# Security Policy, so they need no exception there.
AXE_SCRIPT = settings.BASE_DIR / "node_modules" / "axe-core" / "axe.min.js"
# WCAG 2.2 level AA, the bar the product promises.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
# Runs in the page: axe once the page has loaded, one run at a time (axe refuses a second while
# one runs), the serious and critical violations reported to Python through reportAxe.
AXE_RUNNER = """
window.runAxe = () => {
  const run = async () => {
    const results = await axe.run(document, {
      runOnly: {type: "tag", values: TAGS}, resultTypes: ["violations"],
    });
    const found = results.violations
      .filter((violation) => ["serious", "critical"].includes(violation.impact))
      .map((violation) => `${violation.impact} ${violation.id} (${violation.help}): ` +
        violation.nodes.slice(0, 3).map((node) => node.target.join(" ")).join(", "));
    await window.reportAxe(location.href, found);
    return found;
  };
  window.axeRuns = (window.axeRuns || Promise.resolve()).then(run, run);
  return window.axeRuns;
};
if (window === window.top) {
  window.addEventListener("load", () => { window.runAxe(); });
}
""".replace("TAGS", json.dumps(AXE_TAGS))


class AccessibilityWatch:
    """Runs axe-core on every page a browser page loads (each journey, as each role) and keeps
    the serious and critical violations, which the ``page`` fixture fails the journey on.

    axe runs inside the page after its load event, beside the journey: a page the journey
    leaves before the check has finished goes unchecked (its successor is checked), so a journey
    that must have a page checked waits for it (``wait``)."""

    def __init__(self, page: Page):
        self.checked = 0
        self.violations: list[str] = []
        page.expose_function("reportAxe", self._report)
        page.add_init_script(path=AXE_SCRIPT)
        page.add_init_script(script=AXE_RUNNER)

    def _report(self, url, found):
        self.checked += 1
        self.violations.extend(f"{url}: {violation}" for violation in found)

    def wait(self, page: Page):
        """Until the check of the page as loaded has finished."""
        page.wait_for_load_state("load")
        page.evaluate("() => window.axeRuns")

    def check(self, page: Page):
        """Check the page as it is now (after changes made since it loaded)."""
        page.evaluate("() => window.runAxe()")

    def assert_clean(self, page: Page):
        """Wait for the check of the page the journey ended on, then fail on what was found."""
        if not page.is_closed():
            with contextlib.suppress(PlaywrightError):  # a page that never loaded
                self.wait(page)
        assert not self.violations, "axe-core found serious or critical violations:\n" + "\n".join(
            self.violations
        )
