"""Fill the dashboard's stored dimensions of existing signals and complaints: the purchase's main
category, and whoever sold it, else the customer's responsible salesperson (rows without a
purchase: no category, the customer's salesperson). One UPDATE ... FROM per table."""

from django.db import migrations

FILL = """
    UPDATE {table} AS target
    SET {category} = source.category_id, {salesperson} = source.salesperson_id
    FROM (
        SELECT item.id,
               purchase.main_category_id AS category_id,
               COALESCE(purchase.salesperson_id, customer.salesperson_id) AS salesperson_id
        FROM {table} AS item
        JOIN {customers} AS customer ON customer.id = item.customer_id
        LEFT JOIN {purchases} AS purchase ON purchase.id = item.purchase_id
    ) AS source
    WHERE target.id = source.id
"""


def fill(apps, schema_editor):
    quote = schema_editor.quote_name
    customers = quote(apps.get_model("customers", "Customer")._meta.db_table)
    purchases = quote(apps.get_model("customers", "Purchase")._meta.db_table)
    for model_name, category, salesperson in (
        ("DissonanceSignal", "category", "salesperson"),
        ("Complaint", "product_category", "responsible_salesperson"),
    ):
        model = apps.get_model("quality", model_name)
        schema_editor.execute(
            FILL.format(
                table=quote(model._meta.db_table),
                category=quote(model._meta.get_field(category).column),
                salesperson=quote(model._meta.get_field(salesperson).column),
                customers=customers,
                purchases=purchases,
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("quality", "0005_dashboard_filters"),
    ]

    operations = [
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
    ]
