"""Submits train.py as a run, as Azure ML's ScriptRunConfig example does (docs/submit.md).

    python examples/python-training/submit.py [COMPUTE_TARGET]     # default: local
"""
import os
import sys

import labbook

here = os.path.dirname(os.path.abspath(__file__))
script_config = labbook.ScriptRunConfig(source_directory=here, script="train.py",
                                        arguments=["--epochs", 3, "--lr", 0.2],
                                        compute_target=sys.argv[1] if len(sys.argv) > 1 else "local")
experiment = labbook.Experiment(workspace=None, name="submit-example")  # LABBOOK_TRACKING_URI
run = experiment.submit(config=script_config)
details = run.wait_for_completion(show_output=True)
print("status:", details["status"])
