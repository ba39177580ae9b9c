"""Journey: an English browser sees no German word of the shipped data on the main pages: the
German-only run (test_german_only.py) in English, with the demo team reading English
(tests/e2e/language_run.py)."""

import pytest
from playwright.sync_api import Page

from tests.e2e.helpers import E2E
from tests.e2e.language_run import ROLES, pages_showing, seed_demo_team, shipped_words

pytestmark = [*E2E, pytest.mark.browser_context_args(locale="en-GB")]


@pytest.fixture
def demo(settings, monkeypatch):
    seed_demo_team(settings, monkeypatch, "en")


@pytest.mark.parametrize("username", ROLES)
def test_the_main_pages_show_no_shipped_german(page: Page, demo, username):
    german = shipped_words(shown="en", other="de")
    assert {
        "Neuwagen",
        "Allwetter-Fußmatten",
        "Dankesanruf",
        "Windgeräusch",
        "Begrüßung innerhalb von zwei Minuten",
        "Preise wie im Auftrag vereinbart",
    } <= german

    found = pages_showing(page, username, language="en", words=german)

    assert not found, f"German shipped data on English pages: {found}"
