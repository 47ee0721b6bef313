"""All figures of one run: as JSON (bench/results.json, one key per figure) and as the
Markdown table printed and put in docs/benchmarks.md (the Benchmarks page)."""
from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

from .machine import Machine
from .memory import MemoryResult
from .rebuild import RebuildResult
from .render import RenderResult
from .size import SizeResult
from .update import UpdateResult
from .verification import GOAL_OVER_WINDOW, VerifyResult

SIZE_GOAL_BYTES = 16 * 1024
RENDER_GOAL_RATIO = 1.5  # issue 20: a render at most ×1.5 a one-file template's
UPDATE_GOAL_RATIO = 2.0  # issue 20: an update at most ×2 a bare `copier update` of a one-file template
PAGE_START, PAGE_END = "<!-- bench:start -->", "<!-- bench:end -->"


@dataclass
class Results:
    command: str
    measured_at: str  # UTC, ISO 8601
    quick: bool
    machine: Machine
    size: SizeResult
    rebuild: RebuildResult
    render: RenderResult
    verify: VerifyResult
    update: UpdateResult
    memory: MemoryResult
    memory_payload: MemoryResult
    total_seconds: float


def to_json(results: Results) -> dict[str, object]:
    size, rebuild, render, verify, update = (results.size, results.rebuild, results.render, results.verify,
                                             results.update)
    return {
        "command": results.command,
        "measured_at": results.measured_at,
        "quick": results.quick,
        "machine": asdict(results.machine),
        "total_seconds": round(results.total_seconds, 1),
        # 1. image size
        "payload_bytes": size.payload_bytes,
        "naive_image_bytes": size.naive_bytes,
        "size_overhead_bytes": size.overhead_multi,
        "size_overhead_single_bytes": size.overhead_single,
        "size_goal_bytes": SIZE_GOAL_BYTES,
        "chown_r_overhead_bytes": size.chown_r_overhead,
        "chown_r_overhead_share_of_payload": round(size.chown_r_share_of_payload, 4),
        "image_layers": {name: [{"created_by": by, "size": n} for by, n in layers]
                         for name, layers in size.layers.items()},
        # 2. rebuild
        "cold_build_seconds": round(rebuild.cold_seconds, 3),
        "rebuild_seconds": round(rebuild.rebuild_seconds, 3),
        "rebuild_ratio": round(rebuild.ratio, 4),
        "layers_rebuilt": len(rebuild.rebuilt_steps),
        "filesystem_layers_rebuilt": len(rebuild.rebuilt_with_files),
        "only_layers_from_code_copy_rebuilt": rebuild.only_from_code_copy(),
        "steps_cached": len(rebuild.cached_steps),
        "rebuilt_steps": rebuild.rebuilt_steps,
        # 3. render
        "render_seconds": round(render.seconds, 3),
        "render_baseline_seconds": round(render.baseline_seconds, 3),
        "render_overhead_ratio": round(render.ratio, 3),
        "render_repeat": render.repeat,
        "render_plain_questions_seconds": round(render.plain_questions_seconds, 3),
        "render_plain_questions_ratio": round(render.plain_questions_ratio, 3),
        "render_questions": render.questions,
        # 4. verification
        "verify_seconds": round(verify.seconds, 3),
        "verify_cpu_seconds": round(verify.cpu_seconds, 3),
        "verify_repeat": verify.repeat,
        "whole_run_seconds": round(verify.whole_seconds, 3),
        "whole_run_parts_seconds": {"render": round(verify.render_seconds, 3),
                                    "cold_build": round(verify.build_seconds, 3),
                                    "verify": round(verify.first_verify_seconds, 3)},
        "verify_share": round(verify.share, 4),
        # 5. fleet update
        "update_seconds_per_service": round(update.per_service, 3),
        "update_services": update.services,
        "update_method": update.method,
        "update_baseline_seconds_per_service": round(update.baseline_per_service, 3),
        "update_overhead_ratio": round(update.ratio, 3),
        # 6. memory
        "verify_peak_rss_bytes": results.memory.peak_rss_bytes,
        "verify_peak_rss_payload_image_bytes": results.memory_payload.peak_rss_bytes,
    }


