"""The OpenAPI schema as the API really answers (drf-spectacular's AutoSchema, adjusted).

- A read-only field shows the blank and null values its model field allows: DRF drops
  `allow_blank` and `allow_null` from read-only model fields, so without this a follow-up's
  empty outcome ("") or a customer without a salesperson (null) broke the schema's enums and types.
- Every operation documents the error answers every endpoint can give, with DRF's error body:
  400 (invalid input, filters or body), 401 (no or wrong credentials, with WWW-Authenticate),
  403 (not allowed for the caller's roles) and 404 (not there, or not in the caller's branches;
  a page past the end).
"""

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.translation import gettext_lazy as _
from drf_spectacular import openapi
from rest_framework import serializers

ERROR_BODY = {
    "type": "object",
    "description": _("`detail` for the request as a whole, or a list of messages per field."),
    "properties": {"detail": {"type": "string"}},
    "additionalProperties": True,
}
ERRORS = {
    "400": _("The input is not valid; the body names the fields and what is wrong."),
    "401": _("No or invalid credentials: send `Authorization: Token <key>`."),
    "403": _("Your roles do not allow this."),
    "404": _("Not found, or not in the branches you work in."),
}


def model_field_of(field):
    """The model field behind a ModelSerializer field (its source followed through relations),
    or None."""
    parent = field.parent
    model = getattr(getattr(parent, "Meta", None), "model", None)
    if model is None or not field.source or field.source == "*":
        return None
    *relations, name = field.source.split(".")
    try:
        for relation in relations:
            model = model._meta.get_field(relation).related_model
            if model is None:
                return None
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


class AutoSchema(openapi.AutoSchema):
    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        if field.read_only and isinstance(field, serializers.Field):
            model_field = model_field_of(field)
            if isinstance(model_field, models.Field):
                if model_field.null:
                    field.allow_null = True
                if model_field.blank and isinstance(
                    model_field, models.CharField | models.TextField
                ):
                    field.allow_blank = True
        return super()._map_serializer_field(field, direction, bypass_extensions)

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code, description in ERRORS.items():
            responses.setdefault(
                code,
                {
                    "description": description,
                    "content": {"application/json": {"schema": ERROR_BODY}},
                },
            )
        responses["401"].setdefault("headers", {}).setdefault(
            "WWW-Authenticate", {"schema": {"type": "string"}}
        )
        return responses
