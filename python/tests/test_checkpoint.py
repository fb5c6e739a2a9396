"""Unit tests of tern.checkpoint; run: python3 -m unittest discover -s python/tests (from the repo)."""

import os
import signal
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import tern.checkpoint as checkpoint  # noqa: E402


class SessionTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp()
        self.ckdir = os.path.join(self.tmp, "ck")
        os.mkdir(self.ckdir)

    def env(self, **extra):
        env = {"TERN_JOB_ID": "job-000007-3", "TERN_ATTEMPT": "2",
               "TERN_CHECKPOINT_DIR": self.ckdir, "TERN_ARRAY_INDEX": "3"}
        env.update(extra)
        return env

    def test_a_fresh_start_is_not_resuming(self):
        ck = checkpoint.Session(self.env())
        self.assertFalse(ck.resuming)
        self.assertIsNone(ck.resume_dir)
        self.assertEqual(("job-000007-3", 2, 3), (ck.job_id, ck.attempt, ck.array_index))
        with self.assertRaises(ValueError):
            ck.resume_path("state.json")

    def test_save_publishes_the_directory_then_its_marker_and_nothing_else(self):
        ck = checkpoint.Session(self.env())
        seen_during_write = []

        def write(directory):
            seen_during_write.append(sorted(os.listdir(self.ckdir)))
            with open(os.path.join(directory, "weights.bin"), "wb") as f:
                f.write(b"\x00\x01")
            os.mkdir(os.path.join(directory, "opt"))
            with open(os.path.join(directory, "opt", "state"), "w") as f:
                f.write("adam")

        self.assertTrue(ck.save("step-000010", write))

        self.assertEqual(["step-000010", "step-000010.done"], sorted(os.listdir(self.ckdir)))
        self.assertTrue(all(not n.startswith("step-000010") for n in seen_during_write[0]),
                        "nothing under the final name while writing")
        with open(os.path.join(self.ckdir, "step-000010", "opt", "state")) as f:
            self.assertEqual("adam", f.read())
        self.assertTrue(os.path.isfile(os.path.join(self.ckdir, "step-000010.done")))

    def test_a_failing_write_leaves_no_trace(self):
        ck = checkpoint.Session(self.env())

        def write(directory):
            with open(os.path.join(directory, "half"), "w") as f:
                f.write("x")
            raise RuntimeError("disk full")

        with self.assertRaises(RuntimeError):
            ck.save("step-000001", write)
        self.assertEqual([], os.listdir(self.ckdir))

    def test_a_name_saved_before_is_not_written_again(self):
        ck = checkpoint.Session(self.env())
        self.assertTrue(ck.save_json("s1", "state.json", {"step": 1}))
        self.assertFalse(ck.save_json("s1", "state.json", {"step": 999}))
        resumed = checkpoint.Session(self.env(TERN_RESUME_DIR=os.path.join(self.ckdir, "s1")))
        self.assertTrue(resumed.resuming)
        self.assertEqual({"step": 1}, resumed.load_json("state.json"))

    def test_bad_names_are_refused(self):
        ck = checkpoint.Session(self.env())
        for bad in ["", ".hidden", "a/b", "x" * 129, "step.done", "sp ace"]:
            with self.assertRaises(ValueError, msg=bad):
                ck.save(bad, lambda d: None)
        self.assertTrue(checkpoint.valid_name("x" * 128))

    def test_outside_tern_save_writes_nothing(self):
        ck = checkpoint.Session({})
        self.assertFalse(ck.save("step-1", lambda d: self.fail("must not be called")))
        self.assertIsNone(ck.array_index)
        self.assertIsNone(ck.attempt)

    def test_the_signal_becomes_a_flag_and_handlers_are_restored(self):
        before = signal.getsignal(signal.SIGUSR1)
        with checkpoint.Session(self.env()) as ck:
            self.assertFalse(ck.should_checkpoint)
            os.kill(os.getpid(), signal.SIGUSR1)
            self.assertTrue(ck.should_checkpoint)
            self.assertEqual(signal.SIGUSR1, ck.signal_received)
            os.kill(os.getpid(), signal.SIGTERM)
            self.assertEqual(signal.SIGUSR1, ck.signal_received, "the first signal is kept")
        self.assertEqual(before, signal.getsignal(signal.SIGUSR1))


if __name__ == "__main__":
    unittest.main()
