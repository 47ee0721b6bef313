"""The template source `nonroot new` records as `_src_path` in the answers file.

It must be a URL that both `copier update` and Renovate's copier manager accept: Renovate
rejects a plain directory path, and Copier reads `https://host/x` (not GitHub or GitLab,
no `.git`) or `ssh://host/x` as a path unless it starts with `git+`. So:

- a template given as a URL is recorded as given;
- a password or token in a URL is never recorded (the answers file is committed);
- a template checkout with a git remote (`origin`, else its only remote) records the
  remote's URL, with `git+` in front where Copier needs it, and `git+file://` for a remote
  that is a directory;
- a checkout without a remote records `git+file://` and its absolute path;
- a directory that is not a git repository has no URL that Copier could update from: its
  path is kept and `SourceChoice.warning` says why;
- a `file://` URL works for copier update on this machine only: `SourceChoice.warning` says
  that CI and Renovate cannot reach it (the generated workflow refuses it) and how to fix it.
"""
from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

# Forms Copier's get_repo() reads as git without help (copier/_vcs.py: GIT_PREFIX, aliases).
COPIER_GIT_PREFIXES = ("git@", "git://", "git+", "https://github.com/", "https://gitlab.com/", "gh:", "gl:")
URL_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
# scp-like syntax: [user@]host:path (git's own rule: no slash before the first colon).
SCP_LIKE = re.compile(r"^(?:(?P<user>[^@/]+)@)?(?P<host>[^:/]+):(?P<path>.+)$")


@dataclass(frozen=True)
class SourceChoice:
    """What to record, and why when it cannot be a URL."""

    url: str
    warning: str = ""


def is_url(source: str) -> bool:
    return bool(URL_SCHEME.match(source)) or source.startswith(COPIER_GIT_PREFIXES)


def _git(repo: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=False)
    except OSError:  # no git at all: Copier could not clone either
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def _repository_root(path: Path) -> Path | None:
    top = _git(path, "rev-parse", "--show-toplevel")
    return Path(top).resolve() if top and Path(top).resolve() == path.resolve() else None


def _remote_url(repo: Path) -> str | None:
    names = (_git(repo, "remote") or "").split()
    name = "origin" if "origin" in names else (names[0] if len(names) == 1 else None)
    return _git(repo, "remote", "get-url", name) if name else None


def without_credentials(url: str) -> str:
    """URL without a password or token in it (CI checkouts often have https://x:TOKEN@host/...):
    the answers file is committed. An https user goes too; an ssh user (git@) stays."""
    parts = urlsplit(url)
    if not parts.scheme or "@" not in parts.netloc:
        return url
    userinfo, _, host = parts.netloc.rpartition("@")
    user = userinfo.partition(":")[0]
    keep = f"{user}@" if "ssh" in parts.scheme and user else ""
    return urlunsplit(parts._replace(netloc=keep + host))


def as_copier_url(remote: str, repo: Path) -> str:
    """A git remote URL as Copier and Renovate both read it."""
    remote = without_credentials(remote)
    if remote.startswith(COPIER_GIT_PREFIXES):
        return remote
    if URL_SCHEME.match(remote):
        # https://github.com/... and anything ending in .git Copier reads as is; the rest needs git+.
        return remote if remote.endswith(".git") and remote.startswith(("https://", "http://")) else f"git+{remote}"
    scp = SCP_LIKE.match(remote)
    if scp and not Path(remote).exists():
        user = f"{scp['user']}@" if scp["user"] else ""
        path = scp["path"] if scp["path"].startswith("/") else f"/~/{scp['path']}"
        return f"git+ssh://{user}{scp['host']}{path}"
    # A remote that is a directory (absolute, or relative to the checkout).
    return f"git+{(repo / remote).resolve().as_uri()}"


# URL@REF: a tag or branch name after the last @ of a URL (git@host:path has its @ before the host).
URL_AT_REF = re.compile(r"^(?P<url>.+[/:].+)@(?P<ref>[A-Za-z0-9][A-Za-z0-9._/-]*)$")


def split_ref(template: str, vcs_ref: str | None) -> tuple[str, str | None]:
    """`--template URL@REF` as (URL, REF); anything else (a path, a URL without @REF, or a
    --vcs-ref given as well) as given."""
    match = URL_AT_REF.match(template)
    if vcs_ref is None and is_url(template) and match and "@" not in match["ref"] and ":" not in match["ref"]:
        return match["url"], match["ref"]
    return template, vcs_ref


LOCAL_URL = re.compile(r"^(git\+)?file://")


def local_warning(url: str) -> str:
    """The warning for a template CI cannot reach ("" for one it can)."""
    if not LOCAL_URL.match(url):
        return ""
    return (f"nonroot: warning: the template {url} is on this machine: copier update works here, but the "
            "service's CI (which installs nonroot from it) and Renovate cannot reach it, and the CI workflow "
            "refuses it; generate from a URL they can reach: nonroot new DEST --template URL@REF "
            "(e.g. https://github.com/ORG/nonroot.git@v0.2.0)")


def recorded_source(template: str) -> SourceChoice:
    """The `_src_path` to record for TEMPLATE (a URL, or a local directory)."""
    if is_url(template):
        url = without_credentials(template)
        return SourceChoice(url, local_warning(url))
    path = Path(template).expanduser().resolve()
    repo = _repository_root(path)
    if repo is None:
        return SourceChoice(str(path), warning=(
            f"nonroot: warning: the template {path} is not a git repository, so the answers file "
            "records its path and neither copier update nor Renovate can update this service; "
            "generate from a git clone of the template (or --template URL) to keep it updatable"))
    remote = _remote_url(repo)
    url = as_copier_url(remote, repo) if remote else f"git+{repo.as_uri()}"
    return SourceChoice(url, local_warning(url))


ANSWER_LINE = re.compile(r"^_src_path:.*$", re.MULTILINE)


def record_source(answers_file: Path, url: str) -> None:
    """Replace the `_src_path` Copier wrote in ANSWERS_FILE with URL (one line, nothing else)."""
    import yaml

    text = answers_file.read_text()
    line = yaml.safe_dump({"_src_path": url}, default_flow_style=False, width=10**6).strip()
    new, count = ANSWER_LINE.subn(lambda _match: line, text, count=1)
    if count != 1:
        raise ValueError(f"{answers_file}: no _src_path line to record the template's URL in")
    answers_file.write_text(new)
