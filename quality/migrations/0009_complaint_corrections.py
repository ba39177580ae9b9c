"""Corrections of recorded complaints, and who may make them: service and quality staff and the
administrators (not managers, sales staff or mystery shoppers)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from aftersales.migration_helpers import grant_role_permissions

CORRECT_COMPLAINTS = ["quality.add_complaintcorrection"]
ROLE_PERMISSIONS = {
    "admin": CORRECT_COMPLAINTS,
    "quality": CORRECT_COMPLAINTS,
    "service": CORRECT_COMPLAINTS,
}


def forwards(apps, schema_editor):
    grant_role_permissions(apps, ROLE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("quality", "0008_audit_roles_and_cluster_rule"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ComplaintCorrection",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("at", models.DateTimeField(verbose_name="when")),
                ("reason", models.TextField(verbose_name="reason")),
                ("changes", models.JSONField(verbose_name="changes")),
                (
                    "by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="corrected by",
                    ),
                ),
                (
                    "complaint",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="corrections",
                        to="quality.complaint",
                        verbose_name="complaint",
                    ),
                ),
            ],
            options={
                "verbose_name": "complaint correction",
                "verbose_name_plural": "complaint corrections",
                "ordering": ["at", "pk"],
            },
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
