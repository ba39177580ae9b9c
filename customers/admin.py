from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from customers.models import (
    ConsentRecord,
    Customer,
    Product,
    ProductCategory,
    Purchase,
    PurchaseLine,
)


@admin.register(ProductCategory)
class ProductCategoryAdmin(SimpleHistoryAdmin):
    list_display = ["name", "code", "involvement", "default_warranty_months", "is_active"]
    list_filter = ["involvement", "is_active"]


@admin.register(Product)
class ProductAdmin(SimpleHistoryAdmin):
    list_display = ["name", "sku", "category", "list_price", "is_active"]
    list_filter = ["category", "is_active"]
    search_fields = ["name", "sku"]


class ConsentInline(admin.TabularInline):
    model = ConsentRecord
    extra = 0
    readonly_fields = ["channel", "granted", "source", "recorded_at", "recorded_by", "note"]
    can_delete = False


@admin.register(Customer)
class CustomerAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "email", "postcode", "city", "branch", "salesperson"]
    list_filter = ["branch", "kind"]
    search_fields = ["last_name", "company_name", "email"]
    raw_id_fields = ["salesperson", "created_by", "erased_by"]
    inlines = [ConsentInline]


class PurchaseLineInline(admin.TabularInline):
    model = PurchaseLine
    extra = 0
    raw_id_fields = ["product"]


@admin.register(Purchase)
class PurchaseAdmin(SimpleHistoryAdmin):
    list_display = ["pk", "customer", "branch", "purchase_date", "handover_date", "status", "total"]
    list_filter = ["status", "branch"]
    search_fields = ["identifier", "customer__last_name"]
    raw_id_fields = ["customer", "salesperson", "created_by"]
    inlines = [PurchaseLineInline]
