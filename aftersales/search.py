"""Accent- and spelling-tolerant search without database extensions.

The embedded PostgreSQL ships no contrib modules (no unaccent, no pg_trgm), so we fold text
ourselves, the same way in SQL (the `aftersales_fold` function of migration 0003) and in Python:
accents go, everything is lower case, ß is ss, and the German umlaut spellings collapse
("Müller", "Mueller" and "Muller" all become "muller"). Search compares folded with folded.
"""

import re

from django.db.models import Func, TextField

FOLD_FROM = (
    "ÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÑÒÓÔÕÖÙÚÛÜÝàáâãäåçèéêëìíîïñòóôõöùúûüýÿĀāĂăĄąĆ"
    "ćĈĉĊċČčĎďĒēĔĕĖėĘęĚěĜĝĞğĠġĢģĤĥĨĩĪīĬĭĮįİĴĵĶķĹĺĻļĽľŃńŅņŇňŌōŎŏŐő"
    "ŔŕŖŗŘřŚśŜŝŞşŠšŢţŤťŨũŪūŬŭŮůŰűŲųŴŵŶŷŸŹźŻżŽžØøŁłĐđÆæŒœÞþÐðABCDE"
    "FGHIJKLMNOPQRSTUVWXYZ"
)
FOLD_TO = (
    "aaaaaaceeeeiiiinooooouuuuyaaaaaaceeeeiiiinooooouuuuyyaaaaaac"
    "cccccccddeeeeeeeeeegggggggghhiiiiiiiiijjkkllllllnnnnnnoooooo"
    "rrrrrrssssssssttttuuuuuuuuuuuuwwyyyzzzzzzoollddaaoottddabcde"
    "fghijklmnopqrstuvwxyz"
)
_FOLD_TABLE = str.maketrans(FOLD_FROM, FOLD_TO)
_VOWEL_E = re.compile("([aou])e")


def fold(value):
    """Python twin of the SQL function `aftersales_fold`."""
    folded = value.translate(_FOLD_TABLE).replace("ß", "ss").replace("ẞ", "ss").lower()
    return _VOWEL_E.sub(r"\1", folded)


class Folded(Func):
    """`Folded("last_name")` in a query is the folded column, comparable with `fold(term)`."""

    function = "aftersales_fold"
    output_field = TextField()
