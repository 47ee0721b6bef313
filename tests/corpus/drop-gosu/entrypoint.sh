#!/bin/sh
# Runs as root, prepares /data, then drops to app with gosu.
set -eu
mkdir -p /data && chown app:app /data
exec gosu app "$@"
