#!/bin/sh
# The "application": it just stays up.
exec sleep infinity
