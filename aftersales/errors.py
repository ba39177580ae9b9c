class DomainError(Exception):
    """A business rule refused an operation; the message is translatable and shown to the user."""

    def __init__(self, message, *, field=None):
        super().__init__(message)
        self.message = message
        self.field = field
