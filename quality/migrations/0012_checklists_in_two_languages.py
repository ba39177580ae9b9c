"""The audit templates' names and descriptions, their sections' titles and their items' texts and
guidance get a column per language (quality/translation.py). What was written so far is
English, the product's source language, and goes to the English column; seed_audits adds the
German."""

from django.db import migrations, models

# model: its translatable fields
FIELDS = {
    "audittemplate": ("name", "description"),
    "auditsection": ("title",),
    "audititem": ("text", "guidance"),
}


def fill_english(apps, schema_editor):
    for model_name, fields in FIELDS.items():
        apps.get_model("quality", model_name).objects.update(
            **{f"{field}_en": models.F(field) for field in fields}
        )


def keep_english(apps, schema_editor):
    for model_name, fields in FIELDS.items():
        model = apps.get_model("quality", model_name)
        for field in fields:
            model.objects.exclude(**{f"{field}_en": None}).update(
                **{field: models.F(f"{field}_en")}
            )


class Migration(migrations.Migration):
    dependencies = [
        ("quality", "0011_taxonomy_in_two_languages"),
    ]

    operations = [
        migrations.AddField(
            model_name="audititem",
            name="guidance_de",
            field=models.TextField(
                blank=True,
                help_text="What counts as passed.",
                null=True,
                verbose_name="guidance for the auditor",
            ),
        ),
        migrations.AddField(
            model_name="audititem",
            name="guidance_en",
            field=models.TextField(
                blank=True,
                help_text="What counts as passed.",
                null=True,
                verbose_name="guidance for the auditor",
            ),
        ),
        migrations.AddField(
            model_name="audititem",
            name="text_de",
            field=models.CharField(max_length=250, null=True, verbose_name="criterion"),
        ),
        migrations.AddField(
            model_name="audititem",
            name="text_en",
            field=models.CharField(max_length=250, null=True, verbose_name="criterion"),
        ),
        migrations.AddField(
            model_name="auditsection",
            name="title_de",
            field=models.CharField(max_length=150, null=True, verbose_name="title"),
        ),
        migrations.AddField(
            model_name="auditsection",
            name="title_en",
            field=models.CharField(max_length=150, null=True, verbose_name="title"),
        ),
        migrations.AddField(
            model_name="audittemplate",
            name="description_de",
            field=models.TextField(blank=True, null=True, verbose_name="description"),
        ),
        migrations.AddField(
            model_name="audittemplate",
            name="description_en",
            field=models.TextField(blank=True, null=True, verbose_name="description"),
        ),
        migrations.AddField(
            model_name="audittemplate",
            name="name_de",
            field=models.CharField(max_length=150, null=True, verbose_name="name"),
        ),
        migrations.AddField(
            model_name="audittemplate",
            name="name_en",
            field=models.CharField(max_length=150, null=True, verbose_name="name"),
        ),
        migrations.RunPython(fill_english, keep_english),
    ]
