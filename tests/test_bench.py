"""bench/ (python bench/run.py): the pieces its figures stand on. No timings are
asserted here; the figures themselves are in bench/results.json and docs/benchmarks.md."""
from __future__ import annotations

import json
import subprocess
import sys

from helpers import ROOT

sys.path.insert(0, str(ROOT))

from bench.building import Images, Step  # noqa: E402
from bench.machine import Machine  # noqa: E402
from bench.measured import CHILD  # noqa: E402
from bench.memory import MemoryResult  # noqa: E402
from bench.rebuild import RebuildResult  # noqa: E402
from bench.render import RenderResult  # noqa: E402
from bench.report import Results, to_json, to_table  # noqa: E402
from bench.size import CHOWN_R, NAIVE, SizeResult  # noqa: E402
from bench.update import UpdateResult  # noqa: E402
from bench.verification import VerifyResult  # noqa: E402

# The keys the issue names, one per figure, plus the machine facts.
FIGURE_KEYS = {"size_overhead_bytes", "chown_r_overhead_bytes", "payload_bytes", "rebuild_ratio", "layers_rebuilt",
               "render_seconds", "render_overhead_ratio", "verify_seconds", "verify_share",
               "update_seconds_per_service", "update_overhead_ratio", "verify_peak_rss_bytes", "machine"}


def test_child_wrapper_reports_the_peak_memory_of_its_command():
    allocate = "b = bytearray(96 * 2**20); b[::4096] = b'x' * len(b[::4096])"
    done = subprocess.run([sys.executable, str(CHILD), sys.executable, "-c", allocate], capture_output=True,
                          text=True, check=True)
    facts = json.loads(done.stdout)
    assert facts["returncode"] == 0
    assert facts["max_rss_bytes"] >= 96 * 2**20


def test_rebuild_reads_which_steps_came_from_the_cache(tmp_path, python_base, engine):
    (tmp_path / "Dockerfile").write_text(f"FROM {python_base}\nCOPY deps.txt /deps.txt\nCOPY code.txt /code.txt\n")
    (tmp_path / "deps.txt").write_text("deps\n")
    (tmp_path / "code.txt").write_text("v1\n")
    images = Images(engine)
    try:
        images.build(tmp_path, "nr-bench-test:cache")
        (tmp_path / "code.txt").write_text("v2\n")
        again = images.build(tmp_path, "nr-bench-test:cache")
    finally:
        images.remove_all()
    assert [step.instruction for step in again.cached()] == ["COPY deps.txt /deps.txt"]
    assert [step.instruction for step in again.rebuilt()] == ["COPY code.txt /code.txt"]


def test_chown_r_variant_is_the_naive_dockerfile_plus_the_seeds_lines():
    added = [line for line in CHOWN_R.splitlines() if line not in NAIVE.splitlines()]
    assert added == ["RUN groupadd -r gmd && useradd -r -s /bin/false -g gmd scrapy_user",
                     "RUN chown -R scrapy_user:gmd /app", "USER scrapy_user"]
    lines = CHOWN_R.splitlines()
    assert lines.index("RUN chown -R scrapy_user:gmd /app") == lines.index("COPY app/ /app/") + 1


def sample_results() -> Results:
    """A run's results with made-up numbers: what the report does with them, not the figures."""
    return Results(
        command="python bench/run.py", measured_at="2026-01-01T00:00Z", quick=False,
        machine=Machine(cores=2, engine_version="20.10", engine_cpus=2, engine_memory_bytes=2**30,
                        storage_driver="overlay2", kernel="6", python="3.11", copier="9.19", load_average_1m=1.0),
        size=SizeResult(payload_bytes=100, naive_bytes=1000, single_bytes=1010, multi_bytes=1005, chown_r_bytes=1100,
                        layers={"naive": [("COPY app/ /app/", 100)]}),
        rebuild=RebuildResult(cold_seconds=10.0, rebuild_seconds=1.0,
                              steps=[Step("RUN make", True), Step("COPY . /app/", False), Step("USER 1:1", False)]),
        render=RenderResult(seconds=2.0, baseline_seconds=1.0, repeat=3, plain_questions_seconds=1.3, questions=35),
        verify=VerifyResult(seconds=4.0, cpu_seconds=1.0, render_seconds=1.0, build_seconds=5.0,
                            first_verify_seconds=4.0, repeat=3),
        update=UpdateResult(services=2, seconds=8.0, method="copier update loop", baseline_seconds=2.0),
        memory=MemoryResult(image="a", peak_rss_bytes=2**25),
        memory_payload=MemoryResult(image="b", peak_rss_bytes=2**25),
        total_seconds=60.0)


def test_report_writes_one_key_per_figure_and_a_row_per_figure():
    results = sample_results()
    assert FIGURE_KEYS <= set(to_json(results))
    rows = [line for line in to_table(results).splitlines() if line.startswith("| ") and line[2].isdigit()]
    assert sorted({row.split(" | ")[0][2:] for row in rows}) == ["1", "2", "3", "4", "5", "6"]


def test_report_says_whether_render_and_update_meet_their_ratio_goals():
    results = sample_results()  # render ×2.0 (goal ×1.5), update ×4.0 (goal ×2)
    rows = {line.split(" | ")[0][2:]: line for line in to_table(results).splitlines() if line.startswith("| ")}
    assert rows["3"].endswith("| ≤ ×1.5 | **no** |") and rows["5"].endswith("| ≤ ×2 | **no** |")
    results.render = RenderResult(seconds=1.4, baseline_seconds=1.0, repeat=3)
    results.update = UpdateResult(services=2, seconds=3.0, method="nonroot fleet update", baseline_seconds=2.0)
    rows = {line.split(" | ")[0][2:]: line for line in to_table(results).splitlines() if line.startswith("| ")}
    assert rows["3"].endswith("| yes |") and rows["5"].endswith("| yes |")


def test_rebuild_of_the_code_copy_alone_meets_the_goal_and_a_dependency_rebuild_does_not():
    assert sample_results().rebuild.only_from_code_copy()
    again = RebuildResult(1.0, 1.0, [Step("RUN make", False), Step("COPY . /app/", False)])
    assert not again.only_from_code_copy()


def test_committed_results_come_from_a_full_run_of_this_report():
    committed = json.loads((ROOT / "bench" / "results.json").read_text())
    assert set(committed) == set(to_json(sample_results()))
    assert not committed["quick"], "bench/results.json must come from a full run: python bench/run.py"


def test_plain_questions_template_asks_this_templates_questions_and_renders_with_its_defaults(tmp_path):
    import yaml
    from copier import run_copy

    from bench.render import plain_questions_template
    from bench.workspace import ANSWERS_FILE

    rendered = tmp_path / "rendered"
    rendered.mkdir()
    (rendered / ANSWERS_FILE).write_text("service_name: shop\nstack: node\nport: 3000\n")
    plain, count = plain_questions_template(tmp_path / "plain", ROOT, rendered)
    ours = [name for name, spec in yaml.safe_load((ROOT / "copier.yml").read_text()).items()
            if not name.startswith("_") and isinstance(spec, dict)]
    theirs = yaml.safe_load((plain / "copier.yml").read_text())
    assert list(theirs) == ours and count == len(ours)
    assert all("when" not in q and "validator" not in q and "help" not in q for q in theirs.values())
    run_copy(str(plain), str(tmp_path / "out"), defaults=True, quiet=True)
    assert (tmp_path / "out" / "hello.txt").read_text() == "Hello shop.\n"
