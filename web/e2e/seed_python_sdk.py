"""Logs one run through the Python SDK for the web UI's end-to-end tests (bin/test-web).

Usage: seed_python_sdk.py GRPC_TARGET EXPERIMENT. The spec "a run logged through the Python SDK"
in ui.e2e.ts then finds it in the browser: the UI shows what the SDK users log, not only what
the TypeScript seeding writes.
"""
import math
import sys

import labbook


def main() -> None:
    target, experiment = sys.argv[1], sys.argv[2]
    with labbook.start_run(experiment=experiment, name="py-sdk-run", target=target) as run:
        run.log_parameters({"lr": 0.003, "optimizer": "adamw", "epochs": 5})
        for step in range(500):
            run.log_metric("py/loss", math.exp(-step / 150) + 0.02 * math.sin(step), step=step)
        run.log_text("logged through the Python SDK")


if __name__ == "__main__":
    main()
