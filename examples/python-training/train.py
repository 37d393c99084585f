"""A training script that runs unchanged under `labbook run`, `experiment.submit(...)` (local or a
Kubernetes target) and offline: it finds its run with `Run.get_context()` (docs/script-mode.md)."""
import argparse
import math
import os

import labbook

parser = argparse.ArgumentParser()
parser.add_argument("--epochs", type=int, default=5)
parser.add_argument("--lr", type=float, default=0.1)
args = parser.parse_args()

run = labbook.Run.get_context()
run.log_parameters({"epochs": args.epochs, "lr": args.lr})
loss = 1.0
for epoch in range(args.epochs):
    loss *= math.exp(-args.lr)
    run.log("loss", loss)
    print(f"epoch {epoch}: loss {loss:.4f}", flush=True)

# Files written under outputs/ are uploaded as the run's OUTPUT artifacts when the script ends.
os.makedirs("outputs", exist_ok=True)
with open(os.path.join("outputs", "model.txt"), "w") as f:
    f.write(f"lr={args.lr} final_loss={loss}\n")
