"""Journey: each role logs in through the form and sees exactly the pages it may use.

The main navigation is the product's map for a role: what is not listed there is not reachable
either (the mystery shopper typing /branches/ gets 403).
"""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.aftersales.factories import PASSWORD
from tests.e2e.helpers import (
    E2E,
    log_in,
    log_out,
    main_navigation,
    open_menu,
    open_user_menu,
    submit_login_form,
)

pytestmark = E2E

BRAND = "After-Sales CRM"
# Every page link the main navigation can show, in page order (templates/partials/nav_items.html,
# then the Notifications link of base.html), including those inside the "Staff" and "Set-up"
# menus. The user menu (profile, sign-in and security, password) follows them.
ALL_LINKS = [
    "Home",
    "My assignments",
    "Log a purchase",
    "Follow-ups",
    "Team follow-ups",
    "Offers",
    "Offer figures",
    "Complaints",
    "Dissonance",
    "Quality",
    "Customers",
    "Purchases",
    # the "Staff" menu
    "My scorecard",
    "Appointments",
    "My training",
    "Coaching",
    "My corrective actions",
    "Scorecards",
    "Training compliance",
    "Team",
    "Mystery-shop results",
    "Mystery-shop assignments",
    "Scorecard templates",
    "Candidates",
    # the "Set-up" menu
    "Branches",
    "Courses",
    "Playbooks",
    "Offer rules",
    "Catalogue",
    "Maintenance schedules",
    "Audit templates",
    "Users",
    "Locked accounts",
    "Administration",
    "API",
    "Notifications",
]
OWN_WORK = {
    "My scorecard",
    "Appointments",
    "My training",
    "Coaching",
    "My corrective actions",
    "Courses",
    "API",
}
# What each role's permissions (the data migrations) and role checks show.
EXPECTED_LINKS = {
    "admin": set(ALL_LINKS) - {"My assignments"},
    "manager": {
        "Home",
        "Log a purchase",
        "Follow-ups",
        "Team follow-ups",
        "Offers",
        "Offer figures",
        "Complaints",
        "Dissonance",
        "Quality",
        "Customers",
        "Purchases",
        *OWN_WORK,
        "Scorecards",
        "Training compliance",
        "Team",
        "Mystery-shop results",
        "Mystery-shop assignments",
        "Candidates",
        "Branches",
        "Notifications",
    },
    "sales": {
        "Home",
        "Log a purchase",
        "Follow-ups",
        "Offers",
        "Complaints",
        "Customers",
        "Purchases",
        *OWN_WORK,
        "Branches",
        "Notifications",
    },
    "service": {
        "Home",
        "Follow-ups",
        "Offers",
        "Complaints",
        "Customers",
        "Purchases",
        *OWN_WORK,
        "Branches",
        "Notifications",
    },
    "quality": {
        "Home",
        "Follow-ups",
        "Complaints",
        "Dissonance",
        "Quality",
        "Customers",
        "Purchases",
        *OWN_WORK,
        "Scorecards",
        "Training compliance",
        "Mystery-shop results",
        "Mystery-shop assignments",
        "Scorecard templates",
        "Branches",
        "Audit templates",
        "Notifications",
    },
    "mystery_shopper": {"Home", "My assignments", "Notifications"},
}
# The dropdown menus each role has.
MENUS = {
    "admin": ["Staff", "Set-up"],
    "manager": ["Staff", "Set-up"],
    "sales": ["Staff", "Set-up"],
    "service": ["Staff", "Set-up"],
    "quality": ["Staff", "Set-up"],
    "mystery_shopper": [],
}
FIRST_IN_MENU = {"Staff": "My scorecard", "Set-up": "Branches"}
PERSONAS = {
    "admin": "admin_user",
    "manager": "manager",
    "sales": "owner",
    "service": "service_user",
    "quality": "quality_manager",
    "mystery_shopper": "shopper",
}


@pytest.mark.parametrize("role", list(PERSONAS))
def test_main_navigation_shows_exactly_the_links_of_the_role(page: Page, request, role):
    user = request.getfixturevalue(PERSONAS[role])
    expected = [link for link in ALL_LINKS if link in EXPECTED_LINKS[role]]

    log_in(page, user)

    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Welcome, {user.first_name or user.username}"
    )
    navigation = main_navigation(page)
    # Every link, those in closed menus too, in page order: nothing missing, nothing extra.
    expect(navigation.get_by_role("link", include_hidden=True)).to_have_text(
        [BRAND, *expected, "My profile", "Sign-in and security", "Change password"]
    )
    for absent in sorted(set(ALL_LINKS) - set(expected)):
        expect(
            navigation.get_by_role("link", name=absent, exact=True, include_hidden=True)
        ).to_have_count(0)
    toggles = navigation.get_by_role("button").filter(has_not_text=str(user))
    expect(toggles).to_have_text(MENUS[role])
    # Each menu opens and shows its first link.
    for menu in MENUS[role]:
        open_menu(page, menu)
        expect(navigation.get_by_role("link", name=FIRST_IN_MENU[menu], exact=True)).to_be_visible()
        page.keyboard.press("Escape")
    expect(navigation.get_by_role("link", name="Home", exact=True)).to_have_class(
        re.compile(r"\bactive\b")
    )

    open_user_menu(page, user)
    expect(navigation.get_by_role("link", name="Change password", exact=True)).to_be_visible()
    expect(navigation.get_by_role("button", name="Log out", exact=True)).to_be_visible()


def test_mystery_shopper_typing_the_branches_address_is_forbidden(page: Page, shopper):
    log_in(page, shopper)

    response = page.goto("/branches/")

    assert response is not None
    assert response.status == 403
    expect(page.get_by_role("heading", name="Branches")).to_have_count(0)
    expect(page.get_by_role("table")).to_have_count(0)


def test_logging_out_returns_to_the_login_page(page: Page, owner):
    log_in(page, owner)

    log_out(page, owner)

    expect(page).to_have_url("/login/")
    expect(page.get_by_role("heading", name="Log in", exact=True)).to_be_visible()
    expect(main_navigation(page).get_by_role("link", name="Home", exact=True)).to_have_count(0)
    # The session is gone: the home page sends the visitor back to the login form.
    page.goto("/")
    expect(page).to_have_url("/login/?next=/")


def test_wrong_password_shows_an_error_and_stays_on_the_login_page(page: Page, owner):
    page.goto("/login/")

    submit_login_form(page, owner.username, PASSWORD + "-wrong")

    expect(page.get_by_role("alert")).to_contain_text(
        "Please enter a correct username and password."
    )
    expect(page).to_have_url("/login/")
    expect(page.get_by_role("heading", name="Log in", exact=True)).to_be_visible()
    expect(page.get_by_label("Username")).to_have_value(owner.username)
    expect(page.get_by_label("Password")).to_have_value("")
    expect(main_navigation(page).get_by_role("link", name="Home", exact=True)).to_have_count(0)
