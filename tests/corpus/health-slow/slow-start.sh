#!/bin/sh
# Starts slowly (6 s of "migrations"), then serves (sleeps) and says it is ready.
set -eu
sleep 6
touch /tmp/ready
exec sleep infinity
