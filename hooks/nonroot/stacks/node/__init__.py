"""Node.js: npm, yarn or pnpm (package_manager), production dependencies only, in /app."""
from __future__ import annotations

from ...families.debian import CODENAME, RELEASE as DEBIAN
from ...families.rhel import UBI
from ...rows import Stack

VERSION = "24"  # Active LTS

STACK = Stack(
    "node", order=20, title="Node.js (npm, yarn or pnpm; production dependencies)",
    help="node: npm, yarn or pnpm (package_manager), production dependencies only.",
    families=("debian", "alpine", "rhel", "distroless"),
    images={"debian": f"node:{VERSION}-{CODENAME}-slim", "alpine": f"node:{VERSION}-alpine",
            "rhel": f"{UBI}/nodejs-{VERSION}-minimal:1", "distroless": f"gcr.io/distroless/nodejs{VERSION}-debian{DEBIAN}:nonroot"},
    shell_less_builder=f"node:{VERSION}-{CODENAME}-slim", layouts=("multi", "single"),
    command=lambda answers: ["node", "/app/app/server.js"],
    command_is_sample=True,
    health_probe=("{interpreter}", "-e", "require('http').get('{url}', (r) => process.exit("
                  "r.statusCode === 200 ? 0 : 1)).on('error', () => process.exit(1))"),
    tcp_probe=("{interpreter}", "-e", "require('net').connect({port}, '127.0.0.1').on('connect', () => "
               "process.exit(0)).on('error', () => process.exit(1))"),
    interpreters=("node",), shell_less_interpreter="/nodejs/bin/node",
    runtime_env=True, build_step=True, build_prunes=True, image_account=("node", 1000), build_args=("NPM_CONFIG_REGISTRY",),
    dev_mounts=(".:/app", "node-modules:/app/node_modules"), dev_volumes=("node-modules",),
    base_image_names=("node",), questions=("package_manager",),
    own_answers=lambda answers: {"package_manager": str(answers.get("package_manager") or "npm")},
    sample=lambda answers: ["app/server.js", "package.json", "package-lock.json"],
    refusals={"scratch": "scratch is an empty image with no Node.js runtime; use distroless for a shell-less "
                         "node image",
              "ubuntu": f"there is no Ubuntu-based Node.js image; use debian (node:{VERSION}-{CODENAME}-slim)"},
)
