from django.db import migrations, models

MODELS = ("productcategory", "product", "historicalproductcategory", "historicalproduct")


def fill_english(apps, schema_editor):
    """The names shipped and entered so far are English, the product's source language."""
    for model_name in MODELS:
        apps.get_model("customers", model_name).objects.update(name_en=models.F("name"))


def keep_english(apps, schema_editor):
    for model_name in MODELS:
        apps.get_model("customers", model_name).objects.exclude(name_en=None).exclude(
            name_en=""
        ).update(name=models.F("name_en"))


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0007_maintenance_schedule_name"),
    ]

    operations = [
        migrations.AddField(
            model_name="product",
            name="name_de",
            field=models.CharField(max_length=200, null=True, verbose_name="name"),
        ),
        migrations.AddField(
            model_name="product",
            name="name_en",
            field=models.CharField(max_length=200, null=True, verbose_name="name"),
        ),
        migrations.AddField(
            model_name="productcategory",
            name="name_de",
            field=models.CharField(max_length=120, null=True, unique=True, verbose_name="name"),
        ),
        migrations.AddField(
            model_name="productcategory",
            name="name_en",
            field=models.CharField(max_length=120, null=True, unique=True, verbose_name="name"),
        ),
        migrations.AddField(
            model_name="historicalproduct",
            name="name_de",
            field=models.CharField(max_length=200, null=True, verbose_name="name"),
        ),
        migrations.AddField(
            model_name="historicalproduct",
            name="name_en",
            field=models.CharField(max_length=200, null=True, verbose_name="name"),
        ),
        migrations.AddField(
            model_name="historicalproductcategory",
            name="name_de",
            field=models.CharField(db_index=True, max_length=120, null=True, verbose_name="name"),
        ),
        migrations.AddField(
            model_name="historicalproductcategory",
            name="name_en",
            field=models.CharField(db_index=True, max_length=120, null=True, verbose_name="name"),
        ),
        migrations.RunPython(fill_english, keep_english),
    ]
