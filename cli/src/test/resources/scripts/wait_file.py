"""Prints a line, waits for a file to appear (the test's go signal), prints another line."""
import os
import sys
import time

print("before", flush=True)
for _ in range(1200):
    if os.path.exists(sys.argv[1]):
        break
    time.sleep(0.05)
print("after", flush=True)
