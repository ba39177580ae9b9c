"""Public holidays from the `holidays` package: the branch's holiday region, the import (a sync
of imported rows that never touches manual ones) and the working days that honour them, for
follow-ups and complaint deadlines alike."""

import importlib
from datetime import date, datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps as django_apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.urls import reverse

from aftersales.celery import app as celery_app
from aftersales.forms import BranchForm
from aftersales.holiday_regions import canonical_region
from followups import services, tasks
from followups.calendar import WorkingCalendar, holidays_for
from followups.models import FollowUp, PublicHoliday
from followups.public_holidays import fill_public_holidays, regions_in_use, years_to_keep
from quality.models import Severity
from tests.aftersales.factories import BranchFactory, UserFactory
from tests.customers.factories import CustomerFactory, PurchaseFactory
from tests.followups.factories import PlaybookStepFactory
from tests.quality.factories import ComplaintCategoryFactory, ComplaintFactory

IMPORTED, MANUAL = PublicHoliday.Source.IMPORTED, PublicHoliday.Source.MANUAL
BERLIN = ZoneInfo("Europe/Berlin")

GOOD_FRIDAY = date(2027, 3, 26)
EASTER_MONDAY = date(2027, 3, 29)
WHIT_MONDAY = date(2027, 5, 17)
CORPUS_CHRISTI = date(2027, 5, 27)  # a Thursday; a holiday in Bavaria, not in Hamburg


@pytest.fixture
def munich(db):
    return BranchFactory(name="München", code="MUC-T", holiday_region="DE-BY")


@pytest.fixture
def hamburg(db):
    return BranchFactory(name="Hamburg", code="HAM-T", city="Hamburg", holiday_region="DE-HH")


def imported(**filters):
    return PublicHoliday.objects.filter(source=IMPORTED, **filters)


# --- the holiday region ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("DE-BY", "DE-BY"), ("de-by", "DE-BY"), (" AT-9 ", "AT-9"), ("AT-Wien", "AT-9"), ("de", "DE")],
)
def test_a_region_is_stored_as_the_package_spells_it(typed, stored):
    assert canonical_region(typed) == stored


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("XX-BY", "“XX” is not a country with known public holidays"),
        ("DE-ZZ", "“ZZ” is not a subdivision of DE; known: "),
    ],
)
def test_an_unknown_region_is_refused_with_what_is_unknown(code, message):
    with pytest.raises(ValidationError, match=message):
        canonical_region(code)


def branch_form(**changes):
    data = {
        "name": "Autohaus Test",
        "code": "TST",
        "country": "DE",
        "time_zone": "Europe/Berlin",
        "holiday_region": "DE-BY",
        "is_active": "on",
    }
    return BranchForm(data={**data, **changes})


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("region", "error"),
    [
        ("DE-ZZ", "“ZZ” is not a subdivision of DE; known: BB, BE, BW, BY,"),
        ("XX", "“XX” is not a country with known public holidays"),
        ("AT-9", "The holiday region must lie in the branch's country (DE)."),
    ],
)
def test_the_branch_form_shows_a_wrong_region_on_its_field(region, error):
    form = branch_form(holiday_region=region)
    assert not form.is_valid()
    assert set(form.errors) == {"holiday_region"}
    assert error in form.errors["holiday_region"][0]


@pytest.mark.django_db
def test_the_branch_form_accepts_an_empty_region():
    form = branch_form(holiday_region="")
    assert form.is_valid(), form.errors


def test_administrators_set_the_region_on_the_branch_page(login, admin_user, north):
    data = {
        "name": north.name,
        "code": north.code,
        "country": "DE",
        "time_zone": north.time_zone,
        "holiday_region": "de-bayern",
        "is_active": "on",
    }
    response = login(admin_user).post(reverse("branch-update", args=[north.pk]), data)
    assert response.status_code == 302, response.context["form"].errors
    north.refresh_from_db()
    assert north.holiday_region == "DE-BY"
    assert north.holiday_subdivision == "BY"


def test_the_branch_admin_edits_the_region_and_refuses_an_unknown_one(admin_client, north):
    url = reverse("admin:aftersales_branch_change", args=[north.pk])
    assert 'name="holiday_region"' in admin_client.get(url).content.decode()
    data = {
        "name": north.name,
        "code": north.code,
        "country": "DE",
        "time_zone": north.time_zone,
        "holiday_region": "DE-XY",
        "is_active": "on",
    }
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "“XY” is not a subdivision of DE" in str(response.context["adminform"].form.errors)
    north.refresh_from_db()
    assert north.holiday_region == ""


# --- the import -------------------------------------------------------------------------------


