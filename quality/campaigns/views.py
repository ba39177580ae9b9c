"""Clusters and campaigns in the browser: thin views over selectors and services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from aftersales.errors import DomainError
from aftersales.views import add_domain_error, or_404, paginate, staff_member_required
from quality.campaigns import selectors, services
from quality.campaigns.forms import CampaignForm


@login_required
@staff_member_required
@permission_required("quality.view_complaintcluster", raise_exception=True)
@require_GET
def cluster_list(request):
    clusters = selectors.cluster_list(request.user, status=request.GET.get("status") or None)
    return render(
        request, "quality/campaigns/cluster_list.html", {"page": paginate(request, clusters)}
    )


def _cluster_page(request, cluster, form):
    return render(
        request,
        "quality/campaigns/cluster_detail.html",
        {
            "cluster": cluster,
            "complaints": selectors.cluster_complaints(request.user, cluster),
            "campaigns": cluster.campaigns.order_by("-created_at"),
            "form": form,
        },
    )


@login_required
@staff_member_required
@permission_required("quality.view_complaintcluster", raise_exception=True)
def cluster_detail(request, pk):
    cluster = or_404(selectors.cluster_detail, request.user, pk)
    form = None
    if request.user.has_perm("quality.add_campaign"):
        form = CampaignForm(
            request.POST or None,
            cluster=cluster,
            initial={"name": str(cluster), "reference": f"qc-{cluster.pk}"},
        )
        if request.method == "POST" and form.is_valid():
            try:
                campaign = services.create_campaign(
                    by=request.user, cluster=cluster, product=None, **form.cleaned_data
                )
            except DomainError as error:
                add_domain_error(form, error)
            else:
                messages.success(request, _("Campaign started."))
                return redirect(campaign)
    elif request.method == "POST":
        return redirect(cluster)
    return _cluster_page(request, cluster, form)


@login_required
@staff_member_required
@permission_required("quality.change_complaintcluster", raise_exception=True)
@require_POST
def cluster_close(request, pk):
    cluster = or_404(selectors.cluster_detail, request.user, pk)
    services.close_cluster(cluster=cluster, by=request.user)
    messages.success(request, _("Cluster closed."))
    return redirect("quality:cluster-list")


@login_required
@staff_member_required
@permission_required("quality.view_campaign", raise_exception=True)
@require_GET
def campaign_list(request):
    return render(
        request,
        "quality/campaigns/campaign_list.html",
        {"campaigns": selectors.campaigns_with_progress(request.user)},
    )


@login_required
@staff_member_required
@permission_required("quality.add_campaign", raise_exception=True)
def campaign_create(request):
    form = CampaignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.create_campaign(by=request.user, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Campaign started."))
            return redirect(campaign)
    return render(request, "quality/campaigns/campaign_form.html", {"form": form})


@login_required
@staff_member_required
@permission_required("quality.view_campaign", raise_exception=True)
@require_GET
def campaign_detail(request, pk):
    campaign = or_404(selectors.campaign_detail, request.user, pk)
    contacts = selectors.contacts_with_state(campaign)
    return render(
        request,
        "quality/campaigns/campaign_detail.html",
        {"campaign": campaign, "page": paginate(request, contacts, per_page=50)},
    )


@login_required
@staff_member_required
@permission_required("quality.change_campaign", raise_exception=True)
@require_POST
def campaign_close(request, pk):
    campaign = or_404(selectors.campaign_detail, request.user, pk)
    services.close_campaign(campaign=campaign, by=request.user)
    messages.success(request, _("Campaign closed."))
    return redirect(campaign)
