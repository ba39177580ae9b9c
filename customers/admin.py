from django.contrib import admin
from modeltranslation.admin import TranslationAdmin

from aftersales.history_admin import HistoryAdmin
from customers.models import (
    ConsentRecord,
    Customer,
    DeclinedWork,
    MaintenanceSchedule,
    Product,
    ProductCategory,
    Purchase,
    PurchaseLine,
)


@admin.register(ProductCategory)
class ProductCategoryAdmin(TranslationAdmin, HistoryAdmin):
    list_display = ["name", "code", "involvement", "default_warranty_months", "is_active"]
    list_filter = ["involvement", "is_active"]


@admin.register(Product)
class ProductAdmin(TranslationAdmin, HistoryAdmin):
    list_display = ["name", "sku", "category", "list_price", "is_active"]
    list_filter = ["category", "is_active"]
    search_fields = ["name", "sku"]


class ConsentInline(admin.TabularInline):
    model = ConsentRecord
    extra = 0
    readonly_fields = ["channel", "granted", "source", "recorded_at", "recorded_by", "note"]
    can_delete = False


@admin.register(Customer)
class CustomerAdmin(HistoryAdmin):
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
class PurchaseAdmin(HistoryAdmin):
    list_display = ["pk", "customer", "branch", "purchase_date", "handover_date", "status", "total"]
    list_filter = ["status", "branch"]
    search_fields = ["identifier", "customer__last_name"]
    raw_id_fields = ["customer", "salesperson", "created_by", "vehicle"]
    inlines = [PurchaseLineInline]


@admin.register(MaintenanceSchedule)
class MaintenanceScheduleAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "product",
        "category",
        "service_product",
        "interval_km",
        "interval_months",
        "first_km",
        "first_months",
        "is_active",
    ]
    list_filter = ["is_active", "category"]
    search_fields = ["name", "product__name", "category__name"]
    raw_id_fields = ["product", "service_product"]


@admin.register(DeclinedWork)
class DeclinedWorkAdmin(admin.ModelAdmin):
    list_display = ["description", "customer", "branch", "urgency", "declined_on", "status"]
    list_filter = ["status", "urgency", "branch"]
    search_fields = ["description", "customer__last_name"]
    raw_id_fields = ["visit", "vehicle", "customer", "product", "done_in", "recorded_by"]
    readonly_fields = ["created_at"]
