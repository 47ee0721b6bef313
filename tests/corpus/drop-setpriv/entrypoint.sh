#!/bin/sh
# Runs as root, prepares /data, then drops to 10001:10001 for good.
set -eu
mkdir -p /data && chown 10001:10001 /data
exec setpriv --reuid=10001 --regid=10001 --clear-groups --inh-caps=-all -- "$@"
