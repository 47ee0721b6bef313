"""The answers that adopt an existing service (issue 13's interface): each reaches the
generated files, so an adopted service needs no hand edits."""
from __future__ import annotations

import pytest
import yaml
from dockerfile_parse import DockerfileParser

from service_files import compose_service, pod_spec


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
    copies = _instructions(generate(stack=stack, sample_app=False), "COPY")
    assert not any(c.startswith("app/") for c in copies)
    assert ". /app/" in copies or ". ./" in copies
