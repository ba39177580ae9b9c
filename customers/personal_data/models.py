from django.db import models
from django.utils.translation import gettext_lazy as _


class ErasedIdentifier(models.Model):
    """The hash of an identifier of an erased customer (customers.personal_data.records
    .identifier_digest): an import that meets it again skips the row instead of quietly
    recreating the person."""

    class Kind(models.TextChoices):
        EMAIL = "email", _("E-mail")
        EXTERNAL_REF = "external_ref", _("Customer number (DMS)")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    digest = models.CharField(_("hash"), max_length=64)
    erased_at = models.DateTimeField(_("erased at"), auto_now_add=True)

    class Meta:
        app_label = "customers"
        verbose_name = _("erased identifier")
        verbose_name_plural = _("erased identifiers")
        constraints = [
            models.UniqueConstraint(fields=["kind", "digest"], name="erased_identifier_unique")
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.digest[:12]}…"
