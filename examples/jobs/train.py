#!/usr/bin/env python3
"""train.py TOTAL_STEPS -- a dependency-free Tern example job (Python 3 standard library only).

It "trains" a small linear model by gradient descent on deterministic synthetic data, one step
every STEP_SECONDS, and follows the checkpoint protocol of DESIGN.md through tern.checkpoint
(python/tern/checkpoint.py):

* every CHECKPOINT_EVERY steps, and when it receives SIGUSR1 (or SIGTERM), it saves
  step-NNNNNN/state (JSON) and its step-NNNNNN.done marker; after a signal it exits 0;
* when resuming (TERN_RESUME_DIR set) it continues from that checkpoint's state.

Its last line is the same whether or not the run was interrupted and resumed:
    final: steps=600 loss=... checksum=...
"""

import hashlib
import os
import sys
import time

# Under a Tern agent, tern.checkpoint is on PYTHONPATH (every agent installs it); run by hand from
# this repository, it is python/ beside examples/.
_SHIPPED = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "python")
if os.path.isdir(_SHIPPED):
    sys.path.insert(0, _SHIPPED)
import tern.checkpoint  # noqa: E402

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


def load_state(ck):
    state = ck.load_json("state")
    if not isinstance(state.get("step"), int) or len(state.get("weights", [])) != FEATURES:
        raise ValueError("corrupt state in " + ck.resume_dir)
    return state


def save(ck, state):
    name = "step-%06d" % state["step"]
    if ck.save_json(name, "state", state):
        print("checkpoint: " + name, flush=True)


def main(argv):
    if len(argv) != 2 or not argv[1].isdigit():
        print("usage: train.py TOTAL_STEPS", file=sys.stderr)
        return 2
    total = int(argv[1])
    step_seconds = float(os.environ.get("STEP_SECONDS", "0.2"))
    every = int(os.environ.get("CHECKPOINT_EVERY", "50"))

    with tern.checkpoint.session() as ck:
        if ck.resuming:
            state = load_state(ck)
            print("resumed: step=%d" % state["step"], flush=True)
        else:
            state = {"step": 0, "weights": [0.0] * FEATURES, "loss": None,
                     "checksum": hashlib.sha256(b"tern").hexdigest()}

        while state["step"] < total:
            time.sleep(step_seconds)
            train_step(state)
            print("step %d loss %.6f" % (state["step"], state["loss"]), flush=True)
            if ck.should_checkpoint:
                save(ck, state)
                print("checkpointed on signal at step %d; exiting" % state["step"], flush=True)
                return 0
            if every > 0 and state["step"] % every == 0:
                save(ck, state)

    loss = "none" if state["loss"] is None else repr(state["loss"])
    print("final: steps=%d loss=%s checksum=%s" % (total, loss, state["checksum"][:16]), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
