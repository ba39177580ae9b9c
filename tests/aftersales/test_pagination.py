"""List totals: exact while small, PostgreSQL's estimate ("about ...") above EXACT_COUNT_LIMIT, on
the pages and in the API."""

import time

import pytest
from django.core.cache import caches
from django.db import connection
from django.urls import reverse

from aftersales import pagination
from aftersales.pagination import EstimatingPaginator, rounded
from customers.models import Customer
from tests.aftersales.factories import UserFactory
from tests.customers.factories import CustomerFactory


@pytest.fixture
def customers(north):
    CustomerFactory.create_batch(30, branch=north)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE customers_customer")
    return Customer.objects.order_by("pk")


def test_a_small_list_is_counted_exactly(customers, django_assert_num_queries):
    paginator = EstimatingPaginator(customers, 10)
    with django_assert_num_queries(1):  # COUNT over the LIMITed subquery
        assert paginator.count == 30
    assert not paginator.is_estimate


def test_a_big_list_takes_the_planners_estimate(customers, monkeypatch, django_assert_num_queries):
    monkeypatch.setattr(pagination, "EXACT_COUNT_LIMIT", 5)
    paginator = EstimatingPaginator(customers, 10)
    with django_assert_num_queries(2):  # the limited COUNT, then EXPLAIN (no row read)
        assert paginator.count == 30  # the statistics of the analysed table
    assert paginator.is_estimate
    assert paginator.num_pages == 3


def test_a_big_lists_estimate_is_reused_for_the_same_query(
    customers, north, monkeypatch, django_assert_num_queries
):
    monkeypatch.setattr(pagination, "EXACT_COUNT_LIMIT", 5)
    assert EstimatingPaginator(customers, 10).count == 30
    CustomerFactory.create_batch(3, branch=north)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE customers_customer")
    again = EstimatingPaginator(customers, 10)
    with django_assert_num_queries(0):
        assert again.count == 30
    assert again.is_estimate
    # Another query (here: another filter) is counted and estimated for itself.
    with django_assert_num_queries(2):
        assert EstimatingPaginator(customers.filter(branch=north), 10).count == 33


def test_an_estimate_is_reused_only_for_a_while(customers, monkeypatch):
    monkeypatch.setattr(pagination, "EXACT_COUNT_LIMIT", 5)
    monkeypatch.setattr(pagination, "ESTIMATE_REUSE_SECONDS", 0.2)
    monkeypatch.setattr(pagination, "estimated_rows", lambda queryset: 40)
    assert EstimatingPaginator(customers, 10).count == 40
    monkeypatch.setattr(pagination, "estimated_rows", lambda queryset: 50)
    assert EstimatingPaginator(customers, 10).count == 40
    time.sleep(0.3)
    assert EstimatingPaginator(customers, 10).count == 50


def test_a_small_list_is_counted_again_every_time(customers, north, django_assert_num_queries):
    assert EstimatingPaginator(customers, 10).count == 30
    CustomerFactory(branch=north)
    with django_assert_num_queries(1):
        assert EstimatingPaginator(customers, 10).count == 31


@pytest.mark.parametrize("nothing", [lambda rows: rows.filter(pk__in=[]), lambda rows: rows.none()])
def test_a_list_no_row_can_match_counts_none(customers, nothing, django_assert_num_queries):
    paginator = EstimatingPaginator(nothing(customers), 10)
    with django_assert_num_queries(0):
        assert paginator.count == 0
    assert not paginator.is_estimate
    assert list(paginator.get_page(1)) == []


@pytest.mark.parametrize(
    "url", ["/customers/", "/purchases/", "/complaints/", "/api/customers/", "/api/followups/"]
)
def test_a_staff_member_of_no_branch_sees_empty_lists(login, customers, url):
    """Their scope is `branch__in=[]`, which no row can match: an empty list, not an error."""
    newcomer = UserFactory(username="nora", roles=["sales"], branches=[])
    response = login(newcomer).get(url)
    assert response.status_code == 200
    if url.startswith("/api/"):
        assert (response.json()["count"], response.json()["results"]) == (0, [])


def test_an_estimate_never_falls_below_what_was_counted(customers, monkeypatch):
    monkeypatch.setattr(pagination, "EXACT_COUNT_LIMIT", 5)
    monkeypatch.setattr(pagination, "estimated_rows", lambda queryset: 2)
    assert EstimatingPaginator(customers, 10).count == 6


@pytest.mark.parametrize(
    ("number", "shown"), [(7, 7), (42, 42), (1_234, 1_200), (1_234_567, 1_200_000), (999, 1_000)]
)
def test_estimates_are_rounded_to_two_digits(number, shown):
    assert rounded(number) == shown


def test_the_customer_list_says_about(login, manager, customers, monkeypatch):
    monkeypatch.setattr(pagination, "EXACT_COUNT_LIMIT", 5)
    page = login(manager).get(reverse("customers:customer-list")).content.decode()
    assert "about 30 entries" in page
    monkeypatch.setattr(pagination, "EXACT_COUNT_LIMIT", 100)
    caches[pagination.ESTIMATES_CACHE].clear()  # else the estimate is reused for a minute
    page = login(manager).get(reverse("customers:customer-list")).content.decode()
    assert "30 entries" in page
    assert "about" not in page.split("30 entries")[0][-10:]


def test_the_api_says_whether_its_count_is_an_estimate(client, manager, customers, monkeypatch):
    client.force_login(manager)
    body = client.get("/api/customers/").json()
    assert (body["count"], body["count_is_estimate"]) == (30, False)
    monkeypatch.setattr(pagination, "EXACT_COUNT_LIMIT", 5)
    body = client.get("/api/customers/").json()
    assert body["count_is_estimate"]
    assert len(body["results"]) == 30
