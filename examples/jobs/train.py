#!/usr/bin/env python3
"""train.py TOTAL_STEPS -- a dependency-free Tern example job (Python 3 standard library only).

It "trains" a small linear model by gradient descent on deterministic synthetic data, one step
every STEP_SECONDS, and follows the checkpoint protocol of DESIGN.md:

* every CHECKPOINT_EVERY steps, and when it receives SIGUSR1 (or SIGTERM), it writes
  $TERN_CHECKPOINT_DIR/step-NNNNNN/state (JSON), then the marker $TERN_CHECKPOINT_DIR/step-NNNNNN.done;
  after a signal it exits 0;
* when $TERN_RESUME_DIR is set it continues from $TERN_RESUME_DIR/state.

Its last line is the same whether or not the run was interrupted and resumed:
    final: steps=600 loss=... checksum=...
"""

import hashlib
import json
import os
import signal
import sys
import time

FEATURES = 4
TRUE_WEIGHTS = [0.75, -1.5, 2.0, 0.25]
LEARNING_RATE = 0.05
BATCH = 8


def batch(step):
    """A deterministic mini-batch for a step: inputs in [-1, 1) and targets of the true model."""
    rows = []
    for i in range(BATCH):
        x = [(((step * 7919 + i * 104729 + f * 1299709) % 2000) / 1000.0) - 1.0 for f in range(FEATURES)]
        y = sum(w * xi for w, xi in zip(TRUE_WEIGHTS, x))
        rows.append((x, y))
    return rows


def train_step(state):
    step = state["step"] + 1
    weights = state["weights"]
    grad = [0.0] * FEATURES
    loss = 0.0
    for x, y in batch(step):
        err = sum(w * xi for w, xi in zip(weights, x)) - y
        loss += err * err / BATCH
        for f in range(FEATURES):
            grad[f] += 2.0 * err * x[f] / BATCH
    state["weights"] = [w - LEARNING_RATE * g for w, g in zip(weights, grad)]
    state["loss"] = loss
    state["step"] = step
    # repr() of a float round-trips exactly, so the checksum survives a checkpoint and a resume.
    digest = hashlib.sha256((state["checksum"] + repr(state["weights"])).encode("ascii"))
    state["checksum"] = digest.hexdigest()


def write_checkpoint(directory, state):
    if not directory:
        return
    name = "step-%06d" % state["step"]
    marker = os.path.join(directory, name + ".done")
    if os.path.exists(marker):
        return
    os.makedirs(os.path.join(directory, name), exist_ok=True)
    with open(os.path.join(directory, name, "state"), "w", encoding="ascii") as f:
        json.dump(state, f)
        f.flush()
        os.fsync(f.fileno())
    # The marker comes last: the agent commits a checkpoint only once <name>.done exists.
    open(marker, "w").close()
    print("checkpoint: " + name, flush=True)


def load_state(resume_dir):
    with open(os.path.join(resume_dir, "state"), encoding="ascii") as f:
        state = json.load(f)
    if not isinstance(state.get("step"), int) or len(state.get("weights", [])) != FEATURES:
        raise ValueError("corrupt state in " + resume_dir)
    return state


def main(argv):
    if len(argv) != 2 or not argv[1].isdigit():
        print("usage: train.py TOTAL_STEPS", file=sys.stderr)
        return 2
    total = int(argv[1])
    step_seconds = float(os.environ.get("STEP_SECONDS", "0.2"))
    every = int(os.environ.get("CHECKPOINT_EVERY", "50"))
    checkpoint_dir = os.environ.get("TERN_CHECKPOINT_DIR")

    state = {"step": 0, "weights": [0.0] * FEATURES, "loss": None,
             "checksum": hashlib.sha256(b"tern").hexdigest()}
    resume_dir = os.environ.get("TERN_RESUME_DIR")
    if resume_dir:
        state = load_state(resume_dir)
        print("resumed: step=%d" % state["step"], flush=True)

    requested = []
    def on_signal(signum, frame):
        requested.append(signum)
    signal.signal(signal.SIGUSR1, on_signal)
    signal.signal(signal.SIGTERM, on_signal)

    while state["step"] < total:
        time.sleep(step_seconds)
        train_step(state)
        print("step %d loss %.6f" % (state["step"], state["loss"]), flush=True)
        if requested:
            write_checkpoint(checkpoint_dir, state)
            print("checkpointed on signal at step %d; exiting" % state["step"], flush=True)
            return 0
        if every > 0 and state["step"] % every == 0:
            write_checkpoint(checkpoint_dir, state)

    loss = "none" if state["loss"] is None else repr(state["loss"])
    print("final: steps=%d loss=%s checksum=%s" % (total, loss, state["checksum"][:16]), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