def to_table(results: Results) -> str:
    size, rebuild, render, verify, update = (results.size, results.rebuild, results.render, results.verify,
                                             results.update)
    m = results.machine
    payload = _mib(size.payload_bytes)
    rebuilt = ", ".join(_short(step) for step in rebuild.rebuilt_steps) or "none"
    rows = [
        ("1", "image size overhead, nonroot `multi` (default) vs naive root Dockerfile",
         f"{_signed(size.overhead_multi)}", f"naive image {_mb(size.naive_bytes)}", "≤ 16 KiB",
         _goal(size.overhead_multi <= SIZE_GOAL_BYTES)),
        ("1", "image size overhead, nonroot `single` vs naive root Dockerfile",
         f"{_signed(size.overhead_single)}", "same", "≤ 16 KiB", _goal(size.overhead_single <= SIZE_GOAL_BYTES)),
        ("1", "CR6 seed's `COPY` + `RUN chown -R` vs naive root Dockerfile",
         f"{_signed(size.chown_r_overhead)} ({size.chown_r_share_of_payload:+.1%} of the {payload} payload)",
         "same", "-", "-"),
        ("2", "rebuild after a one-line change to app/main.py",
         f"{rebuild.rebuild_seconds:.2f} s, ratio {rebuild.ratio:.3f}; rebuilt {len(rebuild.rebuilt_steps)} of "
         f"{len(rebuild.rebuilt_steps) + len(rebuild.cached_steps)} steps ({rebuilt}), "
         f"{len(rebuild.rebuilt_with_files)} with files",
         f"cold build (`nocache`) {rebuild.cold_seconds:.2f} s",
         "no step before the code copy rebuilt; after it, the code copy is the one step with files (the others "
         "after it only set metadata and write no layer)",
         _goal(rebuild.only_from_code_copy())),
        ("3", "`copier copy`, render only (tasks off)",
         f"{render.seconds:.2f} s, ×{render.ratio:.2f}", f"one-file template {render.baseline_seconds:.2f} s "
         f"(median of {render.repeat}); the same {render.questions} questions with nothing else (literal "
         f"defaults, no help, `when`, validator or extension) {render.plain_questions_seconds:.2f} s, "
         f"×{render.plain_questions_ratio:.2f}", f"≤ ×{RENDER_GOAL_RATIO:g}", _goal(render.ratio <= RENDER_GOAL_RATIO)),
        verify_row(verify),
        ("4", "`nonroot verify IMAGE`: its share of copy -> cold build -> verify",
         f"{verify.share:.0%} of the whole run",
         f"copy {verify.render_seconds:.2f} s + cold build {verify.build_seconds:.2f} s + verify "
         f"{verify.first_verify_seconds:.2f} s = {verify.whole_seconds:.2f} s", "-", "-"),
        ("5", "`copier update` per service, to the next template tag",
         f"{update.per_service:.2f} s per service, ×{update.ratio:.2f}",
         f"one-file template {update.baseline_per_service:.2f} s per service, one `copier update` each "
         f"({update.services} services each; nonroot's through {update.method})",
         f"≤ ×{UPDATE_GOAL_RATIO:g}", _goal(update.ratio <= UPDATE_GOAL_RATIO)),
        ("6", "peak memory (RSS) of the `nonroot verify` process",
         f"{_mib(results.memory.peak_rss_bytes)}", f"{_mib(results.memory_payload.peak_rss_bytes)} on the image "
         f"with the {payload} payload", "-", "-"),
    ]
    lines = ["| # | figure | measured | against | goal | met |", "| --- | --- | --- | --- | --- | --- |"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    lines.append("")
    lines.append(f"Machine: {m.cores} cores, Docker {m.engine_version} ({m.storage_driver}, engine sees "
                 f"{m.engine_cpus} CPUs, {_gib(m.engine_memory_bytes)}), kernel {m.kernel}, Python {m.python}, "
                 f"Copier {m.copier}; load average {m.load_average_1m} at the start, "
                 f"{m.load_average_1m_end} at the end. "
                 f"`{results.command}` took {results.total_seconds:.0f} s, {results.measured_at}.")
    return "\n".join(lines)


def verify_row(verify: VerifyResult) -> tuple[str, ...]:
    """Figure 4's main row: verify (watch window included) next to docker run -d + top + rm."""
    return ("4", f"`nonroot verify IMAGE` (build excluded; {verify.window_seconds:g} s watch window)",
            f"{verify.seconds:.2f} s (median of {verify.repeat}; {verify.cpu_seconds:.2f} s of CPU), "
            f"{verify.over_window:+.2f} s beyond the window",
            f"`docker run -d` + `docker top` + `docker rm -f` of the same image {verify.baseline_seconds:.2f} s",
            f"≤ window + {GOAL_OVER_WINDOW:g} s", _goal(verify.goal_met))


def put_in_page(page: Path, table: str) -> None:
    """Replace what stands between the page's bench markers with TABLE."""
    text = page.read_text()
    start, end = text.find(PAGE_START), text.find(PAGE_END)
    if start < 0 or end < start:
        raise RuntimeError(f"{page} has no {PAGE_START} ... {PAGE_END} section for the table")
    page.write_text(text[:start + len(PAGE_START)] + "\n" + table + "\n" + text[end:])


def _short(step: str) -> str:
    words = step.split()
    return " ".join(words[:2]) if words and words[0].upper() in ("COPY", "ADD") else words[0] if words else step


def _goal(met: bool) -> str:
    return "yes" if met else "**no**"


def _signed(n: int) -> str:
    return f"{n:+,} B" if abs(n) < 1024 * 1024 else f"{n / 1e6:+.1f} MB"


def _mb(n: int) -> str:
    return f"{n / 1e6:.1f} MB"


def _mib(n: int) -> str:
    return f"{n / 2**20:.1f} MiB"


def _gib(n: int) -> str:
    return f"{n / 2**30:.1f} GiB"
