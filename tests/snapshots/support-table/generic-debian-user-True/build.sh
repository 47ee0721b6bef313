#!/bin/sh
# Stands for your own build, which runs outside the image (CI, make, gradle...):
# it must leave the artifact at dist/app, which the Dockerfile copies to
# /app/ and starts with /app/app.
#
# This sample builds the Go server in src/ into one static binary (needs Go):
#     ./build.sh && nonroot check .
set -eu
cd "$(dirname "$0")/src"
CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o ../dist/app .
