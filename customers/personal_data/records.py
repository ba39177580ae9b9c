"""Reading and erasing a customer's rows in every registered table (see customers.personal_data).

Each registered table costs one query to read and a few statements to erase, however many rows
the customer has there: no query per row.
"""

import hashlib
import re

from django.db import models, transaction
from django.db.models import F, Func, Q, Value

from customers.personal_data.models import ErasedIdentifier
from customers.personal_data.registry import holdings, text_tables

ERASED = "—"
# Shorter values (an initial) would replace letters inside other words.
SHORTEST_IDENTIFIER = 2


def export_records(customer):
    """{table label: [row as a dict]} for every registered table, the customer's rows only."""
    return {
        holding.label: list(
            holding.rows(customer).values(*holding.exported_fields(), *holding.related)
        )
        for holding in holdings()
    }


def known_identifiers(customer):
    """The values that identify the customer in free text: names, e-mail, phone numbers."""
    full_name = " ".join(part for part in (customer.first_name, customer.last_name) if part)
    values = {
        full_name,
        customer.first_name,
        customer.last_name,
        customer.company_name,
        customer.email,
        customer.phone,
        customer.mobile,
    }
    for number in (customer.phone, customer.mobile):
        values.add(re.sub(r"\s", "", number))
    values = {value.strip() for value in values if value}
    return sorted(
        (value for value in values if len(value) >= SHORTEST_IDENTIFIER and value != ERASED),
        key=len,
        reverse=True,
    )


def identifiers_pattern(values):
    """A PostgreSQL regular expression matching any of the values as a whole word."""
    alternatives = "|".join(re.sub(r"([^\w])", r"\\\1", value) for value in values)
    return rf"(?<![[:alnum:]])(?:{alternatives})(?![[:alnum:]])"


class RegexpReplace(Func):
    """Every case-insensitive match of `pattern` in the text replaced."""

    function = "REGEXP_REPLACE"
    output_field = models.TextField()

    def __init__(self, expression, pattern, replacement):
        super().__init__(expression, Value(pattern), Value(replacement), Value("gi"))


def erase_records(customer):
    """Removes the customer's personal data from every registered table but the customer's own
    row (customers.services.erase_customer blanks that). Files first: once their rows are gone
    their names are too."""
    values = known_identifiers(customer)
    pattern = identifiers_pattern(values) if values else None
    for holding in holdings():
        rows = holding.rows(customer)
        _delete_files(holding, rows)
        _purge_history(holding.model, rows)
        if not holding.path:
            continue
        if holding.delete:
            rows.delete()
            continue
        changes = dict.fromkeys(holding.blank, "")
        changes |= {field.name: "" for field in holding.file_fields()}
        if pattern:
            changes |= {
                field.name: RegexpReplace(F(field.name), pattern, ERASED)
                for field in holding.text_fields()
                if field.name not in changes
            }
        if changes:
            rows.update(**changes)
    if pattern:
        for table in text_tables():
            _replace_everywhere(table, pattern)


def _delete_files(holding, rows):
    """After the commit: an erasure that fails leaves the files with their rows."""
    for field in holding.file_fields():
        names = list(rows.exclude(**{field.name: ""}).values_list(field.name, flat=True))
        if names:
            storage = field.storage
            transaction.on_commit(lambda storage=storage, names=names: _delete(storage, names))


def _delete(storage, names):
    for name in names:
        storage.delete(name)


def _purge_history(model, rows):
    history = getattr(model, "history", None)
    if history is not None:
        history.model.objects.filter(id__in=rows.values("pk")).delete()


def _replace_everywhere(table, pattern):
    mentions = Q()
    for name in table.fields:
        mentions |= Q(**{f"{name}__iregex": pattern})
    table.model._default_manager.filter(mentions).update(
        **{name: RegexpReplace(F(name), pattern, ERASED) for name in table.fields}
    )


def identifier_digest(kind, value):
    """The hash kept of an erased identifier: enough to recognise it in a later import, not
    to read it back. E-mail addresses compare case-insensitively."""
    normal = value.strip().lower() if kind == "email" else value.strip()
    return hashlib.sha256(f"{kind}:{normal}".encode()).hexdigest()


def remember_erased_identifiers(customer):
    """Keeps the hashes of the customer's e-mail and DMS number (customers.importing skips a
    row that brings them back)."""
    identifiers = [
        (ErasedIdentifier.Kind.EMAIL, customer.email),
        (ErasedIdentifier.Kind.EXTERNAL_REF, customer.external_ref),
    ]
    ErasedIdentifier.objects.bulk_create(
        [
            ErasedIdentifier(kind=kind, digest=identifier_digest(kind, value))
            for kind, value in identifiers
            if value.strip()
        ],
        ignore_conflicts=True,
    )


def erased_digests():
    """{(kind, digest)} of every erased identifier, for an import to look rows up in."""
    return set(ErasedIdentifier.objects.values_list("kind", "digest"))
