package io.tern.agent.job;

import com.google.protobuf.Duration;
import io.tern.api.v1.CheckpointPolicy;
import io.tern.api.v1.JobSpec;
import io.tern.api.v1.StartJob;
import java.util.List;

/** StartJob commands for tests: bash scripts. */
public final class JobFixtures {
  private JobFixtures() {}

  /** A job running {@code bash -c script} on {@code gpus}. */
  public static StartJob.Builder bash(String jobId, int attempt, String script, Integer... gpus) {
    return StartJob.newBuilder()
        .setJobId(jobId)
        .setAttempt(attempt)
        .setSpec(
            JobSpec.newBuilder()
                .setName(jobId)
                .setTeam("test")
                .addAllCommand(List.of("bash", "-c", script)))
        .addAllGpuIndices(List.of(gpus));
  }

  /** {@link #bash} with a checkpoint policy: {@code signal}, {@code graceMillis}. */
  public static StartJob.Builder checkpointing(
      String jobId, int attempt, String script, String signal, long graceMillis) {
    StartJob.Builder start = bash(jobId, attempt, script);
    start
        .getSpecBuilder()
        .setCheckpoint(
            CheckpointPolicy.newBuilder()
                .setSignal(signal)
                .setGrace(
                    Duration.newBuilder()
                        .setSeconds(graceMillis / 1000)
                        .setNanos((int) (graceMillis % 1000) * 1_000_000)));
    return start;
  }

  /**
   * A script that prints "ready" once its traps are set, then waits on a child in its own process
   * group ({@code sleep}), so signals to the group reach both.
   */
  public static String waitingScript(String traps) {
    return traps + "; sleep 1000 & echo ready; wait";
  }
}
