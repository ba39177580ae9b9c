# Production image of the after-sales CRM: gunicorn serving Django, static files served by
# WhiteNoise, browser assets from npm (package-lock.json), translations compiled with Babel in a
# build stage.
# The same image runs the Celery worker and beat (see docker-compose.yml).

# --- Stage 1: browser assets (node_modules) --------------------------------------------------
FROM node:22-slim AS assets
WORKDIR /assets
# .npmrc sets ignore-scripts=true: no package runs install scripts.
COPY package.json package-lock.json .npmrc ./
RUN npm ci --no-audit --no-fund

# --- Stage 2: translations, compiled with Babel (a build tool only, pinned in the dev lock) ----
FROM python:3.11-slim AS translations
WORKDIR /build
COPY requirements-dev.lock ./
RUN grep '^babel==' requirements-dev.lock > babel.txt \
    && pip install --no-cache-dir --requirement babel.txt
COPY locale ./locale
RUN pybabel compile --domain django --directory locale --statistics

# --- Stage 3: the application ----------------------------------------------------------------
FROM python:3.11-slim

# DEBUG=false: the image never falls back to the development defaults; without SECRET_KEY and
# ALLOWED_HOSTS it refuses to start.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DEBUG=false

WORKDIR /app

# Non-root user. Its home (/home/app) gives gunicorn a writable place for its control socket.
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --create-home --home-dir /home/app \
       --shell /usr/sbin/nologin app

# Dependencies first, so that code changes do not reinstall them.
COPY requirements.lock ./
RUN pip install --no-cache-dir --requirement requirements.lock

COPY --from=assets /assets/node_modules ./node_modules
COPY . .
COPY --from=translations /build/locale ./locale

# Static files. collectstatic does not connect to the database; the SECRET_KEY here is a
# throwaway that exists only for this RUN line.
RUN DEBUG=false \
       SECRET_KEY=build-only-throwaway-secret-key-never-used-at-runtime-0123456789 \
       ALLOWED_HOSTS=build \
       DATABASE_URL=postgres://build:build@127.0.0.1:5432/build \
       python manage.py collectstatic --noinput \
    && mkdir -p /app/var/media /app/var/private \
    && chown -R app:app /app/var /app/staticfiles

# Numeric, so that runtimes can verify it is not root (e.g. Kubernetes runAsNonRoot).
USER 10001:10001

EXPOSE 8000

# No curl in the slim image: ask /healthz with urllib. X-Forwarded-Proto avoids the HTTPS redirect
# (SECURE_SSL_REDIRECT; settings trust the header), Host is the first ALLOWED_HOSTS entry so that
# Django does not answer 400 for "127.0.0.1". Any non-2xx answer or no answer is unhealthy.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request as u; h = os.environ.get('ALLOWED_HOSTS', '').split(',')[0].strip().lstrip('.'); h = 'localhost' if h in ('', '*') else h; u.urlopen(u.Request('http://127.0.0.1:8000/healthz', headers={'Host': h, 'X-Forwarded-Proto': 'https'}), timeout=4)"]

# As in docker-compose.yml (which says why): a gthread worker per core with four threads.
CMD ["gunicorn", "aftersales.wsgi", "--bind", "0.0.0.0:8000", "--workers", "2", "--worker-class", "gthread", "--threads", "4", "--access-logfile", "-"]
