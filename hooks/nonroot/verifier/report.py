"""Render a verification Report for people (a summary table) or machines (JSON)."""
from __future__ import annotations

import json
from dataclasses import asdict

from .model import Report

OUTCOME = {0: "PROVEN NON-ROOT", 1: "ROOT OR PRIVILEGE FOUND", 2: "COULD NOT TELL",
           3: "NOT PROVEN: THE SERVICE DOES NOT WORK"}


def outcome(report: Report) -> str:
    """The outcome in words; a proof with accepted root commands names them."""
    accepted = report.accepted_root_commands
    if report.exit_code == 0 and accepted:
        return f"{OUTCOME[0]} EXCEPT THE ACCEPTED ROOT COMMANDS: {', '.join(accepted)}"
    return OUTCOME[report.exit_code]
MAX_PROCESS_LINES = 40  # the watch sees every process: a busy service can run hundreds in a window


def to_json(report: Report, **extra: object) -> str:
    data = {
        "image": report.image,
        "image_id": report.image_id,
        "config_user": report.config_user,
        "exit_code": report.exit_code,
        "outcome": outcome(report),
        "accepted_root_commands": list(report.accepted_root_commands),
        "healthy_at": report.healthy_at,
        "checks": [asdict(c) for c in report.checks],
        "processes": [asdict(p) for p in report.processes],
        **extra,
    }
    return json.dumps(data, indent=2)


def _short_id(image_id: str) -> str:
    return image_id[7:19] if image_id.startswith("sha256:") else image_id[:12]


def to_text(report: Report, user_label: str = "") -> str:
    """A table of checks (verdicts in the words of the JSON: pass, warn, fail, unknown, skip),
    the processes seen, and the outcome with its reason."""
    lines = [f"nonroot: {report.image} ({_short_id(report.image_id)})"]
    if user_label:
        lines.append(f"  user:   {user_label}")
    lines.append(f"  config: USER {report.config_user or '(none)'}")
    width = max([len(c.name) for c in report.checks] + [5])
    lines.append(f"  {'check':<{width}}  verdict  summary")
    for check in report.checks:
        lines.append(f"  {check.name:<{width}}  {check.verdict:<7}  {check.summary}")
    if report.processes:
        shown = report.processes[:MAX_PROCESS_LINES]
        lines.append("  processes seen:")
        lines += [f"    {proc.describe()}" for proc in shown]
        if len(report.processes) > len(shown):
            lines.append(f"    ... and {len(report.processes) - len(shown)} more (--json lists every one)")
    passed = sum(c.verdict == "pass" for c in report.checks)
    deciding = list(dict.fromkeys(c.name for c in report.failures()))
    because = f"; decided by {', '.join(deciding)}" if deciding else ""
    lines.append(f"  => {outcome(report)} ({passed}/{len(report.checks)} checks passed{because})")
    return "\n".join(lines)
