"""The texts of playbooks, their steps, the follow-ups planned from them and the offer rules get
a column per language (followups/translation.py). What was written so far is English, the
product's source language, and goes to the English column; the seed adds the German."""

from django.db import migrations, models

# model: its translatable fields
FIELDS = {
    "playbook": ("name",),
    "playbookstep": ("title", "instructions"),
    "followup": ("title", "instructions"),
    "offerrule": ("name", "script"),
}


def fill_english(apps, schema_editor):
    for model_name, fields in FIELDS.items():
        apps.get_model("followups", model_name).objects.update(
            **{f"{field}_en": models.F(field) for field in fields}
        )


def keep_english(apps, schema_editor):
    for model_name, fields in FIELDS.items():
        model = apps.get_model("followups", model_name)
        for field in fields:
            model.objects.exclude(**{f"{field}_en": None}).update(
                **{field: models.F(f"{field}_en")}
            )


class Migration(migrations.Migration):
    dependencies = [
        ("followups", "0008_generated_texts"),
    ]

    operations = [
        migrations.AddField(
            model_name="followup",
            name="instructions_de",
            field=models.TextField(blank=True, null=True, verbose_name="instructions"),
        ),
        migrations.AddField(
            model_name="followup",
            name="instructions_en",
            field=models.TextField(blank=True, null=True, verbose_name="instructions"),
        ),
        migrations.AddField(
            model_name="followup",
            name="title_de",
            field=models.CharField(max_length=120, null=True, verbose_name="title"),
        ),
        migrations.AddField(
            model_name="followup",
            name="title_en",
            field=models.CharField(max_length=120, null=True, verbose_name="title"),
        ),
        migrations.AddField(
            model_name="offerrule",
            name="name_de",
            field=models.CharField(max_length=120, null=True, verbose_name="name"),
        ),
        migrations.AddField(
            model_name="offerrule",
            name="name_en",
            field=models.CharField(max_length=120, null=True, verbose_name="name"),
        ),
        migrations.AddField(
            model_name="offerrule",
            name="script_de",
            field=models.TextField(
                blank=True,
                help_text="A few sentences to say.",
                null=True,
                verbose_name="script for the salesperson",
            ),
        ),
        migrations.AddField(
            model_name="offerrule",
            name="script_en",
            field=models.TextField(
                blank=True,
                help_text="A few sentences to say.",
                null=True,
                verbose_name="script for the salesperson",
            ),
        ),
        migrations.AddField(
            model_name="playbook",
            name="name_de",
            field=models.CharField(max_length=120, null=True, verbose_name="name"),
        ),
        migrations.AddField(
            model_name="playbook",
            name="name_en",
            field=models.CharField(max_length=120, null=True, verbose_name="name"),
        ),
        migrations.AddField(
            model_name="playbookstep",
            name="instructions_de",
            field=models.TextField(
                blank=True,
                help_text="What to ask. For high-involvement products: noises, function, handover.",
                null=True,
                verbose_name="instructions for the caller",
            ),
        ),
        migrations.AddField(
            model_name="playbookstep",
            name="instructions_en",
            field=models.TextField(
                blank=True,
                help_text="What to ask. For high-involvement products: noises, function, handover.",
                null=True,
                verbose_name="instructions for the caller",
            ),
        ),
        migrations.AddField(
            model_name="playbookstep",
            name="title_de",
            field=models.CharField(max_length=120, null=True, verbose_name="title"),
        ),
        migrations.AddField(
            model_name="playbookstep",
            name="title_en",
            field=models.CharField(max_length=120, null=True, verbose_name="title"),
        ),
        migrations.RunPython(fill_english, keep_english),
    ]
