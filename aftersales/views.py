from functools import wraps

from celery import current_app
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db import DatabaseError, connection
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django.views.i18n import set_language
from kombu.exceptions import KombuError

from aftersales import jobs, selectors, services
from aftersales.access import is_staff_member, sees_all_branches
from aftersales.context_processors import LANGUAGE_OFFER
from aftersales.errors import DomainError
from aftersales.forms import BranchForm, LanguageForm, UserForm
from aftersales.models import Branch, Job, Notification, User
from aftersales.pagination import EstimatingPaginator
from aftersales.roles import Role
from aftersales.signin import services as signin_services

PAGE_SIZE = 25


def paginate(request, queryset, per_page=PAGE_SIZE):
    return EstimatingPaginator(queryset, per_page).get_page(request.GET.get("page"))


def or_404(selector, *args, **kwargs):
    """What a detail selector returns; 404 when the object does not exist or is out of scope."""
    try:
        return selector(*args, **kwargs)
    except ObjectDoesNotExist as missing:
        raise Http404 from missing


def next_url(request, default):
    """Where to go after a form: a local `next` parameter, else the default."""
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def role_required(test):
    """A view for the users `test(user)` accepts; 403 for everyone else (who is logged in)."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not test(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


# Internal staff: a mystery shopper's model permissions are for their own work only.
staff_member_required = role_required(is_staff_member)


def add_domain_error(form, error):
    """A service's DomainError as a form error: on its field when the form has it."""
    form.add_error(error.field if error.field in form.fields else None, error.message)


def parse_active(value):
    return {"yes": True, "no": False}.get(value)


# Private uploads shown in the browser; other allowed types (HEIC) are downloaded.
INLINE_TYPES = {"image/jpeg", "image/png", "image/webp", "application/pdf", "text/plain"}


def private_file_response(upload):
    """Stream a private upload (a model with `file`, `name`, `content_type`) after the caller has
    checked the permission; never a public media URL. Raises FileNotFoundError when it is gone."""
    response = FileResponse(
        upload.file.open("rb"),
        as_attachment=upload.content_type not in INLINE_TYPES,
        filename=upload.name,
        content_type=upload.content_type,
    )
    # Uploaded files are not ours: never run anything they might contain.
    response["Content-Security-Policy"] = "sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def home(request):
    user = request.user
    context = {
        "branches": selectors.branches_visible_to(user)[:10],
        "notifications": selectors.notifications_for(user, unread_only=True)[:5],
        "roles": [Role(name).label for name in sorted(user.role_names) if name in Role.values],
    }
    if user.has_perm("aftersales.manage_organisation"):
        context["branch_count"] = Branch.objects.count()
        context["user_count"] = User.objects.filter(is_active=True).count()
    if user.has_perm("aftersales.view_team"):
        context["team"] = selectors.team_of(user)[:12]
    return render(request, "aftersales/home.html", context)


@login_required
@permission_required("aftersales.view_branch", raise_exception=True)
def branch_list(request):
    branches = selectors.branches_visible_to(
        request.user,
        search=request.GET.get("q", "").strip(),
        active=parse_active(request.GET.get("active", "")),
        ordering=request.GET.get("sort", "name"),
    )
    return render(
        request,
        "aftersales/branch_list.html",
        {
            "page": paginate(request, branches),
            "can_manage": request.user.has_perm("aftersales.manage_organisation"),
        },
    )


