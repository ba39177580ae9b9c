"""The scorecard templates' names and descriptions, their sections' titles and their criteria's
texts and guidance get a column per language (staff/translation.py). What was written so far is
English, the product's source language, and goes to the English column; seed_scorecards adds the
German."""

from django.db import migrations, models

# model: its translatable fields
FIELDS = {
    "scorecardtemplate": ("name", "description"),
    "scorecardsection": ("title",),
    "criterion": ("text", "guidance"),
}


def fill_english(apps, schema_editor):
    for model_name, fields in FIELDS.items():
        apps.get_model("staff", model_name).objects.update(
            **{f"{field}_en": models.F(field) for field in fields}
        )


def keep_english(apps, schema_editor):
    for model_name, fields in FIELDS.items():
        model = apps.get_model("staff", model_name)
        for field in fields:
            model.objects.exclude(**{f"{field}_en": None}).update(
                **{field: models.F(f"{field}_en")}
            )


class Migration(migrations.Migration):
    dependencies = [
        ("staff", "0004_courses_in_two_languages"),
    ]

    operations = [
        migrations.AddField(
            model_name="criterion",
            name="guidance_de",
            field=models.TextField(
                blank=True,
                help_text="What counts as met.",
                null=True,
                verbose_name="guidance for the shopper",
            ),
        ),
        migrations.AddField(
            model_name="criterion",
            name="guidance_en",
            field=models.TextField(
                blank=True,
                help_text="What counts as met.",
                null=True,
                verbose_name="guidance for the shopper",
            ),
        ),
        migrations.AddField(
            model_name="criterion",
            name="text_de",
            field=models.CharField(max_length=250, null=True, verbose_name="criterion"),
        ),
        migrations.AddField(
            model_name="criterion",
            name="text_en",
            field=models.CharField(max_length=250, null=True, verbose_name="criterion"),
        ),
        migrations.AddField(
            model_name="scorecardsection",
            name="title_de",
            field=models.CharField(max_length=150, null=True, verbose_name="title"),
        ),
        migrations.AddField(
            model_name="scorecardsection",
            name="title_en",
            field=models.CharField(max_length=150, null=True, verbose_name="title"),
        ),
        migrations.AddField(
            model_name="scorecardtemplate",
            name="description_de",
            field=models.TextField(blank=True, null=True, verbose_name="description"),
        ),
        migrations.AddField(
            model_name="scorecardtemplate",
            name="description_en",
            field=models.TextField(blank=True, null=True, verbose_name="description"),
        ),
        migrations.AddField(
            model_name="scorecardtemplate",
            name="name_de",
            field=models.CharField(max_length=150, null=True, verbose_name="name"),
        ),
        migrations.AddField(
            model_name="scorecardtemplate",
            name="name_en",
            field=models.CharField(max_length=150, null=True, verbose_name="name"),
        ),
        migrations.RunPython(fill_english, keep_english),
    ]
