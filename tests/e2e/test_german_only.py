"""Journey: a German browser sees no English word of the shipped data on the main pages.

Each role logs in with the browser's locale de-DE and visits the pages of their day: inbox,
customer page, log purchase, complaint form, dissonance dashboard, playbooks, scorecards; the
quality manager also a mystery-shop scorecard and an accepted result, an audit template and a
carried-out audit (tests/e2e/language_run.py; test_english_only.py is the same run in English).
"""

import pytest
from playwright.sync_api import Page

from tests.e2e.helpers import E2E
from tests.e2e.language_run import ROLES, pages_showing, seed_demo_team, shipped_words

pytestmark = [*E2E, pytest.mark.browser_context_args(locale="de-DE")]


@pytest.fixture
def demo(settings, monkeypatch):
    seed_demo_team(settings, monkeypatch, "de")


@pytest.mark.parametrize("username", ROLES)
def test_the_main_pages_show_no_shipped_english(page: Page, demo, username):
    english = shipped_words(shown="de", other="en")
    assert {
        "New cars",
        "All-weather floor mats",
        "Thank-you call",
        "Wind noise",
        "Greeted within two minutes",
        "Prices as agreed in the order",
    } <= english

    found = pages_showing(page, username, language="de", words=english)

    assert not found, f"English shipped data on German pages: {found}"
