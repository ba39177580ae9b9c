"""The complaint taxonomy gets a column per language (quality/translation.py). The names written
so far are English and go to the English column; the shipped categories (0003) get their German,
unless someone has renamed them since."""

from django.db import migrations, models

SHIPPED = {
    "noise": ("Noise", "Geräusch"),
    "noise-wind": ("Wind noise", "Windgeräusch"),
    "noise-fan": ("Fan noise", "Lüftergeräusch"),
    "noise-rattle": ("Rattle", "Klappern"),
    "noise-creak": ("Creak", "Knarzen"),
    "paint": ("Paint and finish", "Lack und Oberfläche"),
    "function": ("Function", "Funktion"),
    "handover": ("Delivery and handover", "Auslieferung und Übergabe"),
    "staff-attention": ("Staff attention", "Aufmerksamkeit der Mitarbeiter"),
    "waiting-time": ("Waiting time", "Wartezeit"),
    "invoice": ("Invoice", "Rechnung"),
    "other": ("Other", "Sonstiges"),
}


def fill_languages(apps, schema_editor):
    Category = apps.get_model("quality", "ComplaintCategory")
    Category.objects.update(name_en=models.F("name"))
    for code, (english, german) in SHIPPED.items():
        Category.objects.filter(code=code, name=english).update(name_de=german)


def keep_english(apps, schema_editor):
    Category = apps.get_model("quality", "ComplaintCategory")
    Category.objects.exclude(name_en=None).exclude(name_en="").update(name=models.F("name_en"))


class Migration(migrations.Migration):
    dependencies = [
        ("quality", "0010_generated_texts"),
    ]

    operations = [
        migrations.AddField(
            model_name="complaintcategory",
            name="name_de",
            field=models.CharField(max_length=100, null=True, verbose_name="name"),
        ),
        migrations.AddField(
            model_name="complaintcategory",
            name="name_en",
            field=models.CharField(max_length=100, null=True, verbose_name="name"),
        ),
        migrations.RunPython(fill_languages, keep_english),
    ]
