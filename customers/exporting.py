"""The customer list as CSV, filtered and scoped like the list page.

The view passes the queryset from `selectors.customer_list` (which applies the user's branch
scope and the list's filters); this module turns it into rows, read in chunks so that 100,000
customers never sit in memory at once (aftersales.csv_export writes and streams them).

A list of up to INLINE_ROWS customers is downloaded at once. A longer one is an export job
(aftersales.jobs): a worker writes the file in the starter's language and scope with a progress
bar, and the starter downloads it from the job's page. A retry writes the file anew, under a
temporary name until it is complete, so a killed worker never leaves half a file to download.
"""

import os

from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from aftersales import jobs
from aftersales.csv_export import csv_chunks
from aftersales.models import Job
from aftersales.services import notify
from customers import selectors
from customers.forms import CustomerFilterForm
from customers.models import Channel

CHUNK_SIZE = 2000
# Longer lists are exported by a worker (a job), not in the request.
INLINE_ROWS = 5000
EXPORT = "customers.export"
EXPORT_TASK = "customers.tasks.run_customer_export"
# Progress is reported every this many rows.
PROGRESS_ROWS = 1000


def customer_header():
    return [
        _("ID"),
        _("Name"),
        _("Company"),
        _("E-mail"),
        _("Phone"),
        _("Postcode"),
        _("City"),
        _("Branch"),
        _("Salesperson"),
        *(_("Consent: %(channel)s") % {"channel": label} for _value, label in Channel.choices),
        _("Last purchase"),
    ]


def customer_row(customer, yes, no):
    """One customer from `selectors.customer_list` (branch and salesperson joined)."""
    person = " ".join(part for part in (customer.first_name, customer.last_name) if part)
    last_purchase = customer.last_purchase_date
    return [
        customer.pk,
        person,
        customer.company_name,
        customer.email,
        customer.phone or customer.mobile,
        customer.postcode,
        customer.city,
        customer.branch.name,
        str(customer.salesperson) if customer.salesperson else "",
        *(yes if getattr(customer, f"consent_{channel}") else no for channel in Channel.values),
        last_purchase.isoformat() if last_purchase else "",
    ]


def customer_rows(customers):
    """The header, then one row per customer."""
    yes, no = _("yes"), _("no")
    yield customer_header()
    for customer in customers.iterator(chunk_size=CHUNK_SIZE):
        yield customer_row(customer, yes, no)


def list_of(user, query):
    """The customer list as the list page shows it for these GET parameters ({name: [values]})."""
    parameters = QueryDict(mutable=True)
    for name, values in query.items():
        parameters.setlist(name, values)
    filters = CustomerFilterForm(parameters or None, user=user)
    return selectors.customer_list(
        user, **filters.selector_arguments(), ordering=parameters.get("sort", "name")
    )


def is_long(customers):
    """More than INLINE_ROWS: exported by a worker (a count of at most INLINE_ROWS + 1 rows)."""
    return customers[: INLINE_ROWS + 1].count() > INLINE_ROWS


def export_filename():
    return f"customers-{timezone.localdate().isoformat()}.csv"


def start_export(*, by, query):
    """The export job of the customer list with these GET parameters ({name: [values]})."""
    back = reverse("customers:customer-list")
    encoded = QueryDict(mutable=True)
    for name, values in query.items():
        encoded.setlist(name, values)
    return jobs.start_job(
        kind=EXPORT,
        task_name=EXPORT_TASK,
        by=by,
        params={
            "query": query,
            "title": _("Customer export"),
            "back_url": f"{back}?{encoded.urlencode()}" if query else back,
            "back_label": _("Customers"),
            "filename": export_filename(),
        },
    )


def run_export(job_id):
    """The export task's body; returns the job's final state (None: not for us to run)."""
    job = jobs.claim(job_id)
    if job is None:
        return None
    by = job.started_by
    with translation.override(jobs.language_of(by)):
        customers = list_of(by, job.params["query"])
        total = customers.count()
        progress = jobs.Progress(job, total=total)
        path = jobs.output_path(job)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".part")
        try:
            with partial.open("w", encoding="utf-8", newline="") as file:
                os.chmod(partial, 0o600)
                for chunk in csv_chunks(_counted(customer_rows(customers), progress)):
                    file.write(chunk)
            partial.replace(path)
            jobs.finish(
                job,
                result={
                    "rows": total,
                    "outcome": ngettext(
                        "%(count)d customer exported.", "%(count)d customers exported.", total
                    )
                    % {"count": total},
                },
            )
        except Exception as error:
            # Failed, not left running: the requeue tick would only fail it again. (A database
            # that is away fails this too; then the job stays running and is tried again.)
            jobs.fail(job, error=error)
            raise
        finally:
            progress.close()
            partial.unlink(missing_ok=True)
        notify(
            recipient=by,
            kind="export_job",
            subject=_("Your customer export is ready."),
            link=reverse("job", args=[job.pk]),
            dedupe_key=f"export_job:{job.pk}",
            email=False,
        )
    return Job.DONE


def _counted(rows, progress):
    for number, row in enumerate(rows):
        if number and number % PROGRESS_ROWS == 0:
            progress(number)
        yield row
