#!/usr/bin/env python3
"""torch_state_dict.py TOTAL_STEPS -- checkpointing a PyTorch model and optimizer with tern.checkpoint.

The pattern for a real training script: save ``model.state_dict()`` and ``optimizer.state_dict()``
with ``torch.save`` into the directory ``ck.save`` hands you, and load them back when resuming.
Without PyTorch installed it runs the same loop on a tiny stand-in with the same ``state_dict`` /
``load_state_dict`` methods, saved with pickle, so the example runs anywhere:

    python3 torch_state_dict.py 200        # last line: final: steps=200 weight=...
"""

import os
import pickle
import sys
import time

_SHIPPED = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "python")
if os.path.isdir(_SHIPPED):
    sys.path.insert(0, _SHIPPED)
import tern.checkpoint  # noqa: E402

try:
    import torch
except ImportError:
    torch = None


class StandIn(object):
    """A one-weight "model" and its "optimizer" with PyTorch's state_dict interface."""

    def __init__(self):
        self.weight = 0.0
        self.steps = 0

    def state_dict(self):
        return {"weight": self.weight, "steps": self.steps}

    def load_state_dict(self, state):
        self.weight = state["weight"]
        self.steps = state["steps"]

    def train_step(self):
        # Gradient descent on (w - 3)^2.
        self.weight -= 0.1 * 2.0 * (self.weight - 3.0)
        self.steps += 1


def build():
    if torch is None:
        model = StandIn()
        return model, model, model.train_step, lambda: model.weight
    torch.manual_seed(0)
    model = torch.nn.Linear(1, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
    x = torch.linspace(-1, 1, 16).unsqueeze(1)
    y = 3.0 * x

    def train_step():
        optimizer.zero_grad()
        loss = torch.nn.functional.mse_loss(model(x), y)
        loss.backward()
        optimizer.step()

    return model, optimizer, train_step, lambda: model.weight.item()


def save_fn(model, optimizer, step):
    """What ck.save calls: fill ``directory`` with the checkpoint's files."""

    def write(directory):
        state = {"model": model.state_dict(), "optimizer": optimizer.state_dict(), "step": step}
        path = os.path.join(directory, "checkpoint.pt")
        if torch is not None:
            torch.save(state, path)
        else:
            with open(path, "wb") as f:
                pickle.dump(state, f)

    return write


def load(ck, model, optimizer):
    path = ck.resume_path("checkpoint.pt")
    if torch is not None:
        state = torch.load(path)
    else:
        with open(path, "rb") as f:
            state = pickle.load(f)
    model.load_state_dict(state["model"])
    optimizer.load_state_dict(state["optimizer"])
    return state["step"]


def main(argv):
    if len(argv) != 2 or not argv[1].isdigit():
        print("usage: torch_state_dict.py TOTAL_STEPS", file=sys.stderr)
        return 2
    total = int(argv[1])
    step_seconds = float(os.environ.get("STEP_SECONDS", "0.05"))
    every = int(os.environ.get("CHECKPOINT_EVERY", "50"))
    model, optimizer, train_step, weight = build()
    with tern.checkpoint.session() as ck:
        step = load(ck, model, optimizer) if ck.resuming else 0
        if ck.resuming:
            print("resumed: step=%d" % step, flush=True)
        while step < total:
            time.sleep(step_seconds)
            train_step()
            step += 1
            print("step %d" % step, flush=True)
            if ck.should_checkpoint or (every > 0 and step % every == 0):
                ck.save("step-%06d" % step, save_fn(model, optimizer, step))
            if ck.should_checkpoint:
                print("checkpointed on signal at step %d; exiting" % step, flush=True)
                return 0
    print("final: steps=%d weight=%r" % (total, weight()), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
