"""Benchmark: the landing zone at 2, 10 and 50 spokes; preview cost per resource must stay flat.

Run: ``.venv/bin/python tests/benchmarks/bench_scale.py [--spokes 2 10 50] [--repeat 1]``

The config is Pulumi.dev.yaml's ``landingZone`` with its spokes replaced by N generated ones, each a
/22 from 10.128.0.0/9 (the hub's 10.10.0.0/22 lies outside it) with two /24 subnets: non-overlapping
by construction (`ipaddress`). For each N, in one run, each variant in its own child process (so peak
memory is its own):

- bare: the reference program under ``pulumi.runtime.set_mocks`` with the SDK's ``MockMonitor`` and
  mocks that echo inputs (and answer getClientConfig), no recording, no policy;
- engine + pack: ``landing_zone.preview.engine.preview`` with the project's policy pack over gRPC
  (the program in its own child process, the pack in another).

Reported per N: resources, wall seconds, milliseconds per resource, peak RSS (MiB) of the process and of
its largest child, and peak MiB per resource. The verdict compares the engine's milliseconds per resource
at the largest N with the smallest (flat: within +15%), and the marginal cost (the extra seconds per
extra resource between consecutive Ns), which fixed start-up costs do not flatter. It measures; it is
not part of the test run.
"""

from __future__ import annotations

import argparse
import copy
import ipaddress
import itertools
import json
import shutil
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
CONFIG_KEY = "phi-landing-zone:landingZone"
SPOKE_POOL = ipaddress.ip_network("10.128.0.0/9")
#: How much per-resource cost may grow from the smallest to the largest landing zone.
FLAT_TOLERANCE = 0.15

BARE = textwrap.dedent(
    """
    import json, resource, runpy, sys, time
    start = time.perf_counter()
    import pulumi
    from pulumi.runtime.mocks import MockMonitor, Mocks
    from landing_zone.preview.project import load_project, load_stack_config

    project = load_project({folder!r})
    config = load_stack_config(project, "bench")

    class EchoMocks(Mocks):
        count = 0
        def new_resource(self, args):
            EchoMocks.count += 1
            outputs = dict(args.inputs)
            identity = outputs.get("identity")
            if isinstance(identity, dict):  # Azure's answer: principal IDs, user identities keyed by ID
                ids = identity.get("userAssignedIdentities") or []
                outputs["identity"] = dict(identity, principalId="p", tenantId="t")
                if isinstance(ids, list):
                    outputs["identity"]["userAssignedIdentities"] = {{i: {{"principalId": "p"}} for i in ids}}
            outputs.setdefault("principalId", "p")
            resource_id = f"/subscriptions/s/resourceGroups/rg/providers/{{args.typ}}/{{args.name}}"
            outputs.setdefault("name", args.name)
            outputs.setdefault("id", resource_id)
            return (resource_id, outputs)
        def call(self, args):
            if args.token == "azure-native:authorization:getClientConfig":
                return {{"clientId": "c", "objectId": "5b3f2c9a-0000-4000-8000-0000000000e1",
                         "subscriptionId": "3f2c9a51-0000-4000-8000-000000000002",
                         "tenantId": "72f988bf-0000-4000-8000-000000000001"}}
            return {{}}

    mocks = EchoMocks()
    pulumi.runtime.set_mocks(mocks, project=project.name, stack="bench", preview=True, monitor=MockMonitor(mocks))
    pulumi.runtime.set_all_config(dict(config.values), list(config.secret_keys))

    @pulumi.runtime.test
    def run():
        runpy.run_path({program!r}, run_name="__main__")

    run()
    elapsed = time.perf_counter() - start
    print(json.dumps({{"seconds": elapsed, "resources": EchoMocks.count,
                      "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                      "child_peak_mib": 0}}))
    """
)

ENGINE = textwrap.dedent(
    """
    import json, resource, time
    start = time.perf_counter()
    from landing_zone.preview.engine import preview
    result = preview({folder!r}, "bench")
    elapsed = time.perf_counter() - start
    print(json.dumps({{
        "seconds": elapsed,
        "resources": len(result.resources),
        "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "child_peak_mib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
        "mandatory": len(result.mandatory),
        "advisory": len(result.advisory),
    }}))
    """
)


