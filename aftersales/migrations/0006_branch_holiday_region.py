"""A branch's holiday region (country and subdivision, e.g. DE-BY): which public holidays the
`holidays` package imports for it. The demo branches get theirs, as load_demo_data now sets them;
every other branch keeps its country's nationwide holidays until an administrator picks one."""

from django.db import migrations, models

# code, country, city → region, as in aftersales/management/commands/load_demo_data.py.
DEMO_REGIONS = [("MUC", "DE", "München", "DE-BY"), ("VIE", "AT", "Wien", "AT-9")]


def set_demo_regions(apps, schema_editor):
    Branch = apps.get_model("aftersales", "Branch")
    for code, country, city, region in DEMO_REGIONS:
        Branch.objects.filter(code=code, country=country, city=city, holiday_region="").update(
            holiday_region=region
        )


class Migration(migrations.Migration):
    dependencies = [("aftersales", "0005_admin_sees_team")]

    operations = [
        migrations.AddField(
            model_name="branch",
            name="holiday_region",
            field=models.CharField(
                blank=True,
                help_text="Country and subdivision whose public holidays apply, e.g. DE-BY (Bavaria) or AT-9 (Vienna). Empty: the country's nationwide holidays only.",
                max_length=40,
                verbose_name="holiday region",
            ),
        ),
        migrations.RunPython(set_demo_regions, migrations.RunPython.noop),
    ]
