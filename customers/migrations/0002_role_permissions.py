"""What each role may do with customers, purchases and the product catalogue."""

from django.db import migrations

from aftersales.migration_helpers import grant_role_permissions

READ = [
    "customers.view_customer",
    "customers.view_purchase",
    "customers.view_product",
    "customers.view_productcategory",
]
SELL = [
    *READ,
    "customers.add_customer",
    "customers.change_customer",
    "customers.add_purchase",
    "customers.change_purchase",
    "customers.add_consentrecord",
]
ROLE_PERMISSIONS = {
    "admin": [
        *SELL,
        "customers.add_product",
        "customers.change_product",
        "customers.add_productcategory",
        "customers.change_productcategory",
        "customers.merge_customer",
        "customers.erase_customer",
        "customers.export_customer_data",
        "customers.import_purchases",
    ],
    "manager": [*SELL, "customers.export_customer_data", "customers.import_purchases"],
    "sales": SELL,
    "service": READ,
    "quality": READ,
}


def grant(apps, schema_editor):
    grant_role_permissions(apps, ROLE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [("customers", "0001_initial"), ("aftersales", "0002_roles")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
