"""The registry of tables holding customers' data (see customers.personal_data)."""

from collections import deque
from dataclasses import dataclass

from django.apps import apps
from django.db import models

TEXT_FIELD_TYPES = ("CharField", "TextField", "EmailField", "SlugField", "URLField")
FILE_FIELD_TYPES = ("FileField", "ImageField")


@dataclass(frozen=True)
class Holding:
    """A table with rows of customers: `path` leads from a row to its customer ("" for the
    customer table itself); `blank` lists text columns emptied on erasure, `delete` removes the
    rows instead; `related` adds looked-up values to the export (e.g. "product__name")."""

    model: type[models.Model]
    path: str
    blank: tuple[str, ...] = ()
    delete: bool = False
    related: tuple[str, ...] = ()

    @property
    def label(self):
        return self.model._meta.label_lower

    def rows(self, customer):
        lookup = self.path or "pk"
        return self.model._default_manager.filter(**{lookup: customer.pk})

    def text_fields(self):
        return [
            field
            for field in self.model._meta.concrete_fields
            if field.get_internal_type() in TEXT_FIELD_TYPES and not field.choices
        ]

    def file_fields(self):
        return [
            field
            for field in self.model._meta.concrete_fields
            if field.get_internal_type() in FILE_FIELD_TYPES
        ]

    def exported_fields(self):
        """Every column but search indexes (derived, and not JSON)."""
        return [
            field.attname
            for field in self.model._meta.concrete_fields
            if field.get_internal_type() != "SearchVectorField"
        ]


@dataclass(frozen=True)
class TextTable:
    """A table whose texts may name a customer without referring to one."""

    model: type[models.Model]
    fields: tuple[str, ...]


_holdings: dict[type[models.Model], Holding] = {}
_text_tables: dict[type[models.Model], TextTable] = {}


def register(model, *, path, blank=(), delete=False, related=()):
    _holdings[model] = Holding(model, path, tuple(blank), delete, tuple(related))


def register_texts(model, *fields):
    _text_tables[model] = TextTable(model, fields)


def holdings():
    """The registered tables, the customer table first; a table after those it refers to is
    not needed, as every holding is found through its own path."""
    return sorted(_holdings.values(), key=lambda holding: (holding.path != "", holding.label))


def text_tables():
    return list(_text_tables.values())


def models_referring_to_customers():
    """Every model with a chain of foreign keys (or one-to-one links) to Customer, with the
    first such path found. django-simple-history's copies are left out: they are purged with
    their table."""
    customer = apps.get_model("customers", "Customer")
    paths = {customer: ""}
    pending = deque([customer])
    while pending:
        target = pending.popleft()
        for model in apps.get_models():
            if model in paths or hasattr(model, "instance_type"):  # simple_history's copies
                continue
            for field in model._meta.concrete_fields:
                if field.is_relation and field.related_model is target:
                    paths[model] = "__".join(part for part in (field.name, paths[target]) if part)
                    pending.append(model)
                    break
    return paths
