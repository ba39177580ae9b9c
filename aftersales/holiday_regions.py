"""Holiday regions: a country, optionally with a subdivision, as the `holidays` package knows
them ("DE", "DE-BY" for Bavaria, "AT-9" for Vienna). The branch model validates its region here;
followups imports the region's public holidays."""

from functools import cache

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


@cache
def supported_regions():
    """{country code: (subdivision codes...)} of the `holidays` package (imported on first use:
    it takes a tenth of a second)."""
    import holidays

    return {country: tuple(codes) for country, codes in holidays.list_supported_countries().items()}


@cache
def subdivision_aliases(country):
    """{alias: code} of a country's subdivisions, e.g. {"Bayern": "BY", "Wien": "9"}."""
    import holidays

    return dict(holidays.country_holidays(country).subdivisions_aliases)


def split_region(code):
    """("DE", "BY") for "DE-BY", ("DE", "") for "DE"."""
    country, _dash, subdivision = code.partition("-")
    return country, subdivision


def canonical_region(code):
    """The region as the package spells it ("de-by" → "DE-BY", "AT-Wien" → "AT-9"), or a
    ValidationError saying what is unknown."""
    code = code.strip()
    if not code:
        return ""
    country, subdivision = split_region(code)
    country = country.strip().upper()
    known = supported_regions()
    if country not in known:
        raise ValidationError(
            _("“%(country)s” is not a country with known public holidays (ISO code, e.g. DE)."),
            code="unknown_country",
            params={"country": country},
        )
    subdivision = subdivision.strip()
    if not subdivision:
        return country
    names = {name.casefold(): name for name in known[country]}
    names.update({alias.casefold(): name for alias, name in subdivision_aliases(country).items()})
    canonical = names.get(subdivision.casefold())
    if canonical is None:
        raise ValidationError(
            _("“%(subdivision)s” is not a subdivision of %(country)s; known: %(known)s."),
            code="unknown_subdivision",
            params={
                "subdivision": subdivision,
                "country": country,
                "known": ", ".join(known[country]) or "—",
            },
        )
    return f"{country}-{canonical}"
