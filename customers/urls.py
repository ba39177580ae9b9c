from django.urls import path

from customers.service_history import urls as service_history_urls
from customers.views import catalogue, customers, imports, purchases

app_name = "customers"

urlpatterns = [
    path("customers/", customers.customer_list, name="customer-list"),
    path("customers/new/", customers.customer_create, name="customer-create"),
    path("customers/picker/", customers.customer_picker, name="customer-picker"),
    path("customers/merge/", customers.customer_merge, name="customer-merge"),
    path("customers/<int:pk>/", customers.customer_detail, name="customer-detail"),
    path("customers/<int:pk>/edit/", customers.customer_update, name="customer-update"),
    path("customers/<int:pk>/consent/", customers.consent_record, name="consent-record"),
    path("customers/<int:pk>/export/", customers.customer_data_export, name="customer-export"),
    path("customers/<int:pk>/erase/", customers.customer_erase, name="customer-erase"),
    path("purchases/import/", imports.import_upload, name="import-upload"),
    path("purchases/import/<int:pk>/", imports.import_job, name="import-job"),
    path(
        "purchases/import/<int:pk>/progress/",
        imports.import_job_progress,
        name="import-job-progress",
    ),
    path(
        "purchases/import/<int:pk>/confirm/", imports.import_job_confirm, name="import-job-confirm"
    ),
    path(
        "purchases/import/<int:pk>/errors.csv", imports.import_job_errors, name="import-job-errors"
    ),
    path("customers/export.csv", imports.customer_export, name="customer-list-export"),
    path("purchases/", purchases.purchase_list, name="purchase-list"),
    path("purchases/new/", purchases.purchase_create, name="purchase-create"),
    path(
        "purchases/new/customer/",
        purchases.purchase_customer_section,
        name="purchase-customer-section",
    ),
    path("purchases/<int:pk>/", purchases.purchase_detail, name="purchase-detail"),
    path("purchases/<int:pk>/logged/", purchases.purchase_logged, name="purchase-logged"),
    path("purchases/<int:pk>/change/", purchases.purchase_change, name="purchase-change"),
    path("purchases/<int:pk>/cancel/", purchases.purchase_cancel, name="purchase-cancel"),
    path("catalogue/products/", catalogue.product_list, name="product-list"),
    path("catalogue/products/new/", catalogue.product_create, name="product-create"),
    path("catalogue/products/<int:pk>/", catalogue.product_update, name="product-update"),
    path("catalogue/categories/", catalogue.category_list, name="category-list"),
    path("catalogue/categories/new/", catalogue.category_create, name="category-create"),
    path("catalogue/categories/<int:pk>/", catalogue.category_update, name="category-update"),
    *service_history_urls.urlpatterns,
]
