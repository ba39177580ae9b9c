import gc
import os
from importlib import import_module

from django.conf import settings
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aftersales.settings")

application = get_wsgi_application()

# The URLconf imports every app's views and API modules; Django would do it on a worker's first
# request (about half a second of CPU, a spike the first callers of every worker wait for).
import_module(settings.ROOT_URLCONF)

# The code and data loaded so far live as long as the process: frozen, they are no longer
# traversed by every full collection, which took 80–190 ms of CPU on this heap and landed in
# the p95 of the lists that allocate most (purchases, complaints). A young generation of 20,000
# objects instead of 700 lets most of a request's short-lived objects die before a collection
# promotes them, so full collections become rare; a larger one (50,000) made each young
# collection a pause of its own (40–90 ms).
gc.freeze()
gc.set_threshold(20_000, *gc.get_threshold()[1:])
