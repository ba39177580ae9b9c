"""A finding's title gets a column per language (quality/translation.py). What was written so far
is English, the product's source language, and goes to the English column."""

from django.db import migrations, models


def fill_english(apps, schema_editor):
    apps.get_model("quality", "finding").objects.update(title_en=models.F("title"))


def keep_english(apps, schema_editor):
    apps.get_model("quality", "finding").objects.exclude(title_en=None).update(
        title=models.F("title_en")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("quality", "0012_checklists_in_two_languages"),
    ]

    operations = [
        migrations.AddField(
            model_name="finding",
            name="title_de",
            field=models.CharField(max_length=250, null=True, verbose_name="title"),
        ),
        migrations.AddField(
            model_name="finding",
            name="title_en",
            field=models.CharField(max_length=250, null=True, verbose_name="title"),
        ),
        migrations.RunPython(fill_english, keep_english),
    ]
