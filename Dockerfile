# The production-like image: gunicorn for web, the same image for worker and beat.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
# Pango and fonts for WeasyPrint (PDF reports).
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 1000 crm

WORKDIR /app
# pyproject.toml installs the dependencies only (no packages of its own), so this
# layer is rebuilt when they change, not on every code change.
COPY pyproject.toml README.md ./
RUN pip install .
COPY . .
# Static files and translations at build time; no service is contacted.
ENV BUILD_ENV="DJANGO_SETTINGS_MODULE=config.settings.dev DATABASE_URL=postgresql://build@localhost/none REDIS_URL=redis://localhost:6379/0"
RUN env $BUILD_ENV python manage.py collectstatic --noinput \
    && env $BUILD_ENV python manage.py compile_translations \
    && mkdir -p /app/var && chown -R crm /app/var

USER crm
ENV DJANGO_SETTINGS_MODULE=config.settings.production CRM_VAR_DIR=/app/var
EXPOSE 8000
CMD ["gunicorn", "config.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3"]
