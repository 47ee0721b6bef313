#!/bin/sh
# As root: drop to the database user for good (its data directory was prepared at build time).
set -eu
exec setpriv --reuid=10001 --regid=10001 --clear-groups --inh-caps=-all -- "$@"
