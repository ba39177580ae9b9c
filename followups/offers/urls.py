from django.urls import path

from followups.offers import views

urlpatterns = [
    path("offer-rules/", views.offer_rule_list, name="offer-rule-list"),
    path("offer-rules/new/", views.offer_rule_create, name="offer-rule-create"),
    path("offer-rules/<int:pk>/", views.offer_rule_update, name="offer-rule-update"),
    path("offer-rules/<int:pk>/toggle/", views.offer_rule_toggle, name="offer-rule-toggle"),
    path("offers/", views.offer_list, name="offer-list"),
    path("offers/export/", views.offer_export, name="offer-export"),
    path("offers/figures/", views.offer_figures, name="offer-figures"),
    path("offers/figures/export/", views.offer_figures_export, name="offer-figures-export"),
    path(
        "offers/figures/declined-work/",
        views.declined_work_list,
        name="offer-figures-declined-work",
    ),
    path("offers/<int:pk>/", views.offer_detail, name="offer-detail"),
    *(
        path(
            f"offers/<int:pk>/{action}/",
            views.offer_action,
            {"action": action},
            name=f"offer-{action}",
        )
        for action in views.ACTIONS
    ),
]
