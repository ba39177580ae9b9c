"""Public holidays from the `holidays` package: the service that keeps `PublicHoliday` filled.

Each branch's holiday region (`Branch.holiday_region`, e.g. DE-BY; empty: its country's
nationwide holidays) gets the package's complete list per year, as imported rows of that
country and subdivision. Filling is a sync of the imported rows only: missing days are added (a
unique constraint and ON CONFLICT DO NOTHING keep two runs from adding a day twice), renamed
ones renamed and days the package no longer lists removed. Manual rows (a branch's own closing
days, or a holiday typed in for a country) are never touched. The Celery beat task runs it every
hour, so next year's holidays are always there and a branch given a new region has them within
the hour; `seed_playbooks` runs it for the demo data.
"""

import logging

from django.db import transaction
from django.utils import timezone

from aftersales.holiday_regions import supported_regions
from aftersales.models import Branch
from followups.models import PublicHoliday

logger = logging.getLogger(__name__)

IMPORTED = PublicHoliday.Source.IMPORTED
NAME_LENGTH = PublicHoliday._meta.get_field("name").max_length


def years_to_keep(today=None):
    """The current and the next year: what the working-day arithmetic looks ahead to."""
    year = (today or timezone.localdate()).year
    return [year, year + 1]


def regions_in_use():
    """The (country, subdivision) of every branch the package knows, subdivision "" for a
    branch without one."""
    known = supported_regions()
    regions = set()
    for country, region in Branch.objects.values_list("country", "holiday_region").distinct():
        country = country.upper()
        subdivision = region.partition("-")[2]
        if country in known and (not subdivision or subdivision in known[country]):
            regions.add((country, subdivision))
    return regions


def library_holidays(country, subdivision, years):
    """{date: name} of the package's public holidays of the region, named in the country's own
    language (Fronleichnam, not Corpus Christi)."""
    import holidays

    language = holidays.country_holidays(country).default_language
    found = holidays.country_holidays(
        country, subdiv=subdivision or None, years=years, language=language
    )
    return {day: name[:NAME_LENGTH] for day, name in found.items()}


@transaction.atomic
def fill_public_holidays(*, years=None, regions=None):
    """Sync the imported holidays of the regions (default: those of the branches) for the years
    (default: current and next). Returns how many days were added."""
    years = sorted(set(years or years_to_keep()))
    regions = sorted(regions_in_use() if regions is None else regions)
    added = renamed = removed = 0
    for country, subdivision in regions:
        wanted = library_holidays(country, subdivision, years)
        stored = {
            row.date: row
            for row in PublicHoliday.objects.filter(
                source=IMPORTED,
                country=country,
                subdivision=subdivision,
                date__year__in=years,
            )
        }
        new = [
            PublicHoliday(
                date=day, name=name, country=country, subdivision=subdivision, source=IMPORTED
            )
            for day, name in wanted.items()
            if day not in stored
        ]
        # A run at the same time may have added some of them: those are skipped, not doubled.
        PublicHoliday.objects.bulk_create(new, ignore_conflicts=True)
        changed = []
        for day, row in stored.items():
            if day in wanted and row.name != wanted[day]:
                row.name = wanted[day]
                changed.append(row)
        PublicHoliday.objects.bulk_update(changed, ["name"])
        gone = [row.pk for day, row in stored.items() if day not in wanted]
        PublicHoliday.objects.filter(pk__in=gone).delete()
        added, renamed, removed = added + len(new), renamed + len(changed), removed + len(gone)
    if added or renamed or removed:
        logger.info(
            "Public holidays for %s in %s: %d added, %d renamed, %d removed.",
            ", ".join("-".join(filter(None, region)) for region in regions),
            ", ".join(map(str, years)),
            added,
            renamed,
            removed,
        )
    return added
