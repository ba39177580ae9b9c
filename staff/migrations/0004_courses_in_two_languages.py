"""Course titles and descriptions get a column per language (staff/translation.py). What was
written so far is English, the product's source language; seed_training adds the German."""

from django.db import migrations, models


def fill_english(apps, schema_editor):
    apps.get_model("staff", "Course").objects.update(
        title_en=models.F("title"), description_en=models.F("description")
    )


def keep_english(apps, schema_editor):
    Course = apps.get_model("staff", "Course")
    Course.objects.exclude(title_en=None).exclude(title_en="").update(title=models.F("title_en"))
    Course.objects.exclude(description_en=None).update(description=models.F("description_en"))


class Migration(migrations.Migration):
    dependencies = [
        ("staff", "0003_who_fields_optional_in_forms"),
    ]

    operations = [
        migrations.AddField(
            model_name="course",
            name="description_de",
            field=models.TextField(blank=True, null=True, verbose_name="description"),
        ),
        migrations.AddField(
            model_name="course",
            name="description_en",
            field=models.TextField(blank=True, null=True, verbose_name="description"),
        ),
        migrations.AddField(
            model_name="course",
            name="title_de",
            field=models.CharField(max_length=200, null=True, verbose_name="title"),
        ),
        migrations.AddField(
            model_name="course",
            name="title_en",
            field=models.CharField(max_length=200, null=True, verbose_name="title"),
        ),
        migrations.RunPython(fill_english, keep_english),
    ]
