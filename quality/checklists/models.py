"""Abstract bases of a versioned checklist: template → version → section → item.

The concrete models add the foreign keys between the levels (their related names are
`versions`, `sections` and the item model's own), the item types they offer (a subset of
`ItemKind`) and the target field of a measured item; `item.target` is what scoring reads.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class ItemKind(models.TextChoices):
    """Every type of checklist item the shared scoring knows; a concrete model offers a subset."""

    YES_NO = "yes_no", _("Yes / no")
    SCALE = "scale", _("Scale 1–5")
    MINUTES = "minutes", _("Minutes waited against a target")
    MEASURED = "measured", _("Measured value against a target")
    OBSERVATION = "observation", _("Free observation (not scored)")


class ChecklistTemplate(models.Model):
    name = models.CharField(_("name"), max_length=150)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(
        _("active"), default=True, help_text=_("Only active templates can be assigned.")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True

    def __str__(self):
        return self.name

    def current_version(self):
        return self.versions.order_by("-number").first()


class ChecklistVersion(models.Model):
    number = models.PositiveSmallIntegerField(_("version"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        abstract = True

    def __str__(self):
        return _("%(template)s, version %(number)s") % {
            "template": self.template,
            "number": self.number,
        }


class ChecklistSection(models.Model):
    title = models.CharField(_("title"), max_length=150)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        abstract = True

    def __str__(self):
        return self.title


class ChecklistItem(models.Model):
    text = models.CharField(_("criterion"), max_length=250)
    guidance = models.TextField(_("guidance"), blank=True, help_text=_("What counts as met."))
    weight = models.PositiveSmallIntegerField(
        _("weight"), default=1, validators=[MaxValueValidator(10)]
    )
    is_critical = models.BooleanField(_("critical"), default=False)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    # Measured values are better the lower they are unless a concrete model says otherwise.
    higher_is_better = False

    class Meta:
        abstract = True

    def __str__(self):
        return self.text

    @property
    def is_scored(self):
        return self.kind != ItemKind.OBSERVATION and self.weight > 0

    @property
    def target(self):
        """The target of a minutes or measured item (the concrete model's field)."""
        return None
