"""Re-planning (followups.replanning): a playbook's steps planned for the purchases that exist
already, as a background job started from the playbook's page."""

from datetime import timedelta

import pytest
from django.urls import resolve, reverse
from django.utils import timezone

from aftersales.errors import DomainError
from aftersales.models import Job, Notification
from customers.models import InvolvementLevel, Purchase
from followups import replanning
from followups.models import FollowUp
from tests.customers.factories import ProductCategoryFactory, PurchaseFactory
from tests.followups.factories import PlaybookFactory, PlaybookStepFactory


@pytest.fixture
def cars(db):
    return ProductCategoryFactory(code="cars", involvement=InvolvementLevel.HIGH)


@pytest.fixture
def playbook(cars):
    playbook = PlaybookFactory(name="Car care", category=cars)
    PlaybookStepFactory(playbook=playbook, offset_days=300, title="Ten-month check")
    return playbook


def handed_over(category, days_ago, **fields):
    today = timezone.localdate()
    return PurchaseFactory(
        main_category=category,
        purchase_date=today - timedelta(days=days_ago + 5),
        handover_date=today - timedelta(days=days_ago),
        **fields,
    )


def replanned(job):
    assert replanning.run_replanning(job.pk) == Job.DONE
    job.refresh_from_db()
    return job


def test_a_step_added_later_is_planned_for_the_purchases_that_exist(admin_user, cars, playbook):
    recent = [handed_over(cars, days) for days in (10, 100, 200)]
    cancelled = handed_over(cars, 20, status=Purchase.Status.CANCELLED)
    long_ago = handed_over(cars, 3000)
    other = handed_over(ProductCategoryFactory(code="bikes"), 10)
    added = PlaybookStepFactory(playbook=playbook, offset_days=360, title="Before the first year")

    job = replanned(replanning.start_replanning(by=admin_user, playbook=playbook))

    planned = FollowUp.objects.filter(step=added)
    assert sorted(planned.values_list("purchase", flat=True)) == sorted(p.pk for p in recent)
    assert not FollowUp.objects.filter(purchase__in=[cancelled, long_ago, other]).exists()
    # Each recent purchase also got the first step it lacked: two follow-ups each.
    assert FollowUp.objects.filter(purchase__in=recent).count() == 6
    assert job.result["planned"] == 6 and job.rows_total == 3
    assert "6 follow-ups planned for 3 purchases." in job.result["outcome"]
    assert Notification.objects.get(recipient=admin_user, kind="replan_job").link == reverse(
        "job", args=[job.pk]
    )


def test_planning_again_plans_nothing_twice(admin_user, cars, playbook):
    purchases = [handed_over(cars, days) for days in (5, 50)]

    first = replanned(replanning.start_replanning(by=admin_user, playbook=playbook))
    second = replanned(replanning.start_replanning(by=admin_user, playbook=playbook))

    assert first.result["planned"] == 2 and second.result["planned"] == 0
    assert FollowUp.objects.filter(purchase__in=purchases).count() == 2
    assert replanning.run_replanning(first.pk) is None  # a redelivered message does nothing


def test_batches_cover_every_purchase(admin_user, cars, playbook, monkeypatch):
    monkeypatch.setattr(replanning, "BATCH", 2)
    purchases = [handed_over(cars, days) for days in range(1, 6)]

    job = replanned(replanning.start_replanning(by=admin_user, playbook=playbook))

    assert job.result["planned"] == 5
    assert FollowUp.objects.filter(purchase__in=purchases).count() == 5


def test_a_fallback_playbook_plans_the_categories_without_their_own(admin_user, cars, playbook):
    fallback = PlaybookFactory(category=None, involvement=InvolvementLevel.HIGH, name="High")
    PlaybookStepFactory(playbook=fallback, offset_days=30)
    vans = ProductCategoryFactory(code="vans", involvement=InvolvementLevel.HIGH)
    van = handed_over(vans, 10)
    car = handed_over(cars, 10)  # cars have their own playbook

    replanned(replanning.start_replanning(by=admin_user, playbook=fallback))

    assert FollowUp.objects.filter(purchase=van, step__playbook=fallback).count() == 1
    assert not FollowUp.objects.filter(purchase=car, step__playbook=fallback).exists()


def test_only_who_edits_playbooks_starts_it(manager, playbook):
    with pytest.raises(DomainError):
        replanning.start_replanning(by=manager, playbook=playbook)
    assert not Job.objects.exists()


def test_the_playbook_page_starts_the_job_and_shows_its_outcome(login, admin_user, cars, playbook):
    handed_over(cars, 10)
    client = login(admin_user)
    page = client.get(playbook.get_absolute_url()).content.decode()
    replan = reverse("followups:playbook-replan", args=[playbook.pk])
    assert replan in page

    response = client.post(replan)

    assert response.status_code == 302
    job = Job.objects.get(pk=resolve(response.url).kwargs["pk"])
    waiting = client.get(response.url).content.decode()
    assert 'role="progressbar"' in waiting and "Planning Car care for existing purchases" in waiting
    replanning.run_replanning(job.pk)
    done = client.get(response.url).content.decode()
    assert "1 follow-up planned for 1 purchases." in done
    assert playbook.get_absolute_url() in done  # the way back
    assert client.get(replan).status_code == 405


@pytest.mark.parametrize("persona", ["manager", "owner", "quality_manager"])
def test_the_replanning_page_is_for_administrators(login, request, persona, playbook):
    client = login(request.getfixturevalue(persona))

    assert client.post(reverse("followups:playbook-replan", args=[playbook.pk])).status_code == 403
    assert not Job.objects.exists()


def test_an_inactive_playbook_is_not_planned(login, admin_user, playbook):
    playbook.is_active = False
    playbook.save(update_fields=["is_active"])

    response = login(admin_user).post(reverse("followups:playbook-replan", args=[playbook.pk]))

    assert response.status_code == 302 and response.url == playbook.get_absolute_url()
    assert not Job.objects.exists()
