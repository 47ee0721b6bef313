#!/bin/sh
# Saved on Windows: every line ends in CR LF.
set -eu
exec "$@"
