"""Reading translatable fields where modeltranslation does not reach.

A field registered in an app's `translation.py` (e.g. `Product.name`) has one column per language
(`name_de`, `name_en`); the model's attribute and its own manager read the reader's language with
the other as fallback. Raw SQL, lookups through a model that is not registered itself
(`schedule.product__name`) and searches that should find either language use these helpers.
"""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row
from django.conf import settings
from django.db.models import CharField, F, Q, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from modeltranslation.translator import translator
from modeltranslation.utils import build_localized_fieldname
from rest_framework import serializers

LANGUAGE_CODES = tuple(code for code, _name in settings.LANGUAGES)
# The order the set-up pages show a field's languages in, left to right.
SIDE_BY_SIDE = ("de", "en")


def reading_order(language=None):
    """The languages in the order a value is looked for: the reader's, then the others."""
    language = (language or get_language() or settings.LANGUAGE_CODE)[:2]
    if language not in LANGUAGE_CODES:
        language = settings.MODELTRANSLATION_DEFAULT_LANGUAGE
    return (language, *(code for code in LANGUAGE_CODES if code != language))


def localized(path, language=None):
    """An expression for `path` (e.g. "product__name") in the reader's language, else another."""
    return Coalesce(
        *(
            NullIf(F(build_localized_fieldname(path, code)), Value(""))
            for code in reading_order(language)
        ),
        Value(""),
        output_field=CharField(),
    )


def localized_sql(column, language=None):
    """The same for raw SQL: `column` is a trusted "alias.name" written by our own code."""
    parts = ", ".join(f"NULLIF({column}_{code}, '')" for code in reading_order(language))
    return f"COALESCE({parts}, '')"


def in_any_language(path, value, lookup="icontains"):
    """A Q matching `value` in any language's column of `path` (searches find either name)."""
    query = Q()
    for code in LANGUAGE_CODES:
        query |= Q(**{f"{build_localized_fieldname(path, code)}__{lookup}": value})
    return query


def translations(instance, field):
    """{language: value} of one translatable field, for forms, seeds and the API."""
    return {
        code: getattr(instance, build_localized_fieldname(field, code)) for code in LANGUAGE_CODES
    }


def translated(*fields):
    """The form fields of translatable `fields`, each language in turn: name_de, name_en, ..."""
    return [build_localized_fieldname(name, code) for name in fields for code in SIDE_BY_SIDE]


def columns_from(data, field):
    """{column: value} of one translatable field in a row of input (forms, API, seeds): the
    columns it gives ("text_de", "text_en"), a bare `field` ("text") in the writer's language."""
    values = {column: (data.get(column) or "").strip() for column in translated(field)}
    bare = (data.get(field) or "").strip()
    writer = build_localized_fieldname(field, reading_order()[0])
    if bare and not values[writer]:
        values[writer] = bare
    return values


def in_reading_order(values, field, language=None):
    """The value of `field` among its columns (a dict as `columns_from` gives it) in the reader's
    language, else another: for messages about data that is not saved yet."""
    for code in reading_order(language):
        value = values.get(build_localized_fieldname(field, code))
        if value:
            return value
    return ""


def set_texts(instance, texts, *, fields):
    """Write the translatable `fields` of `instance` from `texts` (stripped): a bare field
    ("name") in the writer's language, then the columns given ("name_de", "name_en"); None
    leaves a value as it is."""
    unknown = set(texts) - set(fields) - set(translated(*fields))
    if unknown:
        raise TypeError(f"Unknown fields: {', '.join(sorted(unknown))}")
    ordered = sorted(texts.items(), key=lambda entry: entry[0] not in fields)
    for name, value in ordered:
        if value is not None:
            setattr(instance, name, value.strip())


def in_language(label, language):
    """A form field's label for one language's column: "Title (Deutsch)", as the settings'
    MODELTRANSLATION_BUILD_LOCALIZED_VERBOSE_NAME labels the model forms' columns."""
    return settings.MODELTRANSLATION_BUILD_LOCALIZED_VERBOSE_NAME(label, language)


class SideBySideTranslations:
    """A form mixin: the languages of each translatable field ("name_de", "name_en") in one row.

    The template renders it with `{% crispy form %}` inside its own <form> and CSRF token.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        layout, placed = [], set()
        for name in self.fields:
            if name in placed:
                continue
            base, _sep, code = name.rpartition("_")
            pair = [field for field in translated(base) if field in self.fields]
            if code in SIDE_BY_SIDE and len(pair) > 1:
                layout.append(Row(*(Column(field, css_class="col-md-6") for field in pair)))
                placed.update(pair)
            else:
                layout.append(name)
        self.helper.layout = Layout(*layout)


class TranslatedInputSerializer(serializers.Serializer):
    """A plain input serializer with translatable texts: `translatable` maps each text to its
    CharField options ({"text": {"max_length": 250}}). Each is written bare, in the request's
    language, or as each language's column ("text_de", "text_en"), all optional: which language
    must be there is the service's rule."""

    translatable = {}

    def get_fields(self):
        fields = super().get_fields()
        for name, options in self.translatable.items():
            options = {"required": False, "allow_blank": True, **options}
            fields[name] = serializers.CharField(
                help_text=_("In the language of the request; or give each language's column."),
                **options,
            )
            for code in SIDE_BY_SIDE:
                fields[build_localized_fieldname(name, code)] = serializers.CharField(
                    allow_null=True, **options
                )
        return fields


class TranslatedFieldsSerializer(serializers.ModelSerializer):
    """A set-up endpoint's serializer: each translatable field in Meta.fields is read in the
    request's language (`name`) and in every language (`name_de`, `name_en`).

    A client writes the languages it has; a bare `name` is the request's language. Which language
    must be there is the model's rule (the default one), checked by the service's full_clean.
    """

    def get_fields(self):
        fields = super().get_fields()
        for name in self._translatable():
            fields[name].required = False
            for column in translated(name):
                fields[column].required = False
                fields[column].allow_null = True
                fields[column].allow_blank = True
        return fields

    def validate(self, attrs):
        attrs = super().validate(attrs)
        for name in self._translatable():
            if name in attrs:
                attrs.setdefault(build_localized_fieldname(name, reading_order()[0]), attrs[name])
                del attrs[name]
        return attrs

    def _translatable(self):
        options = translator.get_options_for_model(self.Meta.model)
        return [name for name in options.all_fields if name in self.Meta.fields]
