from celery import shared_task

from customers import exporting
from customers.importing import background

# A million rows take minutes; the job's own row says how far it got.
LONG_RUN = {"soft_time_limit": 30 * 60, "time_limit": 35 * 60}


@shared_task(acks_late=True, **LONG_RUN)
def run_import_job(job_id):
    return background.run_import_job(job_id)


@shared_task(acks_late=True, **LONG_RUN)
def run_customer_export(job_id):
    return exporting.run_export(job_id)
