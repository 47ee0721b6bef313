#!/usr/bin/env bash
# Run nonroot's test suite on this machine, setting up what it needs first:
#   - system tools: Docker engine, debootstrap (offline base images), shellcheck,
#     Debian's docker-compose 1.29, Podman (a second engine for the verifier),
#     Chromium (the documentation's search, in a headless browser)
#     (installed with apt-get when run as root on Debian/Ubuntu, else named);
#   - a running Docker engine (dockerd is started if none answers);
#   - .venv with nonroot and its test dependencies;
#   - the offline base images (tests/images.py: debootstrap -> docker import).
# Extra arguments go to pytest:  bash scripts/test.sh -k drop
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '== %s\n' "$*"; }

missing=()
command -v dockerd >/dev/null || missing+=(docker.io)
command -v docker >/dev/null || missing+=(docker.io)
command -v debootstrap >/dev/null || missing+=(debootstrap)
command -v shellcheck >/dev/null || missing+=(shellcheck)
# compose.yaml is also checked with Debian's docker-compose 1.29 (YAML 1.1)
[[ -x /usr/bin/docker-compose ]] || missing+=(docker-compose)
command -v make >/dev/null || missing+=(make)
command -v gcc >/dev/null || missing+=(gcc)
command -v bzip2 >/dev/null || missing+=(bzip2)
# the real Alpine userland (tests/images.py): qcow2 -> raw, files read without mounting
command -v qemu-img >/dev/null || missing+=(qemu-utils)
command -v unzip >/dev/null || missing+=(unzip)
[[ -x /sbin/debugfs ]] || command -v debugfs >/dev/null || missing+=(e2fsprogs)
command -v node >/dev/null || missing+=(nodejs)  # node --check of the node sample
# npm: the Renovate test installs Renovate (and Node.js 24) from the npm registry, cached
command -v npm >/dev/null || missing+=(npm)
# Podman: the verifier corpus also runs against its Docker-compatible API (tests/podman.py
# starts `podman system service` with a containers.conf of the tests' own)
command -v podman >/dev/null || missing+=(podman)
# Chromium: tests/test_docs.py types into the documentation site's search box, headless
command -v chromium >/dev/null || missing+=(chromium)
if ((${#missing[@]})); then
  if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
    log "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "missing: ${missing[*]}; install them (as root: apt-get install ${missing[*]}) and run again" >&2
    exit 1
  fi
fi

if ! docker info >/dev/null 2>&1; then
  if [[ $(id -u) != 0 ]]; then
    echo "no Docker engine answers and this is not root: start Docker, then run again" >&2
    exit 1
  fi
  log "starting dockerd (log: /var/log/dockerd.log)"
  setsid dockerd >/var/log/dockerd.log 2>&1 < /dev/null &
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && break
    sleep 1
  done
  if ! docker info >/dev/null 2>&1; then
    echo "dockerd did not come up; its log ends with:" >&2
    tail -n 20 /var/log/dockerd.log >&2
    exit 1
  fi
fi
log "engine: Docker $(docker version --format '{{.Server.Version}}')"

if [[ ! -x .venv/bin/python ]]; then
  log "creating .venv"
  python3 -m venv .venv
fi
log "installing nonroot and its test dependencies into .venv"
.venv/bin/python -m pip install -q --disable-pip-version-check -e '.[test]'
export PATH="$PWD/.venv/bin:$PATH"
# Compile nonroot's modules once: where PYTHONDONTWRITEBYTECODE is set (as on CI machines),
# every `nonroot`/Copier subprocess and every render's plan would compile them from source again.
python -m compileall -q hooks extensions

log "offline base images"
python tests/images.py

log "pytest"
python -m pytest "$@"
