"""A follow-up's generated title and instructions become codes (aftersales.texts), written out
when read. The recovery calls planned so far are recognised by their kind: their title names the
customer and their questions are built from the customer's open complaints when shown; the words
stored with them stay as the fallback."""

from django.db import migrations, models

# The codes as they were when this migration was written (quality.texts).
FORWARDS = (
    "UPDATE followups_followup SET title_code = 'quality.recovery.title', "
    "instructions_code = 'quality.recovery.instructions' "
    "WHERE kind = 'recovery' AND title_code = ''"
)
BACKWARDS = (
    "UPDATE followups_followup SET title_code = '', instructions_code = '', text_params = '{}'"
)


class Migration(migrations.Migration):
    dependencies = [
        ("followups", "0007_offer_month_rollup"),
    ]

    operations = [
        migrations.AddField(
            model_name="followup",
            name="title_code",
            field=models.CharField(blank=True, max_length=60),
        ),
        migrations.AddField(
            model_name="followup",
            name="instructions_code",
            field=models.CharField(blank=True, max_length=60),
        ),
        migrations.AddField(
            model_name="followup",
            name="text_params",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.RunSQL(FORWARDS, reverse_sql=BACKWARDS),
    ]