def spokes(count: int) -> list[dict[str, Any]]:
    """``count`` spokes with non-overlapping /22 address spaces and two /24 subnets each."""
    result = []
    for index, space in zip(range(count), SPOKE_POOL.subnets(new_prefix=22), strict=False):
        private_endpoints, workloads = list(space.subnets(new_prefix=24))[:2]
        result.append(
            {
                "name": f"spoke{index:02d}",
                "addressSpace": [str(space)],
                "subnets": [
                    {"name": "private-endpoints", "cidr": str(private_endpoints)},
                    {"name": "workloads", "cidr": str(workloads)},
                ],
            }
        )
    return result


def make_project(folder: Path, count: int) -> Path:
    """A copy of the reference project whose stack ``bench`` has ``count`` spokes."""
    folder.mkdir(parents=True)
    shutil.copy(ROOT / "Pulumi.yaml", folder / "Pulumi.yaml")
    shutil.copytree(ROOT / "landing_zone" / "program", folder / "landing_zone" / "program")
    document = yaml.safe_load((ROOT / "Pulumi.dev.yaml").read_text())
    config = copy.deepcopy(document)
    config["config"][CONFIG_KEY]["network"]["spokes"] = spokes(count)
    (folder / "Pulumi.bench.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    return folder


def run_child(code: str) -> dict[str, float]:
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        raise SystemExit(f"benchmark child failed:\n{completed.stderr[-4000:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def best(runs: list[dict[str, float]]) -> dict[str, float]:
    return min(runs, key=lambda run: run["seconds"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--spokes", type=int, nargs="+", default=[2, 10, 50])
    parser.add_argument("--repeat", type=int, default=1)
    arguments = parser.parse_args()
    rows: list[tuple[int, dict[str, float], dict[str, float]]] = []
    with tempfile.TemporaryDirectory() as directory:
        for count in arguments.spokes:
            folder = make_project(Path(directory) / f"spokes-{count}", count)
            program = folder / "landing_zone" / "program" / "__main__.py"
            bare_runs, engine_runs = [], []
            for _ in range(arguments.repeat):
                bare_runs.append(run_child(BARE.format(folder=str(folder), program=str(program))))
                engine_runs.append(run_child(ENGINE.format(folder=str(folder))))
            rows.append((count, best(bare_runs), best(engine_runs)))
            print(f"... {count} spokes done", file=sys.stderr, flush=True)
    print(f"landing zone at {', '.join(str(n) for n, _, _ in rows)} spokes (best of {arguments.repeat})")
    header = (
        f"{'spokes':>6} {'variant':<14} {'resources':>9} {'seconds':>8} {'ms/res':>7} {'peak MiB':>9} "
        f"{'child MiB':>9} {'KiB/res':>8}"
    )
    print(header)
    for count, bare, engine in rows:
        for name, run in (("bare mocks", bare), ("engine + pack", engine)):
            per = 1000 * run["seconds"] / run["resources"]
            peak = max(run["peak_mib"], run["child_peak_mib"])
            print(
                f"{count:>6} {name:<14} {run['resources']:>9.0f} {run['seconds']:>8.2f} {per:>7.2f} "
                f"{run['peak_mib']:>9.0f} {run['child_peak_mib']:>9.0f} {1024 * peak / run['resources']:>8.1f}"
            )
        print(
            f"{'':>6} {'overhead':<14} engine/bare = {engine['seconds'] / bare['seconds']:.2f}x; "
            f"{engine.get('mandatory', 0):.0f} mandatory, {engine.get('advisory', 0):.0f} advisory verdicts"
        )
    first, last = rows[0][2], rows[-1][2]
    per_first = first["seconds"] / first["resources"]
    per_last = last["seconds"] / last["resources"]
    growth = per_last / per_first - 1
    print(
        f"engine ms/resource: {1000 * per_first:.2f} at {rows[0][0]} spokes, {1000 * per_last:.2f} at {rows[-1][0]}: "
        f"{growth:+.1%} ({'flat' if growth <= FLAT_TOLERANCE else 'NOT flat'}: limit +{FLAT_TOLERANCE:.0%})"
    )
    for (n1, _, a), (n2, _, b) in itertools.pairwise(rows):
        marginal = (b["seconds"] - a["seconds"]) / max(1.0, b["resources"] - a["resources"])
        added = max(1.0, b["resources"] - a["resources"])
        memory = (max(b["peak_mib"], b["child_peak_mib"]) - max(a["peak_mib"], a["child_peak_mib"])) / added
        print(
            f"engine marginal cost {n1}->{n2} spokes: {1000 * marginal:.2f} ms and {1024 * memory:.0f} KiB of peak "
            "memory per added resource"
        )


if __name__ == "__main__":
    main()