@login_required
@permission_required("aftersales.manage_organisation", raise_exception=True)
def branch_create(request):
    form = BranchForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            branch = services.create_branch(by=request.user, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Branch “%(name)s” created.") % {"name": branch.name})
            return redirect("branch-list")
    return render(request, "aftersales/branch_form.html", {"form": form})


@login_required
@permission_required("aftersales.manage_organisation", raise_exception=True)
def branch_update(request, pk):
    branch = get_object_or_404(Branch.objects.visible_to(request.user), pk=pk)
    form = BranchForm(request.POST or None, instance=branch)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_branch(branch=branch, by=request.user, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Branch “%(name)s” saved.") % {"name": branch.name})
            return redirect("branch-list")
    return render(request, "aftersales/branch_form.html", {"form": form, "branch": branch})


@login_required
@permission_required("aftersales.manage_organisation", raise_exception=True)
def user_list(request):
    branch_id = request.GET.get("branch", "")
    users = selectors.users_for_administration(
        search=request.GET.get("q", "").strip(),
        role=request.GET.get("role", "") if request.GET.get("role") in Role.values else "",
        branch=int(branch_id) if branch_id.isdigit() else None,
        active=parse_active(request.GET.get("active", "")),
        ordering=request.GET.get("sort", "username"),
    )
    return render(
        request,
        "aftersales/user_list.html",
        {
            "page": paginate(request, users),
            "role_choices": Role.choices,
            "branch_choices": Branch.objects.order_by("name").values_list("pk", "name"),
        },
    )


@login_required
@permission_required("aftersales.manage_organisation", raise_exception=True)
def user_create(request):
    form = UserForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.create_user(
                by=request.user,
                username=data["username"],
                password=data["password1"],
                roles=data["roles"],
                branches=data["branches"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
                phone=data["phone"],
                language=data["language"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("User “%(name)s” created.") % {"name": user})
            return redirect("user-list")
    return render(request, "aftersales/user_form.html", {"form": form})


@login_required
@permission_required("aftersales.manage_organisation", raise_exception=True)
def user_update(request, pk):
    user = get_object_or_404(User.objects.prefetch_related("groups", "branches"), pk=pk)
    form = UserForm(request.POST or None, instance=user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_user(
                user=user,
                by=request.user,
                roles=data["roles"],
                branches=data["branches"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
                phone=data["phone"],
                language=data["language"],
                is_active=data["is_active"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("User “%(name)s” saved.") % {"name": user})
            return redirect("user-list")
    return render(request, "aftersales/user_form.html", {"form": form, "edited_user": user})


@login_required
def profile(request):
    """The signed-in person's own settings: the language of their notifications and e-mails,
    and the time zone their due times are shown in (their branches')."""
    form = LanguageForm(request.POST or None, initial={"language": request.user.language})
    if request.method == "POST" and form.is_valid():
        try:
            services.set_user_language(user=request.user, language=form.cleaned_data["language"])
        except DomainError as error:
            add_domain_error(form, error)
        else:
            request.session.pop(LANGUAGE_OFFER, None)
            response = redirect(next_url(request, "profile"))
            # The saved language becomes the display language too (the switcher's cookie).
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                request.user.language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
                secure=settings.LANGUAGE_COOKIE_SECURE,
            )
            with translation.override(request.user.language):
                messages.success(request, _("Your language has been saved."))
            return response
    return render(
        request,
        "aftersales/profile.html",
        {
            "language_form": form,
            "branch_zones": request.user.branches.order_by("name").values_list("name", "time_zone"),
            "default_zone": settings.TIME_ZONE,
            "tokens": signin_services.tokens_of(request.user),
            "two_factor_on": signin_services.has_second_factor(request.user),
        },
    )


@require_POST
def switch_language(request):
    """Django's set_language, which changes the display language, and for a signed-in person
    whose saved language differs, an offer on the next page to save the choice."""
    response = set_language(request)
    language = request.POST.get("language")
    user = request.user
    if user.is_authenticated and language in dict(settings.LANGUAGES):
        if language == user.language:
            request.session.pop(LANGUAGE_OFFER, None)
        else:
            request.session[LANGUAGE_OFFER] = language
    return response


@login_required
@permission_required("aftersales.view_team", raise_exception=True)
def team(request):
    return render(
        request,
        "aftersales/team.html",
        {
            "page": paginate(request, selectors.team_of(request.user)),
            "sees_all": sees_all_branches(request.user),
        },
    )


@login_required
def notification_list(request):
    unread_only = request.GET.get("unread") == "1"
    notifications = selectors.notifications_for(request.user, unread_only=unread_only)
    return render(
        request,
        "aftersales/notification_list.html",
        {"page": paginate(request, notifications), "unread_only": unread_only},
    )


@login_required
@require_POST
def notification_read(request, pk):
    notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
    services.mark_notification_read(notification=notification, by=request.user)
    if request.htmx:
        return render(
            request, "aftersales/partials/notification_item.html", {"notification": notification}
        )
    if notification.link and notification.link.startswith("/"):
        return redirect(notification.link)
    return redirect("notification-list")


@login_required
@require_POST
def notification_read_all(request):
    count = services.mark_all_notifications_read(by=request.user)
    messages.success(
        request,
        ngettext(
            "%(count)d notification marked as read.",
            "%(count)d notifications marked as read.",
            count,
        )
        % {"count": count},
    )
    return redirect("notification-list")


@never_cache
@require_GET
def healthz(request):
    """Liveness for load balancers and compose: can we reach the database and the broker?"""
    checks = {"database": _database_reachable(), "broker": _broker_reachable()}
    healthy = all(checks.values())
    return JsonResponse(
        {
            "status": "ok" if healthy else "unavailable",
            **{k: "ok" if v else "down" for k, v in checks.items()},
        },
        status=200 if healthy else 503,
    )


def _database_reachable():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return False
    return True


def _broker_reachable():
    try:
        with current_app.connection_for_write() as broker:
            broker.ensure_connection(max_retries=1, timeout=2)
    except (OSError, KombuError):
        return False
    return True


# --- background jobs (aftersales.jobs): their page, progress bar and file ---


def _own_job(request, pk):
    job = jobs.own_job(request.user, pk)
    if job is None:
        raise Http404
    return job


@login_required
@require_GET
def job_detail(request, pk):
    """A job's page for the user who started it: the progress bar while it runs, then what it
    did (the text and back link its starter gave in the job's parameters) and its file."""
    job = _own_job(request, pk)
    params = job.params
    return render(
        request,
        "aftersales/job.html",
        {
            "job": job,
            "title": params.get("title", _("Background job")),
            "outcome": (job.result or {}).get("outcome", ""),
            "has_file": job.state == Job.DONE and jobs.output_path(job).exists(),
            "back_url": params.get("back_url", ""),
            "back_label": params.get("back_label", ""),
        },
    )


@login_required
@require_GET
def job_progress(request, pk):
    job = _own_job(request, pk)
    return render(
        request,
        "partials/job_progress.html",
        {
            "job": job,
            "progress_url": reverse("job-progress", args=[job.pk]),
            "outcome_url": reverse("job", args=[job.pk]),
            "outcome": "job",
        },
    )


@login_required
@require_GET
def job_download(request, pk):
    job = _own_job(request, pk)
    path = jobs.output_path(job)
    if job.state != Job.DONE or not path.exists():
        raise Http404
    response = FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=job.params.get("filename", path.name),
        content_type="text/csv; charset=utf-8",
    )
    response["Cache-Control"] = "private, no-store"
    return response
