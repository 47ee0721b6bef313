"""Figure 2: a rebuild after a one-line change to app/main.py, against a cold build
(`nocache`) of the same generated service: which steps the classic builder ran again."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .building import Images, Step
from .workspace import render, service_answers

SERVICE = "nr-bench-rebuild"
CODE_COPY = "COPY . /app/"  # the runtime stage's copy of the build context (the code)
FILESYSTEM = ("COPY", "ADD", "RUN")


@dataclass
class RebuildResult:
    cold_seconds: float
    rebuild_seconds: float
    steps: list[Step]  # the rebuild's steps, in order, FROM lines left out

    @property
    def ratio(self) -> float:
        return self.rebuild_seconds / self.cold_seconds

    @property
    def cached_steps(self) -> list[str]:
        return [step.instruction for step in self.steps if step.cached]

    @property
    def rebuilt_steps(self) -> list[str]:
        return [step.instruction for step in self.steps if not step.cached]

    @property
    def rebuilt_with_files(self) -> list[str]:
        """Rebuilt steps that write a filesystem layer (the others only set metadata)."""
        return [step for step in self.rebuilt_steps if step.split(" ", 1)[0].upper() in FILESYSTEM]

    def only_from_code_copy(self) -> bool:
        """Every step before the copy of the code (the build context) came from the cache, and it is the only
        rebuilt step with files: the dependency layers were not built again."""
        code = next((i for i, step in enumerate(self.steps) if step.instruction.startswith(CODE_COPY)), None)
        return (code is not None and all(step.cached for step in self.steps[:code])
                and self.rebuilt_with_files == [self.steps[code].instruction])


def measure_rebuild(images: Images, template: Path, work: Path, base: str) -> RebuildResult:
    service = render(template, work / "rebuild", service_answers(base, service_name=SERVICE))
    tag = f"{SERVICE}:dev"
    cold = images.build(service, tag, nocache=True)
    main = service / "app" / "main.py"
    main.write_text(main.read_text() + "# one-line change\n")
    again = images.build(service, tag)
    return RebuildResult(cold_seconds=cold.seconds, rebuild_seconds=again.seconds,
                         steps=[step for step in again.steps if not step.is_from])
