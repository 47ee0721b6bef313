"""Render a verification Report for people (a short table) or machines (JSON)."""
from __future__ import annotations

import json
from dataclasses import asdict

from .verify import Report

MARKS = {"pass": "ok  ", "warn": "warn", "fail": "FAIL", "unknown": "??  "}
OUTCOME = {0: "PROVEN NON-ROOT", 1: "ROOT OR PRIVILEGE FOUND", 2: "COULD NOT TELL"}


def to_json(report: Report, **extra: object) -> str:
    data = {
        "image": report.image,
        "image_id": report.image_id,
        "config_user": report.config_user,
        "exit_code": report.exit_code,
        "outcome": OUTCOME[report.exit_code],
        "checks": [asdict(c) for c in report.checks],
        "processes": [asdict(p) for p in report.processes],
        **extra,
    }
    return json.dumps(data, indent=2)


def to_text(report: Report, user_label: str = "") -> str:
    lines = [f"nonroot: {report.image} ({report.image_id[7:19] if report.image_id.startswith('sha256:') else report.image_id[:12]})"]
    if user_label:
        lines.append(f"  user:   {user_label}")
    lines.append(f"  config: USER {report.config_user or '(none)'}")
    for check in report.checks:
        lines.append(f"  [{MARKS.get(check.verdict, check.verdict)}] {check.name}: {check.summary}")
    for proc in report.processes:
        lines.append(f"         {proc.describe()}")
    passed = sum(c.verdict == "pass" for c in report.checks)
    lines.append(f"  => {OUTCOME[report.exit_code]} ({passed}/{len(report.checks)} checks passed)")
    return "\n".join(lines)
