#!/bin/sh
# The "server": like postgres, it refuses a data directory it does not own with mode 0700.
set -eu
found="$(stat -c %u:%a /var/lib/db)"
if [ "$found" != "10001:700" ]; then
  echo "data directory /var/lib/db has owner:mode $found, want 10001:700" >&2
  exit 1
fi
echo "$$" > /var/lib/db/server.pid
exec sleep infinity
