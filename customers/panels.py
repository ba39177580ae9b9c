"""Panels on the customer page that higher apps contribute (quality: the dissonance score).

The customers app cannot import the apps above it (docs/architecture.md), so a higher app
registers a provider in its AppConfig.ready(). A provider takes the customer and the reader and
returns a Panel, or None when the reader may not see it, in a constant number of queries. The
page renders every panel with one template (customers/partials/customer_panel.html): panels
are data, never another app's template.
"""

from dataclasses import dataclass

_providers = []


@dataclass(frozen=True)
class Panel:
    key: str  # names the panel's heading (id="<key>-heading")
    title: str
    figure: str = ""
    figure_label: str = ""
    badge: str = ""
    badge_style: str = "secondary"  # a Bootstrap colour: the badge is text-bg-<style>
    lines: tuple = ()
    link: str = ""
    link_label: str = ""


def register(provider):
    if provider not in _providers:
        _providers.append(provider)
    return provider


def panels_for(customer, user):
    return [panel for provider in _providers if (panel := provider(customer, user)) is not None]
