"""Waits to be interrupted; reports which signal arrived (and how often) before exiting."""
import signal
import sys
import time

received = []


def on_term(signum, frame):
    received.append("SIGTERM")
    print("got SIGTERM", flush=True)
    sys.exit(143)


signal.signal(signal.SIGTERM, on_term)
try:
    print("ready", flush=True)  # inside the try: a signal right after it is still handled
    for _ in range(600):
        time.sleep(0.1)
except KeyboardInterrupt:
    print("got SIGINT", flush=True)
    time.sleep(0.5)  # cleanup time: a second SIGINT here would break it
    print("cleanup done", flush=True)
    sys.exit(130)
print("never interrupted", flush=True)
