"""The outbox's stable Message-ID and the claim's lease (issue 13).

Existing rows keep everything they have: each gets a Message-ID of its own (filled in SQL, so a
large outbox is migrated in one statement), and a claim held by a worker of the old code (in
"sending", with claimed_at) gets the lease that code gave it: ten minutes from its claim.
"""

from django.conf import settings
from django.db import migrations, models

import aftersales.models


def fill_message_ids_and_leases(apps, schema_editor):
    table = apps.get_model("aftersales", "OutgoingEmail")._meta.db_table
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET message_id = '<' || replace(gen_random_uuid()::text, '-', '')"  # noqa: S608 (our own table name)
            " || '@' || %s || '>' WHERE message_id IS NULL",
            [settings.EMAIL_MESSAGE_ID_DOMAIN],
        )
        cursor.execute(
            f"UPDATE {table} SET lease_until = claimed_at + interval '10 minutes'"  # noqa: S608
            " WHERE state = 'sending' AND lease_until IS NULL",
        )


class Migration(migrations.Migration):
    dependencies = [
        ("aftersales", "0006_branch_holiday_region"),
    ]

    operations = [
        migrations.AddField(
            model_name="outgoingemail",
            name="message_id",
            field=models.CharField(
                editable=False, max_length=255, null=True, verbose_name="Message-ID"
            ),
        ),
        migrations.AddField(
            model_name="outgoingemail",
            name="lease_until",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(fill_message_ids_and_leases, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="outgoingemail",
            name="message_id",
            field=models.CharField(
                default=aftersales.models.new_message_id,
                editable=False,
                max_length=255,
                unique=True,
                verbose_name="Message-ID",
            ),
        ),
    ]
