"""Journey: the administrator opens a branch and hires a salesperson for it, who can then work.

Branch and user are created through the forms only; the new salesperson logs in with the
password the administrator chose and finds the new branch (and only it) on the home page.
"""

from playwright.sync_api import Page, expect

from tests.e2e.helpers import (
    E2E,
    checkbox_group,
    field,
    log_in,
    log_out,
    main_navigation,
    open_menu,
    submit_login_form,
)

pytestmark = E2E

NEW_PASSWORD = "Sails-and-Anchors-42"


def test_admin_creates_a_branch_and_a_salesperson_who_can_log_in(page: Page, admin_user, north):
    log_in(page, admin_user)

    # A new branch, through /branches/new/.
    open_menu(page, "Set-up")
    main_navigation(page).get_by_role("link", name="Branches", exact=True).click()
    page.get_by_role("link", name="New branch", exact=True).click()
    expect(page).to_have_url("/branches/new/")
    form = page.get_by_role("main")
    field(form, "Name").fill("Harbour")
    field(form, "Code").fill("HARBOUR")
    field(form, "Street and number").fill("Kaiserkai 1")
    field(form, "Postcode").fill("20457")
    field(form, "City").fill("Hamburg")
    field(form, "Time zone").select_option("Europe/Berlin")
    expect(field(form, "Active")).to_be_checked()
    form.get_by_role("button", name="Save", exact=True).click()

    expect(page).to_have_url("/branches/")
    expect(page.get_by_role("status")).to_contain_text("Branch “Harbour” created.")
    harbour_link = page.get_by_role("link", name="Harbour", exact=True)
    harbour = page.get_by_role("row").filter(has=harbour_link)
    expect(harbour.get_by_role("cell")).to_have_text(
        ["Harbour", "HARBOUR", "20457 Hamburg", "Europe/Berlin", "0", "Active"]
    )

    # A salesperson in it, through /users/new/.
    open_menu(page, "Set-up")
    main_navigation(page).get_by_role("link", name="Users", exact=True).click()
    page.get_by_role("link", name="New user", exact=True).click()
    expect(page).to_have_url("/users/new/")
    form = page.get_by_role("main")
    field(form, "Username").fill("hanna")
    field(form, "First name").fill("Hanna")
    field(form, "Last name").fill("Hafen")
    field(form, "E-mail").fill("hanna@example.com")
    checkbox_group(form, "Roles").get_by_role("checkbox", name="Sales", exact=True).check()
    branches = checkbox_group(form, "Branches")
    branches.get_by_role("checkbox", name="Harbour", exact=True).check()
    expect(branches.get_by_role("checkbox", name="North", exact=True)).not_to_be_checked()
    field(form, "Initial password").fill(NEW_PASSWORD)
    field(form, "Repeat password").fill(NEW_PASSWORD)
    form.get_by_role("button", name="Save", exact=True).click()

    expect(page).to_have_url("/users/")
    expect(page.get_by_role("status")).to_contain_text("User “Hanna Hafen” created.")
    hanna_link = page.get_by_role("link", name="hanna", exact=True)
    hanna = page.get_by_role("row").filter(has=hanna_link)
    expect(hanna.get_by_role("cell")).to_have_text(
        ["hanna", "Hanna Hafen", "Sales", "HARBOUR", "—", "Active"]
    )

    # The salesperson logs in with the chosen password and works in Harbour only.
    log_out(page, admin_user)
    expect(page).to_have_url("/login/")
    submit_login_form(page, "hanna", NEW_PASSWORD)

    expect(page).to_have_url("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Hanna")
    expect(page.get_by_text("Your roles: Sales")).to_be_visible()
    your_branches = page.get_by_role("region", name="Your branches")
    expect(your_branches.get_by_role("listitem")).to_have_text(["Harbour HARBOUR · Hamburg"])
    expect(
        main_navigation(page).get_by_role("link", name="Users", exact=True, include_hidden=True)
    ).to_have_count(0)
