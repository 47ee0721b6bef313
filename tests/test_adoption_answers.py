"""The answers that adopt an existing service (issue 13's interface): each reaches the
generated files, so an adopted service needs no hand edits."""
from __future__ import annotations

import pytest
from dockerfile_parse import DockerfileParser

from service_files import compose_service, pod_spec

# What starts a service of one's own (without the sample, the command is the repository's).
START = {"python": {"command": ["gunicorn", "app:app"]}, "node": {"command": ["node", "index.js"]}}


def _instructions(dest, name: str) -> list[str]:
    parser = DockerfileParser(path=str(dest / "Dockerfile"))
    return [i["value"] for i in parser.structure if i["instruction"] == name]


@pytest.mark.parametrize("stack", ["python", "node", "go", "generic"])
def test_command_is_the_cmd_for_every_stack(generate, stack):
    dest = generate(stack=stack, command=["/app/bin/serve", "--port", "8080"])
    assert _instructions(dest, "CMD")[-1] == '["/app/bin/serve", "--port", "8080"]'


def test_on_distroless_the_interpreter_of_the_command_is_the_images(generate):
    dest = generate(stack="node", distro="distroless", command=["node", "src/index.js"])
    assert _instructions(dest, "ENTRYPOINT") == ['["/nodejs/bin/node"]']
    assert _instructions(dest, "CMD") == ['["src/index.js"]']


@pytest.mark.parametrize("stack", ["python", "node", "go"])
def test_the_build_context_is_copied_not_the_samples_layout(generate, stack):
    # go: no go.mod without the sample; python and node: a command (the sample's is not theirs)
    copies = _instructions(generate(stack=stack, sample_app=stack == "go", **START.get(stack, {})), "COPY")
    assert not any(c.startswith("app/") for c in copies)
    assert ". /app/" in copies or ". ./" in copies


def test_health_path_is_probed_by_the_image_compose_and_kubernetes(generate):
    dest = generate(stack="python", health_path="/health", kubernetes=True)
    [healthcheck] = _instructions(dest, "HEALTHCHECK")
    assert "http://127.0.0.1:8080/health'" in healthcheck
    assert "127.0.0.1:8080/health'" in compose_service(dest, "my-service")["healthcheck"]["test"][-1]
    container = pod_spec(dest)["containers"][0]
    assert container["readinessProbe"]["httpGet"]["path"] == "/health"


def test_go_gets_a_probe_built_in_its_builder(generate):
    dest = generate(stack="go", distro="scratch", base_image="scratch", health_path="/ready")
    [healthcheck] = _instructions(dest, "HEALTHCHECK")
    assert healthcheck.endswith('CMD ["/usr/local/bin/nonroot-healthcheck", "http://127.0.0.1:8080/ready"]')
    assert "--from=builder /out/healthcheck /usr/local/bin/nonroot-healthcheck" in _instructions(dest, "COPY")


@pytest.mark.parametrize("answers", [{"health_path": ""}, {"stack": "generic"}, {"privilege": "drop"}])
def test_no_probe_runs_in_the_container_where_none_can_run_as_the_user(generate, answers):
    dest = generate(kubernetes=True, **answers)
    assert _instructions(dest, "HEALTHCHECK") == []
    assert "healthcheck" not in compose_service(dest, "my-service")
    probe = pod_spec(dest)["containers"][0].get("readinessProbe")
    assert (probe is None) == (answers.get("health_path") == "" or answers.get("stack") == "generic")


def test_env_reaches_the_image_and_compose_with_port_always_set(generate):
    dest = generate(port=5000, env={"LOG_LEVEL": "info", "GREETING": "a $HOME b"})
    envs = DockerfileParser(path=str(dest / "Dockerfile")).envs
    assert (envs["PORT"], envs["LOG_LEVEL"]) == ("5000", "info")
    assert 'GREETING="a \\$HOME b"' in (dest / "Dockerfile").read_text()  # no build-time substitution
    environment = compose_service(dest, "my-service")["environment"]
    assert environment == {"PORT": "5000", "HOME": "/nonexistent", "LOG_LEVEL": "info", "GREETING": "a $$HOME b"}


@pytest.mark.parametrize(("env", "reason"), [
    ({"PORT": "80"}, "env: PORT is set from the port answer"),
    ({"1X": "a"}, "is not a variable name"),
    ("[a]", "env: must be a YAML mapping"),
])
def test_env_that_cannot_work_is_refused(generate, env, reason):
    with pytest.raises(ValueError, match=reason):
        generate(env=env)


def test_a_port_below_1024_is_allowed_with_the_unprivileged_port_sysctl(generate):
    dest = generate(port=80, kubernetes=True)
    assert compose_service(dest, "my-service")["sysctls"] == {"net.ipv4.ip_unprivileged_port_start": 0}
    assert pod_spec(dest)["securityContext"]["sysctls"] == [
        {"name": "net.ipv4.ip_unprivileged_port_start", "value": "0"}]
    assert "sysctls" not in compose_service(generate(port=8080), "my-service")


