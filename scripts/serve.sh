#!/usr/bin/env bash
# Production-like run: gunicorn with debug off, static files from whitenoise.
# Real deployments set DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS and
# DJANGO_BEHIND_TLS_PROXY=1 (see README "Deploying"); on a laptop without
# TLS the defaults below let plain http://127.0.0.1:8000 work.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python

export DJANGO_DEBUG="${DJANGO_DEBUG:-0}"
export DJANGO_ALLOWED_HOSTS="${DJANGO_ALLOWED_HOSTS:-127.0.0.1,localhost}"
if [ -z "${DJANGO_SECRET_KEY:-}" ]; then
  echo "serve: DJANGO_SECRET_KEY unset, using a random one (sessions end on restart)" >&2
  DJANGO_SECRET_KEY="$($PY -c 'import secrets; print(secrets.token_urlsafe(50))')"
  export DJANGO_SECRET_KEY
  # No TLS in front of a laptop run: keep cookies and links on plain HTTP.
  export DJANGO_SECURE_SSL_REDIRECT="${DJANGO_SECURE_SSL_REDIRECT:-0}"
  export DJANGO_SECURE_COOKIES="${DJANGO_SECURE_COOKIES:-0}"
fi

$PY manage.py migrate --noinput
$PY manage.py collectstatic --noinput --verbosity 0
if [ "${LOAD_SHIPPED_REVIEWS:-1}" = 1 ]; then
  $PY manage.py load_shipped_reviews
fi

exec .venv/bin/gunicorn ichub.wsgi:application \
  --bind "${BIND:-127.0.0.1:8000}" \
  --workers "${WEB_CONCURRENCY:-4}" \
  --threads "${GUNICORN_THREADS:-2}" \
  --timeout "${GUNICORN_TIMEOUT:-30}" \
  --graceful-timeout 10 \
  --access-logfile "${GUNICORN_ACCESS_LOG:--}"
