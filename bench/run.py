"""nonroot's benchmarks: one command, one table, every figure measured side by side in
the same run on the same machine (absolute seconds vary between machines; the ratios
are what count).

    python bench/run.py            # full run (a few minutes), writes bench/results.json
    python bench/run.py --quick    # fewer repetitions, a smaller payload and fleet

Needs a Docker engine and the offline base image (tests/images.py builds it once).
Every image it builds (on a private copy of the base, nr-bench-base:*) is removed at the end.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.building import Images  # noqa: E402
from bench.machine import load_average, machine_facts  # noqa: E402
from bench.memory import measure_memory  # noqa: E402
from bench.rebuild import measure_rebuild  # noqa: E402
from bench.render import measure_render  # noqa: E402
from bench.report import Results, put_in_page, to_json, to_table  # noqa: E402
from bench.size import image_tag, measure_size  # noqa: E402
from bench.update import measure_update  # noqa: E402
from bench.verification import TAG as VERIFY_TAG, measure_verify  # noqa: E402
from bench.workspace import base_image, template_checkout  # noqa: E402

RESULTS = Path(__file__).with_name("results.json")
PAGE = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"


@dataclasses.dataclass
class Settings:
    render_repeat: int
    verify_repeat: int
    payload_mib: int
    services: int


FULL = Settings(render_repeat=10, verify_repeat=3, payload_mib=32, services=5)
QUICK = Settings(render_repeat=3, verify_repeat=1, payload_mib=8, services=2)


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python bench/run.py", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions, smaller payload and fleet")
    parser.add_argument("--services", type=int, help=f"services in the fleet (default {FULL.services}, "
                                                      f"--quick {QUICK.services})")
    parser.add_argument("--docs", action="store_true",
                        help="also put the table in docs/benchmarks.md (the documentation's Benchmarks page)")
    parser.add_argument("--output", type=Path, default=RESULTS, help="where the JSON goes (default: %(default)s)")
    parser.add_argument("--figure", choices=["4"], help="measure this figure alone (writes bench/figure<N>.json)")
    return parser.parse_args(argv)


def step(label: str) -> None:
    print(f"bench: {label}", file=sys.stderr, flush=True)


def run(args: argparse.Namespace, command: str) -> Results:
    from nonroot.engine import connect

    settings = QUICK if args.quick else FULL
    if args.services:
        settings = dataclasses.replace(settings, services=args.services)
    client = connect()
    machine = machine_facts(client)
    measured_at = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%MZ")
    start = time.perf_counter()
    images = Images(client)
    try:
        with tempfile.TemporaryDirectory(prefix="nonroot-bench.") as tmp:
            work = Path(tmp)
            base = images.private_base(base_image(), work)
            template = template_checkout(work / "template")
            step(f"1/6 image sizes ({settings.payload_mib} MiB payload, 4 images)")
            size = measure_size(images, template, work / "size", base, settings.payload_mib * 2**20)
            step("2/6 cold build and rebuild after a one-line change")
            rebuild = measure_rebuild(images, template, work / "rebuild", base)
            step(f"3/6 render, {settings.render_repeat} times each")
            render = measure_render(template, work / "render", base, settings.render_repeat)
            step("4/6 copy -> cold build -> verify, then verify again")
            verify = measure_verify(images, template, work / "verify", base, settings.verify_repeat)
            step(f"5/6 update of {settings.services} services")
            update = measure_update(template, work / "update", base, settings.services)
            step("6/6 peak memory of nonroot verify")
            memory = measure_memory(VERIFY_TAG)
            memory_payload = measure_memory(image_tag("multi"))
    finally:
        images.remove_all()
    machine = dataclasses.replace(machine, load_average_1m_end=load_average())
    return Results(command=command, measured_at=measured_at, quick=args.quick, machine=machine, size=size,
                   rebuild=rebuild, render=render, verify=verify, update=update, memory=memory,
                   memory_payload=memory_payload, total_seconds=time.perf_counter() - start)


def run_figure_4(args: argparse.Namespace, command: str) -> int:
    """Figure 4 alone: render and cold-build the default service, then verify it next to
    docker run -d + top + rm, interleaved."""
    from bench.report import verify_row
    from nonroot.engine import connect

    settings = QUICK if args.quick else FULL
    client = connect()
    images = Images(client)
    try:
        with tempfile.TemporaryDirectory(prefix="nonroot-bench.") as tmp:
            work = Path(tmp)
            base = images.private_base(base_image(), work)
            step("4 copy -> cold build -> verify, then verify next to docker run -d + top + rm")
            verify = measure_verify(images, template_checkout(work / "template"), work / "verify", base,
                                    settings.verify_repeat)
    finally:
        images.remove_all()
    facts = {"command": command, "measured_at": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%MZ"),
             "load_average_1m_end": load_average(), **dataclasses.asdict(verify),
             "over_window_seconds": round(verify.over_window, 3), "goal_met": verify.goal_met}
    Path(__file__).with_name("figure4.json").write_text(json.dumps(facts, indent=2) + "\n")
    print("| # | figure | measured | against | goal | met |\n| --- | --- | --- | --- | --- | --- |")
    print("| " + " | ".join(verify_row(verify)) + " |")
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = parse(argv)
    if args.figure == "4":
        return run_figure_4(args, " ".join(["python bench/run.py", *argv]))
    results = run(args, " ".join(["python bench/run.py", *argv]))
    args.output.write_text(json.dumps(to_json(results), indent=2) + "\n")
    table = to_table(results)
    print(table)
    if args.docs:
        put_in_page(PAGE, table)
    print(f"\n(written to {args.output})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