def test_the_import_brings_the_moveable_feasts_of_the_region(munich, hamburg):
    fill_public_holidays(years=[2027])
    bavaria = dict(imported(country="DE", subdivision="BY").values_list("date", "name"))
    assert bavaria[GOOD_FRIDAY] == "Karfreitag"
    assert bavaria[EASTER_MONDAY] == "Ostermontag"
    assert bavaria[WHIT_MONDAY] == "Pfingstmontag"
    assert bavaria[CORPUS_CHRISTI] == "Fronleichnam"
    hamburg_days = set(imported(country="DE", subdivision="HH").values_list("date", flat=True))
    assert EASTER_MONDAY in hamburg_days
    assert CORPUS_CHRISTI not in hamburg_days
    # No branch without a subdivision, so no nationwide list.
    assert not imported(subdivision="").exists()


def test_the_import_takes_the_regions_of_the_branches(north, munich):
    BranchFactory(code="NYC-T", country="US", time_zone="America/New_York")
    BranchFactory(code="XX-T", country="XX")  # not a country the package knows: left out
    assert regions_in_use() == {("DE", ""), ("DE", "BY"), ("US", "")}


def test_importing_twice_adds_nothing_twice(munich, north):
    first = fill_public_holidays(years=[2026, 2027])
    rows = sorted(imported().values_list("country", "subdivision", "date", "name"))
    assert first == len(rows) > 20

    assert fill_public_holidays(years=[2026, 2027]) == 0
    assert sorted(imported().values_list("country", "subdivision", "date", "name")) == rows


def test_the_database_refuses_an_imported_day_twice(munich):
    fill_public_holidays(years=[2027])
    with pytest.raises(IntegrityError), transaction.atomic():
        PublicHoliday.objects.create(
            date=EASTER_MONDAY, name="again", country="DE", subdivision="BY", source=IMPORTED
        )


def test_a_refill_keeps_manual_holidays_and_corrects_imported_ones(munich):
    closing_day = PublicHoliday.objects.create(
        date=date(2027, 7, 1), name="Betriebsausflug", branch=munich
    )
    on_a_holiday = PublicHoliday.objects.create(
        date=EASTER_MONDAY, name="Ostermontag (von Hand)", country="DE"
    )
    renamed = PublicHoliday.objects.create(
        date=WHIT_MONDAY, name="Pfingsten", country="DE", subdivision="BY", source=IMPORTED
    )
    stale = PublicHoliday.objects.create(
        date=date(2027, 7, 2), name="Abgeschafft", country="DE", subdivision="BY", source=IMPORTED
    )

    fill_public_holidays(years=[2027])
    fill_public_holidays(years=[2027])

    manual = PublicHoliday.objects.filter(source=MANUAL)
    assert set(manual) == {closing_day, on_a_holiday}
    assert manual.get(pk=closing_day.pk).name == "Betriebsausflug"
    renamed.refresh_from_db()
    assert renamed.name == "Pfingstmontag"
    assert not PublicHoliday.objects.filter(pk=stale.pk).exists()
    assert imported(date=EASTER_MONDAY).count() == 1
    # The branch's own day and the imported ones both count.
    days = holidays_for(munich, date(2027, 1, 1), date(2027, 12, 31))
    assert {date(2027, 7, 1), EASTER_MONDAY, CORPUS_CHRISTI} <= days
    assert date(2027, 7, 2) not in days


def test_the_admin_adds_a_branchs_closing_day_but_leaves_imported_days_alone(admin_client, munich):
    response = admin_client.post(
        reverse("admin:followups_publicholiday_add"),
        {"date": "2027-07-01", "name": "Betriebsausflug", "branch": munich.pk, "country": ""},
    )
    assert response.status_code == 302
    closing_day = PublicHoliday.objects.get(name="Betriebsausflug")
    assert (closing_day.source, closing_day.branch) == (MANUAL, munich)

    fill_public_holidays(years=[2027])
    easter_monday = imported(date=EASTER_MONDAY).get()
    url = reverse("admin:followups_publicholiday_change", args=[easter_monday.pk])
    assert admin_client.post(url, {"date": "2027-03-30", "name": "Moved"}).status_code == 403
    easter_monday.refresh_from_db()
    assert (easter_monday.date, easter_monday.name) == (EASTER_MONDAY, "Ostermontag")
    assert PublicHoliday.objects.filter(pk=closing_day.pk).exists()


def test_the_import_keeps_this_and_next_year(munich):
    with time_machine.travel(datetime(2026, 12, 31, 12, tzinfo=BERLIN), tick=False):
        assert years_to_keep() == [2026, 2027]
        fill_public_holidays()
    years = set(imported().values_list("date__year", flat=True))
    assert years == {2026, 2027}


