from django.core.exceptions import NON_FIELD_ERRORS, ValidationError


class DomainError(Exception):
    """A business rule refused an operation; the message is translatable and shown to the user."""

    def __init__(self, message, *, field=None):
        super().__init__(message)
        self.message = message
        self.field = field


def validated_save(instance, **clean_kwargs):
    """Save a model instance after its own validation. A failure becomes a DomainError naming
    the first field that is wrong with its messages, so forms and the API put it next to that
    field; errors of the whole instance are all said."""
    try:
        instance.full_clean(**clean_kwargs)
    except ValidationError as error:
        by_field = getattr(error, "error_dict", {})
        field = next((name for name in by_field if name != NON_FIELD_ERRORS), None)
        messages = ValidationError(by_field[field]).messages if field else error.messages
        raise DomainError(" ".join(messages), field=field) from error
    instance.save()
    return instance
