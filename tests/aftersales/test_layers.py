"""The apps form layers (docs/architecture.md): aftersales < customers < followups < quality <
staff. Python imports are held by the import-linter contract in pyproject.toml (run by
`make test`); templates are held here: a lower app's templates neither link a higher app's URLs
nor include its templates. Higher apps put their links into the lower pages through the
navigation registry (aftersales.navigation)."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.utils import translation

from aftersales import navigation

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
LAYERS = ["aftersales", "customers", "followups", "quality", "staff"]
# Template folders that are not named after their app.
FOLDER_APP = {"partials": "aftersales", "registration": "aftersales", "surveys": "followups"}
URL_NAMESPACE = re.compile(r"""\{%\s*url\s+['"]([a-z_]+):""")
TEMPLATE_NAME = re.compile(r"""\{%\s*(?:include|extends)\s+['"]([a-z_]+)/""")


def app_of_template(path):
    relative = path.relative_to(TEMPLATES)
    if len(relative.parts) == 1:
        return "aftersales"  # base.html
    folder = relative.parts[0]
    return FOLDER_APP.get(folder, folder)


def layer(app):
    return LAYERS.index(app) if app in LAYERS else 0


def higher_references(text, own_layer):
    names = URL_NAMESPACE.findall(text) + [
        FOLDER_APP.get(folder, folder) for folder in TEMPLATE_NAME.findall(text)
    ]
    return sorted({name for name in names if layer(name) > own_layer})


def test_the_layer_check_sees_a_higher_link():
    text = "{% url 'staff:scorecards' %} {% include \"quality/partials/x.html\" %}"
    assert higher_references(text, layer("customers")) == ["quality", "staff"]
    assert higher_references("{% url 'customers:customer-list' %}", layer("followups")) == []


@pytest.mark.parametrize(
    "path", sorted(TEMPLATES.rglob("*.html")), ids=lambda path: str(path.relative_to(TEMPLATES))
)
def test_templates_link_only_their_own_and_lower_apps(path):
    own = app_of_template(path)
    assert higher_references(path.read_text(), layer(own)) == [], (
        f"{path.relative_to(TEMPLATES)} ({own}) refers to a higher app: register a link in "
        "that app's links.py instead (aftersales.navigation)."
    )


def test_every_registered_link_resolves_and_belongs_to_its_place():
    places = {link.place for link in navigation._links}
    assert {"main", "menu:staff", "menu:setup", "customer:actions"} <= places
    for link in navigation._links:
        assert navigation.Link(**vars(link)) == link


def labels(entries):
    # The labels are lazy translations: read them in English whatever an earlier test activated.
    with translation.override("en"):
        return [str(entry.label) for entry in entries]


def test_the_bar_shows_each_persona_what_it_may_use(owner, manager, shopper, admin_user):
    assert labels(navigation.links_for("main", owner)) == [
        "Log a purchase",
        "Follow-ups",
        "Offers",
        "Complaints",
        "Customers",
        "Purchases",
    ]
    assert "Team follow-ups" in labels(navigation.links_for("main", manager))
    assert labels(navigation.links_for("main", shopper)) == ["My assignments"]
    assert "Candidates" not in labels(navigation.links_for("menu:staff", owner))
    assert "Candidates" in labels(navigation.links_for("menu:staff", manager))
    assert "Users" in labels(navigation.links_for("menu:setup", admin_user))
    assert "Users" not in labels(navigation.links_for("menu:setup", manager))


def test_menus_draw_a_divider_between_groups(manager):
    entries = navigation.links_for("menu:staff", manager)
    dividers = labels(entry for entry in entries if entry.divider_before)
    assert dividers[0] == "Scorecards"
    assert not entries[0].divider_before


def test_the_import_contract_fails_on_an_import_of_a_higher_app(tmp_path):
    """`make test` runs lint-imports on the tree; here it is shown to break on a wrong import:
    a copy of the apps where the customers app imports the staff app."""
    root = TEMPLATES.parent
    for package in LAYERS:
        shutil.copytree(
            root / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copy(root / "pyproject.toml", tmp_path / "pyproject.toml")
    models = tmp_path / "customers" / "models.py"
    models.write_text(models.read_text() + "\nimport staff.models  # noqa\n")

    lint = [str(Path(sys.executable).with_name("lint-imports")), "--no-cache"]
    broken = subprocess.run(lint, cwd=tmp_path, capture_output=True, text=True, timeout=120)  # noqa: S603

    assert broken.returncode != 0
    assert "BROKEN" in broken.stdout
    assert "customers.models -> staff.models" in broken.stdout
