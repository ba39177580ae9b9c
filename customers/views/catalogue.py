"""The product catalogue: what can be sold, in which category. Administrators maintain it; every
internal role may look it up."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from aftersales.errors import DomainError
from aftersales.translated import localized
from aftersales.views import add_domain_error, paginate, parse_active
from customers import selectors, services
from customers.forms import ProductCategoryForm, ProductForm

# The selector orders by category and name; the list's column headers may ask for another order.
PRODUCT_ORDERINGS = {
    "name": (localized("name"),),
    "-name": (localized("name").desc(),),
    "sku": ("sku",),
    "-sku": ("-sku",),
    "price": ("list_price", localized("name")),
    "-price": ("-list_price", localized("name")),
    "category": (localized("category__name"), localized("name")),
    "-category": (localized("category__name").desc(), localized("name")),
}


@login_required
@permission_required("customers.view_product", raise_exception=True)
def product_list(request):
    category = request.GET.get("category", "")
    products = selectors.product_catalogue(
        search=request.GET.get("q", "").strip(),
        category=int(category) if category.isdigit() else None,
        active=parse_active(request.GET.get("active", "")),
    )
    sort = request.GET.get("sort", "")
    if sort in PRODUCT_ORDERINGS:
        products = products.order_by(*PRODUCT_ORDERINGS[sort], "pk")
    return render(
        request,
        "customers/product_list.html",
        {
            "page": paginate(request, products),
            "categories": selectors.categories_with_counts(),
            "filtered": any(request.GET.get(key) for key in ("q", "category", "active")),
            "can_manage": request.user.has_perm("customers.change_product"),
        },
    )


@login_required
@permission_required("customers.add_product", raise_exception=True)
def product_create(request):
    form = ProductForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            product = services.save_product(by=request.user, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Product “%(name)s” created.") % {"name": product.name})
            return redirect("customers:product-list")
    return render(request, "customers/product_form.html", {"form": form})


@login_required
@permission_required("customers.change_product", raise_exception=True)
def product_update(request, pk):
    product = get_object_or_404(selectors.product_catalogue(), pk=pk)
    # The form writes into the instance while validating; the page title keeps the stored name.
    stored_name = product.name
    form = ProductForm(request.POST or None, instance=product)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_product(by=request.user, product=product, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Product “%(name)s” saved.") % {"name": product.name})
            return redirect("customers:product-list")
    return render(
        request,
        "customers/product_form.html",
        {"form": form, "product": product, "stored_name": stored_name},
    )


@login_required
@permission_required("customers.view_productcategory", raise_exception=True)
def category_list(request):
    return render(
        request,
        "customers/category_list.html",
        {
            "page": paginate(request, selectors.categories_with_counts()),
            "can_manage": request.user.has_perm("customers.change_productcategory"),
        },
    )


@login_required
@permission_required("customers.add_productcategory", raise_exception=True)
def category_create(request):
    form = ProductCategoryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            category = services.save_product_category(by=request.user, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Category “%(name)s” created.") % {"name": category.name})
            return redirect("customers:category-list")
    return render(request, "customers/category_form.html", {"form": form})


@login_required
@permission_required("customers.change_productcategory", raise_exception=True)
def category_update(request, pk):
    category = get_object_or_404(selectors.categories_with_counts(), pk=pk)
    stored_name = category.name
    form = ProductCategoryForm(request.POST or None, instance=category)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_product_category(by=request.user, category=category, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Category “%(name)s” saved.") % {"name": category.name})
            return redirect("customers:category-list")
    return render(
        request,
        "customers/category_form.html",
        {"form": form, "category": category, "stored_name": stored_name},
    )