def test_build_packages_go_to_the_builder_and_runtime_packages_to_the_runtime(generate):
    text = (generate(stack="node", build_packages=["make", "g++"], runtime_packages=["libpq5"]) / "Dockerfile").read_text()
    builder, runtime = text.split("# ---- runtime")
    assert "install -y --no-install-recommends make g++" in builder and "make g++" not in runtime
    assert "install -y --no-install-recommends libpq5" in runtime


@pytest.mark.parametrize(("distro", "command"), [("alpine", "apk add --no-cache libpq"),
                                                 ("rhel", "microdnf install -y libpq")])
def test_runtime_packages_use_the_familys_package_manager(generate, distro, command):
    assert command in (generate(distro=distro, runtime_packages=["libpq"]) / "Dockerfile").read_text()


def test_the_go_builder_installs_with_apt_whatever_the_runtime_family(generate):
    builder = (generate(stack="go", distro="alpine", build_packages=["libc6-dev"]) / "Dockerfile").read_text()
    assert "apt-get install -y --no-install-recommends libc6-dev" in builder.split("# ---- runtime")[0]


@pytest.mark.parametrize(("answers", "reason"), [
    ({"distro": "distroless", "runtime_packages": ["libpq5"]}, "distroless has no package manager"),
    ({"runtime_packages": ["libpq5; id"]}, "is not a package name"),
    ({"build_packages": "gcc"}, "must be a YAML list"),
])
def test_packages_that_cannot_work_are_refused(generate, answers, reason):
    with pytest.raises(ValueError, match=reason):
        generate(**answers)


@pytest.mark.parametrize(("manager", "lockfile", "install"), [
    ("npm", "package-lock.json*", "npm ci --omit=dev"),
    ("yarn", "yarn.lock", "yarn install --frozen-lockfile --production"),
    ("pnpm", "pnpm-lock.yaml", "pnpm install --frozen-lockfile --prod"),
])
def test_node_installs_with_the_answered_package_manager(generate, manager, lockfile, install):
    text = (generate(stack="node", package_manager=manager, sample_app=False, **START["node"]) / "Dockerfile").read_text()
    assert f"COPY package.json {lockfile}" in text and install in text
    assert text.index(install) < text.index("COPY . ./")  # dependencies before the code


def test_npm_without_a_lockfile_installs_and_says_the_build_is_not_reproducible(generate):
    text = (generate(stack="node") / "Dockerfile").read_text()
    assert "npm install --omit=dev" in text and "the build is not reproducible" in text


def test_the_runtime_takes_node_modules_from_the_builder_as_roots(generate):
    """npm 9 run as root keeps the owners recorded in the packages (express's: 501:20): the
    runtime's copy makes them root's (a copy's cache ignores owners, so it is said on the COPY)."""
    runtime = (generate(stack="node") / "Dockerfile").read_text().split("# ---- runtime")[1]
    assert "COPY --from=builder --chown=0:0 /app /app" in runtime


def test_the_single_layouts_npm_install_gives_node_modules_to_root_in_its_own_layer(generate):
    text = (generate(stack="node", layout="single") / "Dockerfile").read_text()
    install = text[text.index("RUN if [ -f package-lock.json ]"):]
    install = install[:install.index("\n# ")]  # the RUN, to the next comment
    assert install.index("npm install --omit=dev") < install.index("&& chown -R 0:0 .")


def test_build_ca_cert_is_trusted_by_the_builder_only_and_not_ignored(generate):
    dest = generate(build_ca_cert="certs/corp-ca.pem")
    builder, runtime = (dest / "Dockerfile").read_text().split("# ---- runtime")
    assert "COPY certs/corp-ca.pem /etc/ssl/nonroot-build-ca.pem" in builder
    assert "PIP_CERT=/etc/ssl/nonroot-build-ca.pem" in builder
    assert "nonroot-build-ca" not in runtime and "corp-ca" not in runtime
    assert (dest / ".dockerignore").read_text().splitlines()[-1] == "!certs/corp-ca.pem"


@pytest.mark.parametrize(("stack", "args"), [("python", ["PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL"]),
                                             ("node", ["NPM_CONFIG_REGISTRY"]), ("go", ["GOPROXY"])])
def test_package_index_build_args_reach_the_builder_only(generate, stack, args):
    builder, runtime = (generate(stack=stack) / "Dockerfile").read_text().split("# ---- runtime")
    assert all(f"ARG {name}\n" in builder for name in args)
    assert "ARG " not in runtime


@pytest.mark.parametrize(("answers", "reason"), [
    ({"layout": "single", "build_ca_cert": "ca.pem"}, "the single layout would keep it"),
    ({"build_ca_cert": "../ca.pem"}, "must be a relative path inside the repository"),
])
def test_a_build_ca_cert_that_would_leak_or_escape_is_refused(generate, answers, reason):
    with pytest.raises(ValueError, match=reason):
        generate(**answers)


