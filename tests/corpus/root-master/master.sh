#!/bin/sh
# The master: starts two workers as www, then waits for them (as root).
set -u
for _ in 1 2; do
  setpriv --reuid=www --regid=www --clear-groups -- sleep infinity &
done
wait
