package io.tern.scheduler.spec;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Timestamp;
import io.tern.api.v1.Attempt;
import io.tern.api.v1.CheckpointRef;
import io.tern.api.v1.FailedCheckpoint;
import io.tern.api.v1.RestoreReport;
import org.junit.jupiter.api.Test;

class AttemptCheckpointsTest {
  private static final CheckpointRef CK =
      CheckpointRef.newBuilder().setName("step-000120").setAttempt(1).build();
  private static final Timestamp T = Timestamp.newBuilder().setSeconds(1_800_000_000L).build();

  @Test
  void anAttemptSaysWhatItRestoredNotWhatItWasAskedFor() {
    assertThat(AttemptCheckpoints.restore(Attempt.newBuilder().setNumber(1).build())).isEmpty();
    assertThat(
            AttemptCheckpoints.restore(
                Attempt.newBuilder()
                    .setResumeRequested(CK)
                    .setRestore(
                        RestoreReport.newBuilder()
                            .setRequested(CK)
                            .addFailedVerification(
                                FailedCheckpoint.newBuilder()
                                    .setName("step-000120")
                                    .setAttempt(1)
                                    .setReason("bad hash")))
                    .build()))
        .hasValue(
            "none: started fresh, 1 checkpoint failed verification (step-000120 of attempt 1:"
                + " bad hash)");
    assertThat(
            AttemptCheckpoints.restore(
                Attempt.newBuilder().setResumeRequested(CK).setStartedAt(T).build()))
        .hasValue(
            "asked to resume from step-000120 of attempt 1; its agent did not say what it restored");
  }

  @Test
  void anAttemptThatNeverStartedSaysSo() {
    assertThat(
            AttemptCheckpoints.restore(
                Attempt.newBuilder().setResumeRequested(CK).setEndedAt(T).build()))
        .hasValue("asked to resume from step-000120 of attempt 1; it never started");
    assertThat(AttemptCheckpoints.restore(Attempt.newBuilder().setResumeRequested(CK).build()))
        .as("placed, not started yet")
        .hasValue("asked to resume from step-000120 of attempt 1");
  }
}
