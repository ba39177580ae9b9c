"""The API's parsers, guarded: a body they cannot turn into safe data is a 400, never a 500.

DRF's own JSONParser hands on whatever `json.load` accepts. Four kinds of body get through it and
break later: a lone UTF-16 surrogate (`"\\ud800"`), which PostgreSQL and the JSON renderer cannot
encode (DRF's choice error repeats the input); nesting deep enough for `RecursionError`; a body of
any size, read whole into memory; and control characters (NUL above all, which PostgreSQL refuses).
These parsers refuse each with a message that says what is wrong, before a serializer sees the
data; control characters as an error of the field that holds them. The form parsers check the same
characters (Django has already replaced undecodable bytes there).
"""

import codecs

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError, ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser, get_encoding
from rest_framework.utils import json

from aftersales.validators import ProhibitControlCharactersValidator, has_control_characters

# Deeper than any request body of ours needs; far below the interpreter's recursion limit.
MAX_NESTING = 32


def _too_deep():
    return ParseError(
        _("The JSON body is nested more than %(depth)d levels deep.") % {"depth": MAX_NESTING}
    )


def _has_lone_surrogate(text):
    return any("\ud800" <= character <= "\udfff" for character in text)


def _control_characters_error(field):
    message = ProhibitControlCharactersValidator.message
    return ValidationError({field or "non_field_errors": [message]})


def check_parsed(data):
    """Walks the parsed body without recursion: too deep, a string with a lone surrogate, or
    one with control characters (reported for the top-level field it is under)."""
    pending = [(data, 1, None)]
    while pending:
        value, depth, field = pending.pop()
        if depth > MAX_NESTING:
            raise _too_deep()
        if isinstance(value, str):
            if _has_lone_surrogate(value):
                raise ParseError(
                    _("The JSON body holds a lone surrogate (\\ud800–\\udfff), which is not text.")
                )
            if has_control_characters(value):
                raise _control_characters_error(field)
        elif isinstance(value, dict):
            for key, item in value.items():
                pending.append((key, depth + 1, field or key))
                pending.append((item, depth + 1, field or key))
        elif isinstance(value, list):
            pending.extend((item, depth + 1, field) for item in value)


def check_form(data):
    for field, values in data.lists():
        if any(has_control_characters(value) for value in values):
            raise _control_characters_error(field)


class GuardedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.API_MAX_BODY_BYTES
        body = stream.read(limit + 1) if stream is not None else b""
        if len(body) > limit:
            raise ParseError(
                _("The request body is larger than %(limit)d bytes.") % {"limit": limit}
            )
        try:
            text = codecs.decode(body, get_encoding(parser_context or {}))
            parse_constant = json.strict_constant if self.strict else None
            data = json.loads(text, parse_constant=parse_constant)
        except RecursionError:
            raise _too_deep() from None
        except ValueError as error:
            raise ParseError(
                _("The body is not valid JSON: %(error)s") % {"error": error}
            ) from None
        check_parsed(data)
        return data


class GuardedFormParser(FormParser):
    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        check_form(data)
        return data


class GuardedMultiPartParser(MultiPartParser):
    def parse(self, stream, media_type=None, parser_context=None):
        parsed = super().parse(stream, media_type, parser_context)
        check_form(parsed.data)
        return parsed
