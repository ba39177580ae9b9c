import pytest
from django.db import connection

from aftersales.search import fold

SAMPLES = [
    "Müller",
    "Mueller",
    "MULLER",
    "Straße",
    "STRASSE",
    "Łukasz Żółć",
    "François Hervé",
    "Ørsted Æbeltoft",
    "Noël",
    "plain ascii 123",
]


@pytest.mark.parametrize("text", SAMPLES)
def test_sql_and_python_fold_the_same_way(db, text):
    with connection.cursor() as cursor:
        cursor.execute("SELECT aftersales_fold(%s)", [text])
        assert cursor.fetchone()[0] == fold(text)


def test_german_spellings_meet():
    assert fold("Müller") == fold("Mueller") == fold("MULLER") == "muller"
    assert fold("Straße") == fold("Strasse")
    assert fold("Hervé") == "herve"
