#!/bin/sh
# Roles: web (migrate, seed the price book, gunicorn), worker, beat, or any command.
set -e
case "$1" in
  web)
    python manage.py migrate --noinput
    python manage.py seed_price_book
    exec gunicorn costgov.wsgi --bind 0.0.0.0:8000 --workers "${WEB_CONCURRENCY:-4}" \
      --timeout 120 --access-logfile -
    ;;
  worker)
    exec celery -A costgov worker --loglevel "${LOG_LEVEL:-INFO}" --concurrency "${WORKER_CONCURRENCY:-4}"
    ;;
  beat)
    exec celery -A costgov beat --loglevel "${LOG_LEVEL:-INFO}" --schedule /var/lib/costgov/celerybeat-schedule
    ;;
  *)
    exec "$@"
    ;;
esac
