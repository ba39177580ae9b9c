"""The web process's start-up (aftersales/wsgi.py): the URLconf loaded and the garbage collector
tuned before the first request, in a process of its own (the settings last for the process)."""

import json
import subprocess
import sys

from django.conf import settings

REPORT = (
    "import gc, json, sys, aftersales.wsgi;"
    "print(json.dumps({'urlconf': %r in sys.modules, 'frozen': gc.get_freeze_count(),"
    " 'young': gc.get_threshold()[0]}))"
)


def test_the_web_process_loads_the_urlconf_and_freezes_what_it_loaded():
    report = subprocess.run(  # noqa: S603 (our own interpreter and code)
        [sys.executable, "-c", REPORT % settings.ROOT_URLCONF],
        capture_output=True,
        text=True,
        check=True,
        cwd=settings.BASE_DIR,
    )
    started = json.loads(report.stdout.strip().splitlines()[-1])
    assert started["urlconf"]
    # Django, the apps and the URLconf: far more than a bare interpreter's few thousand objects.
    assert started["frozen"] > 50_000
    assert started["young"] == 20_000