def test_the_beat_task_imports_next_years_holidays(munich):
    assert settings.CELERY_BEAT_SCHEDULE["public-holidays"]["task"] == (
        "followups.tasks.fill_public_holidays"
    )
    assert "followups.tasks.fill_public_holidays" in celery_app.tasks
    with time_machine.travel(datetime(2026, 6, 1, 12, tzinfo=BERLIN), tick=False):
        added = tasks.fill_public_holidays.apply().get()
    assert added == imported(date__year__in=[2026, 2027]).count() > 0
    assert imported(date=CORPUS_CHRISTI, subdivision="BY").exists()


def test_seed_playbooks_imports_the_holidays_instead_of_typing_them(munich):
    with time_machine.travel(datetime(2026, 6, 1, 12, tzinfo=BERLIN), tick=False):
        call_command("seed_playbooks", stdout=StringIO())
        counted = PublicHoliday.objects.count()
        call_command("seed_playbooks", stdout=StringIO())
    assert PublicHoliday.objects.count() == counted
    assert not PublicHoliday.objects.filter(source=MANUAL).exists()
    assert set(imported(name="Fronleichnam").values_list("date__year", flat=True)) == {
        2025,
        2026,
        2027,
        2028,
    }


# --- the migrations' data steps ---------------------------------------------------------------


def test_the_migration_gives_the_demo_branches_their_regions(db):
    munich = BranchFactory(code="MUC", country="DE", city="München")
    vienna = BranchFactory(code="VIE", country="AT", city="Wien", time_zone="Europe/Vienna")
    elsewhere = BranchFactory(code="MUC2", country="DE", city="München")
    chosen = BranchFactory(code="VIE2", country="AT", city="Wien", holiday_region="AT-3")
    migration = importlib.import_module("aftersales.migrations.0006_branch_holiday_region")
    migration.DEMO_REGIONS.append(("VIE2", "AT", "Wien", "AT-9"))
    try:
        migration.set_demo_regions(django_apps, None)
    finally:
        migration.DEMO_REGIONS.pop()
    for branch in (munich, vienna, elsewhere, chosen):
        branch.refresh_from_db()
    assert [b.holiday_region for b in (munich, vienna, elsewhere, chosen)] == [
        "DE-BY",
        "AT-9",
        "",
        "AT-3",  # a region already chosen stays
    ]


def test_the_migration_keeps_every_row_and_marks_only_the_old_seed_imported(north):
    migration = importlib.import_module("followups.migrations.0004_public_holiday_source")
    seeded = PublicHoliday.objects.create(
        date=date(2026, 12, 25), name="1. Weihnachtstag", country="DE"
    )
    twice = PublicHoliday.objects.create(
        date=date(2026, 12, 25), name="1. Weihnachtstag", country="DE"
    )
    typed = PublicHoliday.objects.create(date=date(2026, 6, 4), name="Fronleichnam", country="DE")
    own = PublicHoliday.objects.create(date=date(2026, 1, 1), name="Neujahr", branch=north)
    migration.mark_seeded_rows_imported(django_apps, None)
    sources = dict(PublicHoliday.objects.values_list("pk", "source"))
    assert sources == {seeded.pk: IMPORTED, twice.pk: MANUAL, typed.pk: MANUAL, own.pk: MANUAL}


# --- working days -----------------------------------------------------------------------------


def plan(branch, due_on, offset=7):
    """A purchase whose playbook's only step falls on `due_on`; returns the follow-up."""
    step = PlaybookStepFactory(offset_days=offset)
    purchase = PurchaseFactory(
        customer=CustomerFactory(branch=branch),
        main_category=step.playbook.category,
        handover_date=due_on - timedelta(days=offset),
    )
    with time_machine.travel(datetime(2027, 3, 1, 12, tzinfo=BERLIN), tick=False):
        services.plan_followups(purchase=purchase)
    return FollowUp.objects.get(purchase=purchase)


@pytest.mark.parametrize(
    ("holiday", "next_working_day"),
    [
        (GOOD_FRIDAY, date(2027, 3, 27)),  # Saturday is a working day by default
        (EASTER_MONDAY, date(2027, 3, 30)),
        (WHIT_MONDAY, date(2027, 5, 18)),
        (CORPUS_CHRISTI, date(2027, 5, 28)),
    ],
)
def test_a_followup_due_on_a_holiday_moves_to_the_next_working_day(
    munich, holiday, next_working_day
):
    fill_public_holidays(years=[2027])
    followup = plan(munich, holiday)
    assert followup.planned_date == holiday
    assert followup.due_date == next_working_day


