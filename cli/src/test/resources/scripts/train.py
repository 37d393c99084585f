"""A training script as users write them: argparse, prints, stderr warnings, files in outputs/."""
import argparse
import json
import os
import sys
import time

parser = argparse.ArgumentParser()
parser.add_argument("--epochs", type=int, default=1)
parser.add_argument("--label")
parser.add_argument("--exit-code", type=int, default=0)
parser.add_argument("rest", nargs="*")
args = parser.parse_args()

print("argv " + json.dumps(sys.argv[1:]))
print("parsed " + json.dumps(vars(args)))
context = {k: os.environ.get(k) for k in ("LABBOOK_TRACKING_URI", "LABBOOK_PROJECT", "LABBOOK_EXPERIMENT",
                                          "LABBOOK_RUN_ID", "LABBOOK_RUN_NAME")}
print("context " + json.dumps(context))
for epoch in range(args.epochs):
    print(f"epoch {epoch} loss={1.0 / (epoch + 1):.3f}")
    time.sleep(0.05)  # stdout and stderr are separate pipes: order is arrival order
    print(f"warning {epoch}", file=sys.stderr)
    time.sleep(0.05)
os.makedirs("outputs/sub", exist_ok=True)
with open("outputs/model.txt", "w") as f:
    f.write("weights " * 1000)
with open("outputs/sub/metrics.json", "w") as f:
    f.write(json.dumps({"loss": 0.5}))
sys.stdout.write("no newline at exit")
sys.exit(args.exit_code)
