"""Tern's checkpoint protocol for Python jobs, with the standard library only.

    import tern.checkpoint

    with tern.checkpoint.session() as ck:
        state = ck.load_json("state.json") if ck.resuming else fresh_state()
        while state["step"] < total:
            train_one_step(state)
            if ck.should_checkpoint or state["step"] % 50 == 0:
                ck.save_json("step-%06d" % state["step"], "state.json", state)
            if ck.should_checkpoint:
                break  # a checkpoint was asked for: it is written, exit 0

What it does (DESIGN.md, "Checkpoint protocol"):

* ``ck.resuming`` / ``ck.resume_dir``: whether this attempt resumes, and the directory of the
  latest committed checkpoint the agent restored (``TERN_RESUME_DIR``); None for a fresh start.
* ``ck.should_checkpoint``: becomes True when the agent sends the checkpoint signal (SIGUSR1 by
  default; also SIGTERM, which the agent sends on stop) -- the handler only sets this flag, so the
  training loop finishes its step and checkpoints at a safe point. Write a checkpoint and exit 0
  within the job's ``checkpoint.graceSeconds``.
* ``ck.save(name, write)``: calls ``write(directory)`` to fill a fresh directory, flushes every file
  to disk, renames it to ``$TERN_CHECKPOINT_DIR/<name>``, and only then creates
  ``<name>.done`` (by a rename too), so the agent never commits a half-written checkpoint. A name
  already saved is left alone (names cannot be reused with other content: put the step in it).
* Outside Tern (no ``TERN_CHECKPOINT_DIR``) ``save`` writes nothing and returns False, so the same
  script runs on a laptop.

Also: ``ck.job_id``, ``ck.attempt``, ``ck.array_index`` (``TERN_ARRAY_INDEX`` as an int, or None).
"""

import json
import os
import re
import shutil
import signal
import sys
import tempfile

__all__ = ["Session", "session", "valid_name"]

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}\Z")


def valid_name(name):
    """Whether ``name`` may name a checkpoint: 1-128 of [A-Za-z0-9._-], starting alphanumeric."""
    return isinstance(name, str) and _NAME.match(name) is not None and not name.endswith(".done")


class Session(object):
    """The job's side of the checkpoint protocol. Use it through ``session()``, as a context."""

    def __init__(self, environ=None, signals=None):
        env = os.environ if environ is None else environ
        self.job_id = env.get("TERN_JOB_ID")
        self.attempt = int(env["TERN_ATTEMPT"]) if env.get("TERN_ATTEMPT") else None
        index = env.get("TERN_ARRAY_INDEX")
        self.array_index = int(index) if index else None
        self.checkpoint_dir = env.get("TERN_CHECKPOINT_DIR") or None
        self.resume_dir = env.get("TERN_RESUME_DIR") or None
        self.signal_received = None
        if signals is None:
            signals = (signal.SIGUSR1, signal.SIGTERM)
        self._signals = tuple(signals)
        self._previous = {}

    @property
    def resuming(self):
        """True when the agent restored a checkpoint for this attempt (TERN_RESUME_DIR is set)."""
        return self.resume_dir is not None

    @property
    def should_checkpoint(self):
        """True once a checkpoint signal arrived: save at the next safe point and exit 0."""
        return self.signal_received is not None

    def resume_path(self, *parts):
        """A path inside the restored checkpoint; ValueError when not resuming."""
        if self.resume_dir is None:
            raise ValueError("not resuming: TERN_RESUME_DIR is not set")
        return os.path.join(self.resume_dir, *parts)

    def load_json(self, filename):
        """The JSON object saved as ``filename`` in the restored checkpoint."""
        with open(self.resume_path(filename), encoding="utf-8") as f:
            return json.load(f)

    def save(self, name, write):
        """Writes checkpoint ``name``: ``write(directory)`` fills it, then it is published whole.

        Returns True when written, False when there is nowhere to write (not under Tern) or
        ``name`` was saved before. ``write`` must only create regular files inside ``directory``.
        """
        if not valid_name(name):
            raise ValueError(
                "checkpoint name %r: use 1-128 of [A-Za-z0-9._-], starting with a letter or digit"
                % (name,))
        if self.checkpoint_dir is None:
            return False
        final = os.path.join(self.checkpoint_dir, name)
        marker = final + ".done"
        if os.path.exists(marker):
            return False
        os.makedirs(self.checkpoint_dir, exist_ok=True)
        staging = tempfile.mkdtemp(prefix="." + name + ".", dir=self.checkpoint_dir)
        try:
            write(staging)
            _sync_tree(staging)
            if os.path.exists(final):
                # Left by an attempt that died before its marker: never committed, replace it.
                shutil.rmtree(final)
            os.rename(staging, final)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        _sync_dir(self.checkpoint_dir)
        # The marker last, by a rename: the agent commits <name> once <name>.done exists.
        fd, tmp = tempfile.mkstemp(prefix="." + name + ".marker.", dir=self.checkpoint_dir)
        os.close(fd)
        os.rename(tmp, marker)
        _sync_dir(self.checkpoint_dir)
        return True

    def save_json(self, name, filename, obj):
        """``save`` of one JSON file: ``obj`` as ``<name>/<filename>``."""

        def write(directory):
            with open(os.path.join(directory, filename), "w", encoding="utf-8") as f:
                json.dump(obj, f)

        return self.save(name, write)

    def __enter__(self):
        for signum in self._signals:
            self._previous[signum] = signal.signal(signum, self._on_signal)
        return self

    def __exit__(self, *exc):
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)
        self._previous.clear()
        return False

    def _on_signal(self, signum, frame):
        # Only a flag: the loop decides when it is safe to write.
        if self.signal_received is None:
            self.signal_received = signum


def session(signals=None):
    """The checkpoint session of this process, from its environment (see the module's doc)."""
    return Session(signals=signals)


def _sync_tree(root):
    for directory, _, files in os.walk(root):
        for name in files:
            fd = os.open(os.path.join(directory, name), os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        _sync_dir(directory)


def _sync_dir(path):
    if sys.platform.startswith("win"):
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