@pytest.mark.parametrize("deps", ["pyproject", "poetry"])
def test_pyproject_and_poetry_install_the_project_itself_after_its_dependencies(generate, deps):
    builder = (generate(python_deps=deps, sample_app=False, **START["python"]) / "Dockerfile").read_text().split("# ---- runtime")[0]
    assert builder.index("COPY . /tmp/project/") < builder.index("pip install --no-cache-dir --no-deps /tmp/project")
    lock = "poetry.lock" if deps == "poetry" else "pyproject.toml"
    assert builder.index(lock) < builder.index("COPY . /tmp/project/")


def test_poetry_never_reaches_the_image(generate):
    text = (generate(python_deps="poetry", sample_app=False, **START["python"]) / "Dockerfile").read_text()
    assert "poetry install --only main --no-root \\\n && rm -rf /opt/poetry" in text
    assert "/opt/poetry" not in text.split("# ---- runtime")[1]


def test_go_in_a_repository_without_go_mod_is_refused_with_the_reason(renders, tmp_path):
    from copier import run_copy

    repository = tmp_path / "service"
    repository.mkdir()
    (repository / "main.go").write_text("package main\n")
    with pytest.raises(ValueError, match="there is no go.mod here"):
        run_copy(str(renders.template), str(repository), data={"stack": "go", "sample_app": False, "verify": False},
                 defaults=True, unsafe=True, quiet=True)
    assert sorted(p.name for p in repository.iterdir()) == ["main.go"]  # nothing written


@pytest.mark.parametrize("stack", ["python", "node", "go"])
def test_the_runtime_copies_the_code_without_the_build_ca_cert(generate, stack):
    text = (generate(stack=stack, build_ca_cert="corp-ca.pem") / "Dockerfile").read_text()
    builder, runtime = text.split("# ---- runtime")
    assert "RUN rm " in builder and "corp-ca.pem" in builder.split("RUN rm ")[1].splitlines()[0]
    assert "COPY . " not in runtime  # the context only through the builder, which removed the bundle


def _copy_with_settings(template, tmp_path, settings: dict | None, dest_name: str = "svc") -> dict:
    import yaml

    from helpers import run_copier

    env = {}
    if settings is not None:
        path = tmp_path / "copier-settings.yml"
        path.write_text(yaml.safe_dump({"defaults": settings}))
        env["COPIER_SETTINGS_PATH"] = str(path)
    dest = tmp_path / dest_name
    result = run_copier("copy", "--trust", "--defaults", "-d", "verify=false", str(template), str(dest), env=env)
    assert result.returncode == 0, result.stderr[-2000:]
    return yaml.safe_load((dest / ".copier-answers.nonroot.yml").read_text())


def test_a_uid_range_pinned_by_the_organisation_is_not_a_question(renders, tmp_path):
    answers = _copy_with_settings(renders.template, tmp_path, {"uid_min": 20000, "uid_max": 29999})
    assert "uid_min" not in answers and "uid_max" not in answers  # policy, not asked nor recorded
    assert answers["uid"] == 20000  # and still applied


def test_without_an_organisation_range_the_range_is_asked_once_and_recorded(renders, tmp_path):
    answers = _copy_with_settings(renders.template, tmp_path, None)
    assert (answers["uid_min"], answers["uid_max"]) == (1, 2147483647)


def test_plain_copier_copy_into_a_repository_takes_the_detected_defaults(renders, tmp_path):
    """The same detection as `nonroot new` (hooks/nonroot/scaffold/detect.py), as Copier defaults."""
    import yaml
    from copier import run_copy

    from adoption import app_copy

    repository = app_copy("express-nolock", tmp_path / "express-nolock")
    run_copy(str(renders.template), str(repository), data={"verify": False}, defaults=True, unsafe=True, quiet=True)
    answers = yaml.safe_load((repository / ".copier-answers.nonroot.yml").read_text())
    assert (answers["stack"], answers["sample_app"], answers["command"]) == ("node", False, ["node", "server.js"])
    assert answers["port"] == 8080  # not detected here (nonroot new does); the app reads $PORT
    assert not (repository / "app").exists()  # no sample written over the service


# ---------------------------------------------- a service with no health route: its port is checked
def test_no_health_route_gets_a_check_of_the_port_in_the_image_compose_and_kubernetes(generate):
    dest = generate(stack="python", health_path="tcp", port=7000, kubernetes=True, **START["python"])
    [healthcheck] = _instructions(dest, "HEALTHCHECK")
    assert "socket.create_connection(('127.0.0.1', 7000), 3)" in healthcheck
    assert "socket.create_connection(('127.0.0.1', 7000), 3)" in " ".join(compose_service(dest, "my-service")["healthcheck"]["test"])
    container = pod_spec(dest)["containers"][0]
    assert container["readinessProbe"]["tcpSocket"] == {"port": "http"}
    assert container["livenessProbe"]["tcpSocket"] == {"port": "http"}
    assert "httpGet" not in container["readinessProbe"]


def test_the_go_probe_checks_the_port_when_there_is_no_route(generate):
    text = (generate(stack="go", health_path="tcp") / "Dockerfile").read_text()
    assert 'net.DialTimeout("tcp"' in text and "http.Client" not in text
    assert '"/usr/local/bin/nonroot-healthcheck", "tcp://127.0.0.1:8080"' in text
