"""Working days and local time of a branch: where follow-ups may fall due."""

from datetime import timedelta

from django.db.models import Q

from followups.models import BranchPolicy, PublicHoliday

# A year of non-working days in a row cannot happen; the bound only guards against a policy
# without any working day.
MAX_SHIFT_DAYS = 366


def policy_for(branch):
    """The branch's policy, or an unsaved one with the defaults."""
    try:
        return branch.followup_policy
    except BranchPolicy.DoesNotExist:
        return BranchPolicy(branch=branch)


def applies_to(branch):
    """Which holidays count for the branch: its own closing days; those entered for every
    country, for its country or for its subdivision; and the imported list of exactly its holiday
    region (a subdivision's list has the nationwide days that hold there, so Corpus Christi counts
    in DE-BY but not in DE-HH, nor for a German branch without a subdivision)."""
    subdivision = branch.holiday_subdivision
    country = Q(country__iexact=branch.country)
    manual = Q(source=PublicHoliday.Source.MANUAL)
    return (
        Q(branch=branch)
        | Q(branch__isnull=True, country="")
        | (Q(branch__isnull=True, subdivision__in=["", subdivision]) & country & manual)
        | (Q(source=PublicHoliday.Source.IMPORTED, subdivision=subdivision) & country)
    )


def holiday_name(branch, day):
    """The name of the holiday or closing day the branch keeps on `day` ("" on other days, which
    a branch may still not work on: their weekday is not one of its working days)."""
    names = PublicHoliday.objects.filter(date=day).filter(applies_to(branch))
    return names.values_list("name", flat=True).first() or ""


def holidays_for(branch, start, end):
    """The holiday dates of the branch between two dates, in one query."""
    return set(
        PublicHoliday.objects.filter(date__range=(start, end))
        .filter(applies_to(branch))
        .values_list("date", flat=True)
    )


class WorkingCalendar:
    """Answers "which day is the next working day" for one branch without further queries."""

    def __init__(self, branch, start, end):
        self.policy = policy_for(branch)
        self.working_days = set(self.policy.working_days) or {0, 1, 2, 3, 4}
        self.holidays = holidays_for(branch, start, end + timedelta(days=31))

    def is_working_day(self, day):
        return day.weekday() in self.working_days and day not in self.holidays

    def on_or_after(self, day):
        for shift in range(MAX_SHIFT_DAYS):
            candidate = day + timedelta(days=shift)
            if self.is_working_day(candidate):
                return candidate
        return day

    def add_working_days(self, day, count):
        current = day
        for _step in range(count):
            current = self.on_or_after(current + timedelta(days=1))
        return current


def local_now(branch, now):
    return now.astimezone(branch.zone)
