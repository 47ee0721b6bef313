#!/bin/sh
# Bring the database schema up to date, then serve.
set -e
flask db upgrade
exec gunicorn -b :5000 --access-logfile - --error-logfile - app:app
