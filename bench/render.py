"""Figure 3: `copier copy` of this template, render only (tasks off), against the same
Copier call on a one-file template: the template's own overhead. Beside them, a third
template tells how much of that overhead is Copier's own handling of this template's
questions: the same questions (names, types, choices), with the answers this render took as
literal defaults and nothing else (no help, `when`, validator or extension), and one file."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .timing import interleaved_medians
from .workspace import ANSWERS_FILE, commit_all, git, one_file_template, render, service_answers


@dataclass
class RenderResult:
    seconds: float
    baseline_seconds: float
    repeat: int
    plain_questions_seconds: float = 0.0  # the same questions, plain (0: not measured)
    questions: int = 0

    @property
    def ratio(self) -> float:
        return self.seconds / self.baseline_seconds

    @property
    def plain_questions_ratio(self) -> float:
        return self.plain_questions_seconds / self.baseline_seconds


def _plain(spec: dict[str, Any], answer: Any) -> dict[str, Any]:
    """One question with its type and literal choices, ANSWER as its default."""
    kind = str(spec.get("type", "str"))
    question: dict[str, Any] = {"type": kind}
    choices = spec.get("choices")
    if isinstance(choices, dict):  # literal choices: their values (a choice may carry a validator)
        question["choices"] = {name: value["value"] if isinstance(value, dict) else value
                               for name, value in choices.items()}
        values = list(question["choices"].values())
    elif isinstance(choices, list):
        question["choices"] = values = list(choices)
    elif choices is not None:  # printed from the rows: the answer is the one choice known here
        question["choices"] = values = ["x" if answer is None else answer]
    else:
        values = []
    if answer is None:  # a question this render did not ask: its first choice, or a literal of its type
        answer = values[0] if values else {"bool": False, "int": 0, "yaml": "[]"}.get(kind, "")
    question["default"] = answer if isinstance(answer, (str, bool, int)) else yaml.safe_dump(answer).strip()
    return question


def plain_questions_template(dest: Path, template: Path, rendered: Path) -> tuple[Path, int]:
    """TEMPLATE's questions, plain (see the module's docstring), with the answers RENDERED
    recorded, as a one-file template in a git repository; and how many questions."""
    config = yaml.safe_load((template / "copier.yml").read_text())
    answers = yaml.safe_load((rendered / ANSWERS_FILE).read_text())
    questions = {name: _plain(spec, answers.get(name)) for name, spec in config.items()
                 if not name.startswith("_") and isinstance(spec, dict)}
    dest.mkdir(parents=True)
    (dest / "copier.yml").write_text(yaml.safe_dump(questions, sort_keys=False))
    (dest / "hello.txt.jinja").write_text("Hello {{ service_name }}.\n")
    git(dest, "init", "-q")
    commit_all(dest, "plain questions")
    return dest, len(questions)


def measure_render(template: Path, work: Path, base: str, repeat: int) -> RenderResult:
    baseline = one_file_template(work / "one-file")
    answers = service_answers(base, service_name="nr-bench-render")
    # One call of each first, unmeasured: imports and Copier's caches are warm for all three.
    rendered = render(template, work / "warm-nonroot", answers)
    render(baseline, work / "warm-one-file", {})
    plain, questions = plain_questions_template(work / "plain-questions", template, rendered)
    render(plain, work / "warm-plain", {})
    seconds, baseline_seconds = interleaved_medians(lambda i: render(template, work / f"nonroot-{i}", answers),
                                                    lambda i: render(baseline, work / f"one-file-{i}", {}), repeat)
    plain_seconds, _ = interleaved_medians(lambda i: render(plain, work / f"plain-{i}", {}),
                                           lambda i: render(baseline, work / f"one-file-again-{i}", {}), repeat)
    return RenderResult(seconds=seconds, baseline_seconds=baseline_seconds, repeat=repeat,
                        plain_questions_seconds=plain_seconds, questions=questions)
