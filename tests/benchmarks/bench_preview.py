"""Benchmark: the offline preview with policy enforcement against bare Pulumi mocks, 500 storage accounts.

Run: ``.venv/bin/python tests/benchmarks/bench_preview.py [--count 500] [--repeat 3]``

Each variant runs in its own child process (so peak memory is its own), the same generated program
in both, alternating, ``--repeat`` times; the best wall time of each is compared:

- bare: ``pulumi.runtime.set_mocks`` with the SDK's own ``MockMonitor`` and mocks that echo inputs;
- engine: ``landing_zone.preview.engine.preview`` — the program in its own child process (recording
  monitor, Azure mocks, registrations streamed to the engine), the policy pack started as
  ``python -m pulumi.policy`` and spoken to over gRPC (Analyze per resource, AnalyzeStack).

Not part of the default test run: it measures, it does not assert (timed tests are flaky by nature).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

PROGRAM = textwrap.dedent(
    """
    from pulumi_azure_native import storage

    for index in range({count}):
        storage.StorageAccount(
            f"st{{index}}",
            account_name=f"stbench{{index:05d}}",
            resource_group_name="rg-bench",
            location="eastus2",
            kind="StorageV2",
            sku={{"name": "Standard_ZRS"}},
            enable_https_traffic_only=True,
            minimum_tls_version="TLS1_2",
            allow_blob_public_access=False,
            allow_shared_key_access=False,
            public_network_access="Disabled",
            network_rule_set={{"default_action": "Deny", "bypass": "None"}},
            encryption={{
                "require_infrastructure_encryption": True,
                "key_source": "Microsoft.Keyvault",
                "key_vault_properties": {{"key_name": "cmk", "key_vault_uri": "https://kv-bench.vault.azure.net/"}},
            }},
            tags={{"dataClassification": "phi", "owner": "bench", "environment": "bench"}},
        )
    """
)

BARE = textwrap.dedent(
    """
    import json, resource, runpy, sys, time
    start = time.perf_counter()
    import pulumi
    from pulumi.runtime.mocks import MockMonitor, Mocks

    class EchoMocks(Mocks):
        def new_resource(self, args):
            return (args.name + "_id", dict(args.inputs))
        def call(self, args):
            return {{}}

    mocks = EchoMocks()
    pulumi.runtime.set_mocks(mocks, project="bench", stack="dev", preview=True, monitor=MockMonitor(mocks))

    @pulumi.runtime.test
    def run():
        runpy.run_path({program!r}, run_name="__main__")

    run()
    elapsed = time.perf_counter() - start
    print(json.dumps({{"seconds": elapsed, "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
    """
)

ENGINE = textwrap.dedent(
    """
    import json, resource, time
    start = time.perf_counter()
    from landing_zone.preview.engine import preview
    result = preview({folder!r}, "dev")
    elapsed = time.perf_counter() - start
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(json.dumps({{
        "seconds": elapsed,
        "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "pack_peak_mib": children,
        "resources": len(result.resources),
        "mandatory": len(result.mandatory),
        "advisory": len(result.advisory),
    }}))
    """
)


def run_child(code: str) -> dict[str, float]:
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        raise SystemExit(f"benchmark child failed:\n{completed.stderr[-4000:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3)
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        folder = Path(directory)
        (folder / "Pulumi.yaml").write_text("name: bench\nruntime: python\n")
        (folder / "Pulumi.dev.yaml").write_text("config: {}\n")
        program = folder / "__main__.py"
        program.write_text(PROGRAM.format(count=arguments.count))
        bare_runs, engine_runs = [], []
        for _ in range(arguments.repeat):
            bare_runs.append(run_child(BARE.format(program=str(program))))
            engine_runs.append(run_child(ENGINE.format(folder=str(folder))))
    bare = min(bare_runs, key=lambda run: run["seconds"])
    engine = min(engine_runs, key=lambda run: run["seconds"])
    overhead = engine["seconds"] / bare["seconds"] - 1
    print(f"storage accounts: {arguments.count}, repeats: {arguments.repeat} (best of each)")
    print(f"bare mocks:              {bare['seconds']:.2f} s, peak {bare['peak_mib']:.0f} MiB")
    print(
        f"engine + policy (gRPC):  {engine['seconds']:.2f} s, peak {engine['peak_mib']:.0f} MiB"
        f" (largest child process, the program's or the pack's: {engine['pack_peak_mib']:.0f} MiB)"
    )
    print(
        f"resources recorded: {engine['resources']:.0f}, violations: {engine['mandatory']:.0f} mandatory, "
        f"{engine['advisory']:.0f} advisory"
    )
    print(f"overhead: {overhead:+.1%} (target: at most +15%)")
    print(
        "all runs (s): bare",
        [round(run["seconds"], 2) for run in bare_runs],
        "engine",
        [round(run["seconds"], 2) for run in engine_runs],
    )


if __name__ == "__main__":
    main()
