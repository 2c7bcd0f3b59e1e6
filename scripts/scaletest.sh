#!/usr/bin/env bash
# `make scaletest`: run inside scripts/with_redis.sh and scripts/with_postgres.sh
# (the Makefile does), so DATABASE_URL and ICHUB_TEST_REDIS_URL point at throwaway
# servers. Prepares the database, then scripts/scaletest.py starts two gunicorn
# app servers and one RQ worker, sends the load and reconciles.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${DATABASE_URL:?scaletest needs DATABASE_URL (make scaletest sets up PostgreSQL)}"
: "${ICHUB_TEST_REDIS_URL:?scaletest needs a Redis (make scaletest starts one)}"
PY=.venv/bin/python

export REDIS_URL="$ICHUB_TEST_REDIS_URL"   # RQ workers, Redis caches and throttles
export DJANGO_DEBUG=0 DJANGO_ALLOWED_HOSTS=127.0.0.1,localhost
export DJANGO_SECRET_KEY="${DJANGO_SECRET_KEY:-$($PY -c 'import secrets; print(secrets.token_urlsafe(50))')}"
export DJANGO_SECURE_SSL_REDIRECT=0 DJANGO_SECURE_COOKIES=0
# The limits protect production from abuse; here the load is the point.
export DJANGO_THROTTLE_USER=1000000/minute DJANGO_THROTTLE_ANON=1000000/minute
# Uploads a server receives must be readable by the worker: one shared folder here,
# object storage (ICHUB_S3_BUCKET) across machines.
DJANGO_MEDIA_ROOT=$(mktemp -d /tmp/ichub-scaletest-media.XXXXXX)
export DJANGO_MEDIA_ROOT
trap 'rm -rf "$DJANGO_MEDIA_ROOT"' EXIT

$PY manage.py migrate --noinput --verbosity 0
$PY manage.py collectstatic --noinput --verbosity 0
$PY manage.py load_shipped_reviews --verbosity 0
$PY scripts/scaletest.py
