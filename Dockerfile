# syntax=docker/dockerfile:1
# Rapport's one image: gunicorn by default; the worker and beat run the same image with another
# command (see compose.yaml). Build: `docker build -t rapport .`

# --- builder: the pinned dependencies in a virtualenv ------------------------------------------
FROM python:3.11-slim AS builder

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PYTHONDONTWRITEBYTECODE=1

RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH

WORKDIR /build
# Only the dependency list: code changes do not invalidate this layer. The project itself is
# not a package (`packages = []`), so this installs its dependencies and an empty dist.
COPY pyproject.toml ./
RUN pip install .

# --- final image -------------------------------------------------------------------------------
FROM python:3.11-slim

# WEB_CONCURRENCY is gunicorn's default worker count; override it per deployment.
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=config.settings.production \
    WEB_CONCURRENCY=3

# WeasyPrint (quote and letter PDFs) renders text with Pango; the fonts are vendored in static/.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system rapport \
    && useradd --system --gid rapport --home-dir /app --no-create-home --shell /usr/sbin/nologin rapport

COPY --from=builder /opt/venv /opt/venv

WORKDIR /app
COPY . .

# Static files are collected into the image (whitenoise serves them). The secrets and hosts
# below exist only for this step (production settings refuse to start without them); the
# running container must be given real ones.
RUN SECRET_KEY=collectstatic-only-not-a-secret-collectstatic-only-not-a-secret \
    ALLOWED_HOSTS=localhost BILLING_SANDBOX_ENABLED=true \
    BILLING_SANDBOX_WEBHOOK_SECRET=collectstatic-only-not-a-secret-0000000 \
    python manage.py collectstatic --noinput

USER rapport
EXPOSE 8000

# Recycle workers now and then: each long-lived DB connection's catalog cache grows with every
# tenant schema it touches.
CMD ["gunicorn", "config.wsgi:application", \
     "--bind", "0.0.0.0:8000", \
     "--max-requests", "1000", "--max-requests-jitter", "100", \
     "--access-logfile", "-"]
