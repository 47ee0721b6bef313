"""Compare two render_table.py outputs, minus issue 15's intentional changes (the new
default images, the setuid/setgid deletion, the image's labels): prints what else differs.
python scripts/compare_renders.py BEFORE AFTER [-v] [--ignore-blank]"""
import sys, re, pathlib, difflib
before, after = map(pathlib.Path, sys.argv[1:3])
IMAGES = {
 "python:3.12-slim-bookworm": "python:3.14-slim-trixie", "python:3.12-alpine": "python:3.14-alpine",
 "node:20-bookworm-slim": "node:24-trixie-slim", "node:20-alpine": "node:24-alpine",
 "registry.access.redhat.com/ubi9/nodejs-20-minimal:1": "registry.access.redhat.com/ubi9/nodejs-24-minimal:1",
 "gcr.io/distroless/nodejs20-debian12:nonroot": "gcr.io/distroless/nodejs24-debian13:nonroot",
 "gcr.io/distroless/python3-debian12:nonroot": "gcr.io/distroless/python3-debian13:nonroot",
 "gcr.io/distroless/static-debian12:nonroot": "gcr.io/distroless/static-debian13:nonroot",
 "golang:1.22-bookworm": "golang:1.26-trixie", "debian:12-slim": "debian:13-slim", "alpine:3.20": "alpine:3.23",
 "registry.access.redhat.com/ubi9/ubi-minimal:9.4": "registry.access.redhat.com/ubi9/ubi-minimal:9.7",
}
def norm_before(t):
    for a, b in IMAGES.items(): t = t.replace(a, b)
    return t
def norm_after(t):
    t = t.replace(" \\\n && find / -xdev -perm /6000 -type f -delete", "")
    t = re.sub(r"# The image's contract.*\n# only paths it may write.\nLABEL .*\n(      .*\n)*", "", t)
    return t
n = 0
for f in sorted(before.rglob("*")):
    if f.is_dir() or f.name == ".copier-answers.nonroot.yml": continue
    g = after / f.relative_to(before)
    if not g.exists(): print("MISSING", g); n += 1; continue
    a, b = norm_before(f.read_text()), norm_after(g.read_text())
    if "--ignore-blank" in sys.argv: a, b = re.sub(r"\n\n+", "\n", a), re.sub(r"\n\n+", "\n", b)
    if a != b:
        n += 1
        if "-v" in sys.argv:
            print("".join(difflib.unified_diff(a.splitlines(True), b.splitlines(True), str(f), str(g), n=1)))
        else:
            print("DIFF", g)
for g in sorted(after.rglob("*")):
    if g.is_file() and not (before / g.relative_to(after)).exists(): print("EXTRA", g); n += 1
print(n, "unexplained differences")
