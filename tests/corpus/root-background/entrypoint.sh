#!/bin/sh
# Starts a helper in the background as root, then drops for the main command.
set -eu
tail -f /dev/null &
exec setpriv --reuid=10001 --regid=10001 --clear-groups -- "$@"
