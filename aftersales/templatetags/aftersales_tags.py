from django import template
from django.utils.http import urlencode

from aftersales import navigation
from aftersales.badges import badge_class
from aftersales.roles import Role

register = template.Library()


@register.filter
def has_role(user, roles):
    """`{% if user|has_role:"manager,admin" %}`: navigation shows each role what it may use."""
    return user.is_authenticated and (
        user.is_superuser or user.has_role(*[role.strip() for role in roles.split(",")])
    )


@register.filter
def badge(state, palette):
    """`{{ complaint.status|badge:complaint.STATUS_BADGES }}`: the badge class of a state
    (aftersales.badges)."""
    return badge_class(palette, state)


@register.simple_tag(takes_context=True)
def links(context, place):
    """`{% links "menu:staff" as items %}`: the links the apps registered for a place that the
    current user may follow (aftersales.navigation)."""
    user = context["request"].user
    return navigation.links_for(place, user) if user.is_authenticated else []


@register.simple_tag(takes_context=True)
def query(context, **changes):
    """The current query string with some parameters replaced (sorting, paging, filters).

    An htmx fragment that goes into another page (the inbox's sections after an action) passes
    that page's parameters as `page_query`."""
    params = context.get("page_query", context["request"].GET).copy()
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    if "page" not in changes:
        params.pop("page", None)
    return "?" + urlencode(sorted(params.lists()), doseq=True)


@register.simple_tag(takes_context=True)
def query_page(context, param, number):
    """`{% query_page "overdue_page" 2 %}`: another page of one of several paged lists on one
    page (the inbox's sections), the other lists' pages kept."""
    return query(context, **{param: number})


@register.inclusion_tag("partials/sort_link.html", takes_context=True)
def sort_link(context, field, label):
    current = context["request"].GET.get("sort", "")
    if current == field:
        next_sort, direction = f"-{field}", "asc"
    elif current == f"-{field}":
        next_sort, direction = field, "desc"
    else:
        next_sort, direction = field, ""
    return {
        "request": context["request"],
        "sort": next_sort,
        "label": label,
        "direction": direction,
    }


@register.filter
def role_label(group_name):
    """The translated name of a role group."""
    return Role(group_name).label if group_name in Role.values else group_name
