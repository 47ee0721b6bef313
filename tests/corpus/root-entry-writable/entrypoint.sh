#!/bin/sh
# Runs as root, then drops to app (10001:10001) for good.
set -eu
exec setpriv --reuid=10001 --regid=10001 --clear-groups --inh-caps=-all -- "$@"
