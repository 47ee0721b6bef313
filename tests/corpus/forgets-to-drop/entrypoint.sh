#!/bin/sh
# Prepares /data for the user... and then forgets to drop: the command runs as root.
set -eu
mkdir -p /data && chown 10001:10001 /data
exec "$@"