def test_without_the_import_the_moveable_feasts_were_working_days(munich):
    assert plan(munich, EASTER_MONDAY).due_date == EASTER_MONDAY


def test_corpus_christi_counts_in_bavaria_but_not_in_hamburg(munich, hamburg):
    fill_public_holidays(years=[2027])
    assert plan(munich, CORPUS_CHRISTI).due_date == date(2027, 5, 28)
    assert plan(hamburg, CORPUS_CHRISTI).due_date == CORPUS_CHRISTI
    # Easter Monday is a holiday in both.
    assert plan(hamburg, EASTER_MONDAY).due_date == date(2027, 3, 30)


def test_a_branch_without_a_subdivision_has_the_nationwide_holidays_only(north):
    fill_public_holidays(years=[2027])
    calendar = WorkingCalendar(north, date(2027, 1, 1), date(2027, 12, 31))
    assert not calendar.is_working_day(EASTER_MONDAY)
    assert calendar.is_working_day(CORPUS_CHRISTI)


def test_a_subdivision_without_a_nationwide_holiday_keeps_working_on_it(db):
    """Columbus Day is a US federal holiday, but not one in California: each region's imported
    list is the package's own, not the nationwide one plus extras."""
    new_york = BranchFactory(code="NYC-T", country="US", time_zone="America/New_York")
    california = BranchFactory(
        code="LAX-T", country="US", time_zone="America/Los_Angeles", holiday_region="US-CA"
    )
    fill_public_holidays(years=[2027])
    columbus_day = date(2027, 10, 11)
    assert columbus_day in holidays_for(new_york, columbus_day, columbus_day)
    assert columbus_day not in holidays_for(california, columbus_day, columbus_day)


def test_manual_holidays_of_the_country_and_the_subdivision_still_count(munich, hamburg):
    PublicHoliday.objects.create(date=date(2027, 7, 1), name="Landesweit", country="DE")
    PublicHoliday.objects.create(
        date=date(2027, 7, 2), name="Nur Hamburg", country="DE", subdivision="HH"
    )
    assert holidays_for(munich, date(2027, 7, 1), date(2027, 7, 2)) == {date(2027, 7, 1)}
    assert holidays_for(hamburg, date(2027, 7, 1), date(2027, 7, 2)) == {
        date(2027, 7, 1),
        date(2027, 7, 2),
    }


def test_a_manual_holiday_with_an_unknown_subdivision_is_refused(north):
    holiday = PublicHoliday(date=date(2027, 7, 1), name="Stadtfest", country="DE", subdivision="Q")
    with pytest.raises(ValidationError, match="“Q” is not a subdivision of DE"):
        holiday.full_clean()
    holiday.subdivision = "bayern"
    holiday.full_clean()
    assert (holiday.country, holiday.subdivision) == ("DE", "BY")


def test_a_complaint_deadline_skips_the_easter_holidays(munich):
    """Critical: resolved within 2 working days. Received on Maundy Thursday in Munich: Good
    Friday and Easter Monday are off, Saturday counts, so the deadline is Tuesday evening."""
    fill_public_holidays(years=[2027])
    staff = UserFactory(roles=["service"], branches=[munich])
    with time_machine.travel(datetime(2027, 3, 25, 10, tzinfo=BERLIN), tick=False):
        complaint = ComplaintFactory(
            customer=CustomerFactory(branch=munich),
            severity=Severity.CRITICAL,
            by=staff,
            category=ComplaintCategoryFactory(),
        )
    assert complaint.resolve_due_at == datetime(2027, 3, 30, 19, 0, tzinfo=BERLIN)


def test_a_complaint_deadline_skips_corpus_christi_in_bavaria_only(munich, hamburg):
    """Received on the Wednesday before Corpus Christi at 18:00: one working hour is left that
    day; with 4 hours to acknowledge, the rest falls on the next working day."""
    fill_public_holidays(years=[2027])
    acknowledged_by = {}
    for branch in (munich, hamburg):
        staff = UserFactory(roles=["service"], branches=[branch])
        with time_machine.travel(datetime(2027, 5, 26, 18, tzinfo=BERLIN), tick=False):
            complaint = ComplaintFactory(
                customer=CustomerFactory(branch=branch),
                severity=Severity.MEDIUM,
                by=staff,
                category=ComplaintCategoryFactory(),
            )
        acknowledged_by[branch.code] = complaint.acknowledge_due_at
    assert acknowledged_by == {
        "MUC-T": datetime(2027, 5, 28, 12, 0, tzinfo=BERLIN),
        "HAM-T": datetime(2027, 5, 27, 12, 0, tzinfo=BERLIN),
    }
