#!/bin/sh
# As root: create and own the data directory, then run this script again as postgres.
# As postgres: initialise the data directory once, then become the server.
set -eu
if [ "$(id -u)" = 0 ]; then
  mkdir -p "$PGDATA" /var/run/postgresql
  chown -R postgres:postgres "$PGDATA" /var/run/postgresql
  chmod 700 "$PGDATA"
  exec gosu postgres "$0" "$@"
fi
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  echo 16 > "$PGDATA/PG_VERSION"
fi
exec "$@"
