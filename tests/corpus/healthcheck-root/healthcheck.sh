#!/bin/sh
# Healthy when the data directory is there and the service process is alive.
set -eu
test -d /data
cat /proc/1/cmdline >/dev/null
