"""API tokens of our own (aftersales.signin): expiring, one per device, only their hash kept.

DRF's authtoken table, if a deployment has one, is carried over: each key becomes a token named
"API" (its hash), valid for API_TOKEN_LIFETIME from now and until the password changes; then
the old table, which holds the keys in the clear, is dropped."""

import hashlib

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models
from django.utils import timezone
from django.utils.crypto import salted_hmac


def carry_over_drf_tokens(apps, schema_editor):
    connection = schema_editor.connection
    if "authtoken_token" not in connection.introspection.table_names():
        return
    ApiToken = apps.get_model("aftersales", "ApiToken")
    User = apps.get_model("aftersales", "User")
    with connection.cursor() as cursor:
        cursor.execute("SELECT key, user_id, created FROM authtoken_token")
        rows = cursor.fetchall()
    passwords = dict(
        User.objects.filter(pk__in=[row[1] for row in rows]).values_list("pk", "password")
    )
    now = timezone.now()
    ApiToken.objects.bulk_create(
        ApiToken(
            user_id=user_id,
            name="API",
            key_hash=hashlib.sha256(key.encode()).hexdigest(),
            prefix=key[:8],
            # As User.get_session_auth_hash() computes it.
            password_fingerprint=salted_hmac(
                "django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash",
                passwords[user_id],
                algorithm="sha256",
            ).hexdigest(),
            created_at=created,
            expires_at=now + settings.API_TOKEN_LIFETIME,
        )
        for key, user_id, created in rows
    )
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE authtoken_token")
        cursor.execute("DELETE FROM django_migrations WHERE app = 'authtoken'")


class Migration(migrations.Migration):
    dependencies = [
        ("aftersales", "0007_outbox_message_id_and_lease"),
    ]

    operations = [
        migrations.CreateModel(
            name="ApiToken",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "name",
                    models.CharField(
                        help_text="Where the token is used, e.g. the tablet of the workshop.",
                        max_length=60,
                        verbose_name="device",
                    ),
                ),
                ("key_hash", models.CharField(editable=False, max_length=64, unique=True)),
                (
                    "prefix",
                    models.CharField(editable=False, max_length=8, verbose_name="begins with"),
                ),
                ("password_fingerprint", models.CharField(editable=False, max_length=128)),
                (
                    "created_at",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="created"),
                ),
                ("expires_at", models.DateTimeField(verbose_name="expires")),
                (
                    "last_used_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="last used"),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="api_tokens",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="user",
                    ),
                ),
            ],
            options={
                "verbose_name": "API token",
                "verbose_name_plural": "API tokens",
                "ordering": ["user", "name"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("user", "name"), name="api_token_one_per_device"
                    )
                ],
            },
        ),
        migrations.RunPython(carry_over_drf_tokens, migrations.RunPython.noop),
    ]
