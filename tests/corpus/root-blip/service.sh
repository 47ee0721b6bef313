#!/bin/sh
# Serves (sleeps) and runs the setuid helper for 50 ms every second.
set -u
while :; do
  /usr/local/bin/blip 0.05
  sleep 0.95
done
