from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.errors import DomainError
from aftersales.translated import localized
from aftersales.views import add_domain_error, paginate
from customers import selectors, services
from customers.forms import (
    CancelPurchaseForm,
    ChangePurchaseForm,
    ConsentQuestionsForm,
    CustomerForm,
    PurchaseForm,
    PurchaseLineFormSet,
)
from customers.models import ProductCategory, Purchase
from customers.service_history import selectors as service_history
from customers.service_history import services as vehicle_service
from customers.service_history.forms import DeclinedWorkForm


def purchase_or_404(user, pk, *related):
    try:
        return selectors.purchase_detail(user, pk, *related)
    except ObjectDoesNotExist as missing:
        raise Http404 from missing


@login_required
@permission_required("customers.view_purchase", raise_exception=True)
def purchase_list(request):
    get = request.GET
    category_id = get.get("category", "")
    purchases = selectors.purchase_list(
        request.user,
        search=get.get("q", "").strip(),
        status=get.get("status", ""),
        category=int(category_id) if category_id.isdigit() else None,
        date_from=get.get("from") or None,
        date_to=get.get("to") or None,
        ordering=get.get("sort", "-date"),
    )
    return render(
        request,
        "customers/purchase_list.html",
        {
            "page": paginate(request, purchases),
            "statuses": Purchase.Status.choices,
            "categories": ProductCategory.objects.order_by(localized("name")).values_list(
                "pk", "name"
            ),
        },
    )


@login_required
@permission_required("customers.view_purchase", raise_exception=True)
def purchase_detail(request, pk):
    return purchase_page(request, purchase_or_404(request.user, pk))


def purchase_page(request, purchase, *, declined_work_form=None):
    """The purchase page; with the vehicle panel for a car or a service visit (its mileage, next
    service, visits and declined work). The declined-work view renders it with its bound form."""
    panel = service_history.vehicle_panel(purchase, today=timezone.localdate())
    return render(
        request,
        "customers/purchase_detail.html",
        {
            "purchase": purchase,
            "history": purchase.history.select_related("history_user")[:20],
            "cancel_form": CancelPurchaseForm(),
            "panel": panel,
            "declined_work_form": declined_work_form or DeclinedWorkForm(),
        },
    )


@login_required
@permission_required("customers.add_purchase", raise_exception=True)
def purchase_create(request):
    """Log a purchase at the desk: find or create the customer, products, dates, consent.

    Choosing an existing customer by submitting the form ("Use" in the duplicate warning, or
    "Select" without JavaScript) saves nothing: the form comes back with that customer and
    everything entered, to be reviewed and saved."""
    data = request.POST or None
    chosen_customer_id = request.POST.get("use_customer") if data else request.GET.get("customer")
    reviewing = data is not None and bool(chosen_customer_id)
    if reviewing:
        data = data.copy()
        data["customer"] = chosen_customer_id
    form = PurchaseForm(
        data, user=request.user, initial={"customer": chosen_customer_id} if not data else None
    )
    customer_form = CustomerForm(data, prefix="new")
    lines = PurchaseLineFormSet(data, prefix="lines")
    consent = ConsentQuestionsForm(data, prefix="consent")
    candidates = []
    if data is not None and not reviewing:
        valid = all([form.is_valid(), lines.is_valid(), consent.is_valid()])
        existing = form.cleaned_data.get("customer") if valid else None
        if valid and existing is None:
            valid = customer_form.is_valid()
        if valid:
            try:
                purchase_data = dict(form.cleaned_data)
                customer = purchase_data.pop("customer")
                purchase_data["vehicle"] = vehicle_service.find_vehicle(
                    customer=customer,
                    identifier=purchase_data.pop("vehicle"),
                    on=purchase_data["purchase_date"],
                )
                purchase = services.log_purchase_at_desk(
                    by=request.user,
                    customer=customer,
                    new_customer=customer_form.cleaned_data if customer is None else None,
                    confirmed_new=purchase_data.pop("confirmed_new"),
                    consents=consent.answers(),
                    lines=[line_form.line() for line_form in lines if line_form.cleaned_data],
                    **purchase_data,
                )
            except services.DuplicateCustomer as duplicate:
                candidates = duplicate.candidates
            except DomainError as error:
                target = form if error.field in form.fields else customer_form
                add_domain_error(target, error)
            else:
                # The page it leads to confirms the purchase itself: no second message.
                return redirect("customers:purchase-logged", pk=purchase.pk)
    selected = _selected_customer(form)
    return render(
        request,
        "customers/purchase_form.html",
        {
            "form": form,
            "customer_form": customer_form,
            "lines": lines,
            "consent": consent,
            "candidates": candidates,
            "selected_customer": selected,
            "reviewing": reviewing and selected is not None,
        },
    )


@login_required
@permission_required("customers.add_purchase", raise_exception=True)
def purchase_customer_section(request):
    """htmx: the customer part of the purchase page, with a customer picked or for a search."""
    customer_id = request.GET.get("customer", "")
    selected = None
    if customer_id.isdigit():
        selected = selectors.customer_list(request.user).filter(pk=customer_id).first()
    return render(
        request,
        "customers/partials/customer_section.html",
        {"selected_customer": selected, "customer_form": CustomerForm(prefix="new")},
    )


def _selected_customer(form):
    customer_id = form["customer"].value()
    if not customer_id or not str(customer_id).isdigit():
        return None
    return form.fields["customer"].queryset.filter(pk=customer_id).first()


@login_required
@permission_required("customers.view_purchase", raise_exception=True)
def purchase_logged(request, pk):
    """The confirmation after logging: the purchase and what happens next."""
    purchase = purchase_or_404(request.user, pk, "followups__assignee")
    return render(request, "customers/purchase_logged.html", {"purchase": purchase})


@login_required
@permission_required("customers.change_purchase", raise_exception=True)
def purchase_change(request, pk):
    purchase = purchase_or_404(request.user, pk)
    form = ChangePurchaseForm(
        request.POST or None,
        initial={
            "handover_date": purchase.handover_date,
            "warranty_end": purchase.warranty_end,
            "identifier": purchase.identifier,
            "notes": purchase.notes,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.change_purchase(purchase=purchase, by=request.user, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Purchase saved."))
            return redirect(purchase)
    return render(request, "customers/purchase_change.html", {"form": form, "purchase": purchase})


@login_required
@permission_required("customers.change_purchase", raise_exception=True)
def purchase_cancel(request, pk):
    purchase = purchase_or_404(request.user, pk)
    form = CancelPurchaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.cancel_purchase(
                purchase=purchase, by=request.user, reason=form.cleaned_data["reason"]
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Purchase cancelled."))
            return redirect(purchase)
    return render(request, "customers/purchase_cancel.html", {"form": form, "purchase": purchase})
