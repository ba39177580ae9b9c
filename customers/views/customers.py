import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ObjectDoesNotExist
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from aftersales.errors import DomainError
from aftersales.views import add_domain_error, paginate
from customers import panels, selectors, services, timeline
from customers.forms import ConsentForm, CustomerEditForm, CustomerFilterForm
from customers.models import Channel
from customers.service_history import selectors as service_history


def _customer_or_404(user, pk):
    try:
        return selectors.customer_detail(user, pk)
    except ObjectDoesNotExist as missing:
        raise Http404 from missing


@login_required
@permission_required("customers.view_customer", raise_exception=True)
def customer_list(request):
    filters = CustomerFilterForm(request.GET or None, user=request.user)
    customers = selectors.customer_list(
        request.user, **filters.selector_arguments(), ordering=request.GET.get("sort", "name")
    )
    return render(
        request,
        "customers/customer_list.html",
        {"filters": filters, "page": paginate(request, customers), "channels": Channel.choices},
    )


@login_required
@permission_required("customers.view_customer", raise_exception=True)
@require_GET
def customer_picker(request):
    """htmx: the customers matching what has been typed so far, to pick on the purchase page."""
    term = request.GET.get("customer_search", "")
    return render(
        request,
        "customers/partials/customer_picker_results.html",
        {"customers": selectors.customer_picker(request.user, term), "term": term},
    )


@login_required
@permission_required("customers.view_customer", raise_exception=True)
def customer_detail(request, pk):
    customer = _customer_or_404(request.user, pk)
    consent_history = selectors.consent_history(customer.consents.all())
    current = selectors.consent_states(consent_history)
    return render(
        request,
        "customers/customer_detail.html",
        {
            "customer": customer,
            "consent_rows": [(label, current[channel]) for channel, label in Channel.choices],
            "consent_history": consent_history,
            "consent_form": ConsentForm(),
            "history": customer.history.select_related("history_user")[:20],
            "timeline": timeline.timeline_for(customer),
            "panels": panels.panels_for(customer, request.user),
            "vehicles": service_history.customer_vehicles(customer, today=timezone.localdate()),
        },
    )


@login_required
@permission_required("customers.add_customer", raise_exception=True)
def customer_create(request):
    form = CustomerEditForm(request.POST or None, user=request.user)
    candidates = []
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        try:
            customer = services.create_customer(
                by=request.user,
                branch=fields.pop("branch"),
                confirmed_new=request.POST.get("confirmed_new") == "on",
                **fields,
            )
        except services.DuplicateCustomer as duplicate:
            candidates = duplicate.candidates
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Customer %(name)s created.") % {"name": customer})
            return redirect(customer)
    return render(request, "customers/customer_form.html", {"form": form, "candidates": candidates})


@login_required
@permission_required("customers.change_customer", raise_exception=True)
def customer_update(request, pk):
    customer = _customer_or_404(request.user, pk)
    form = CustomerEditForm(request.POST or None, instance=customer, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_customer(customer=customer, by=request.user, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Customer %(name)s saved.") % {"name": customer})
            return redirect(customer)
    return render(request, "customers/customer_form.html", {"form": form, "customer": customer})


@login_required
@permission_required("customers.add_consentrecord", raise_exception=True)
@require_POST
def consent_record(request, pk):
    customer = _customer_or_404(request.user, pk)
    form = ConsentForm(request.POST)
    if form.is_valid():
        try:
            services.record_consent(customer=customer, by=request.user, **form.cleaned_data)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Consent recorded."))
    else:
        messages.error(request, _("Choose a channel, the consent and how it was given."))
    return redirect(customer)


@login_required
@permission_required("customers.export_customer_data", raise_exception=True)
@require_GET
def customer_data_export(request, pk):
    """Access request: everything held about the customer as a JSON download."""
    customer = _customer_or_404(request.user, pk)
    data = selectors.customer_data_export(customer)
    data["exported_at"] = timezone.now().isoformat()
    data["exported_by"] = str(request.user)
    response = HttpResponse(
        json.dumps(data, indent=2, ensure_ascii=False, cls=DjangoJSONEncoder),
        content_type="application/json",
    )
    response["Content-Disposition"] = f'attachment; filename="customer-{customer.pk}.json"'
    return response


@login_required
@permission_required("customers.erase_customer", raise_exception=True)
def customer_erase(request, pk):
    customer = _customer_or_404(request.user, pk)
    if request.method == "POST":
        if request.POST.get("confirm_number", "").strip() != str(customer.pk):
            messages.error(request, _("Type the customer number to confirm the erasure."))
        else:
            try:
                services.erase_customer(customer=customer, by=request.user)
            except DomainError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, _("The customer's personal data has been erased."))
                return redirect(customer)
    return render(request, "customers/customer_erase.html", {"customer": customer})


@login_required
@permission_required("customers.merge_customer", raise_exception=True)
def customer_merge(request):
    """Administrators merge a duplicate into the record that survives."""
    survivor = duplicate = None
    visible = selectors.customer_list(request.user)
    survivor_id, duplicate_id = request.GET.get("survivor"), request.GET.get("duplicate")
    if survivor_id and survivor_id.isdigit():
        survivor = visible.filter(pk=survivor_id).first()
    if duplicate_id and duplicate_id.isdigit():
        duplicate = visible.filter(pk=duplicate_id).first()
    if request.method == "POST" and survivor and duplicate:
        try:
            services.merge_customers(survivor=survivor, duplicate=duplicate, by=request.user)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("%(duplicate)s was merged into %(survivor)s.")
                % {"duplicate": duplicate, "survivor": survivor},
            )
            return redirect(survivor)
    return render(
        request,
        "customers/customer_merge.html",
        {
            "survivor": survivor,
            "duplicate": duplicate,
            "survivor_candidates": selectors.customer_picker(
                request.user, request.GET.get("survivor_search", "")
            ),
            "duplicate_candidates": selectors.customer_picker(
                request.user, request.GET.get("duplicate_search", "")
            ),
        },
    )
