package io.tern.cli.history;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Timestamp;
import io.tern.api.v1.Attempt;
import io.tern.api.v1.CheckpointRef;
import io.tern.api.v1.Gpu;
import io.tern.api.v1.Job;
import io.tern.api.v1.JobSpec;
import io.tern.api.v1.Node;
import io.tern.api.v1.Resources;
import io.tern.simulator.trace.TraceJob;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class HistoryTraceTest {
  private static final Instant T0 = Instant.parse("2026-11-01T00:00:00Z");

  private static Timestamp at(double seconds) {
    Instant i = T0.plusMillis(Math.round(seconds * 1000));
    return Timestamp.newBuilder().setSeconds(i.getEpochSecond()).setNanos(i.getNano()).build();
  }

  private static Attempt.Builder attempt(int number, double start, double end) {
    return Attempt.newBuilder().setNumber(number).setStartedAt(at(start)).setEndedAt(at(end));
  }

  private static CheckpointRef checkpoint(int attempt, double committed) {
    return CheckpointRef.newBuilder().setAttempt(attempt).setCommittedAt(at(committed)).build();
  }

  private static Job job(String id, double submit, Attempt.Builder... attempts) {
    Job.Builder b =
        Job.newBuilder()
            .setId(id)
            .setSubmittedAt(at(submit))
            .setSpec(
                JobSpec.newBuilder()
                    .setTeam("vision")
                    .setResources(Resources.newBuilder().setGpus(1)));
    for (Attempt.Builder a : attempts) {
      b.addAttempts(a);
    }
    return b.build();
  }

  @Test
  void workIsTheLastAttemptPlusTheWorkInTheCheckpointsItResumedFrom() {
    // 1 ran 0-100 s, checkpointed at 60 s and was reclaimed: 40 s lost. 2 resumed from that,
    // ran 200-250 s, checkpointed at its notice (committed after it ended). 3 resumed from that.
    Job resumed =
        job(
            "job-1",
            0,
            attempt(1, 0, 100).setLastCheckpoint(checkpoint(1, 60)),
            attempt(2, 200, 250).setResumedFrom(checkpoint(1, 60)),
            attempt(3, 300, 330.2).setResumedFrom(checkpoint(2, 251)));

    assertThat(HistoryTrace.workMillis(resumed)).isEqualTo(60_000 + 50_000 + 30_200);
  }

  @Test
  void anAttemptThatStartedAfreshCountsAlone() {
    Job fresh = job("job-2", 0, attempt(1, 0, 100), attempt(2, 200, 212));
    Job never = job("job-3", 0, Attempt.newBuilder().setNumber(1));

    assertThat(HistoryTrace.workMillis(fresh)).isEqualTo(12_000);
    assertThat(HistoryTrace.workMillis(never)).isZero();
  }

  @Test
  void submitsCountFromTheEarliestAndDurationsRoundUp() {
    Job late = job("job-9", 90.7, attempt(1, 100, 100.2));
    Job early =
        job("job-8", 10.5, attempt(1, 11, 71)).toBuilder()
            .setSpec(
                JobSpec.newBuilder()
                    .setTeam("nlp")
                    .setResources(
                        Resources.newBuilder()
                            .setGpus(4)
                            .setGpuMemoryGib(39.5)
                            .addGpuModels("A100")
                            .addGpuModels("H100"))
                    .setDeadline(at(10.5 + 3600.2)))
            .build();

    List<TraceJob> jobs = HistoryTrace.jobs(List.of(late, early));

    assertThat(jobs).extracting(TraceJob::id).containsExactly("job-8", "job-9");
    assertThat(jobs).extracting(TraceJob::submitSeconds).containsExactly(0L, 80L);
    assertThat(jobs).extracting(TraceJob::durationSeconds).containsExactly(60L, 1L);
    TraceJob gpus = jobs.get(0);
    assertThat(gpus.deadlineSeconds()).isEqualTo(3601);
    assertThat(gpus.gpuModels()).containsExactly("A100", "H100");
    assertThat(gpus.gpuMemGib()).isEqualTo(40);
    assertThat(jobs.get(1).hasDeadline()).isFalse();
  }

  @Test
  void aNodeRowHasItsMostCommonModelAndNodesWithoutGpusAreLeftOut() {
    Node mixed =
        Node.newBuilder()
            .setId("gpu-7")
            .setPool("p4d/us-west-2a")
            .setPricePerHourUsd(32.77)
            .setCapacityType(io.tern.api.v1.CapacityType.CAPACITY_TYPE_SPOT)
            .addGpus(Gpu.newBuilder().setModel("A100").setMemoryTotalMib(40_960))
            .addGpus(Gpu.newBuilder().setModel("A100").setMemoryTotalMib(40_536))
            .addGpus(Gpu.newBuilder().setModel("T4").setMemoryTotalMib(16_384))
            .build();
    Node cpu = Node.newBuilder().setId("cpu-1").build();

    assertThat(HistoryTrace.nodeList(List.of(mixed, cpu)))
        .isEqualTo(HistoryTrace.NODE_HEADER + "\ngpu-7,3,A100,39,spot,p4d/us-west-2a,32.7700\n");
  }
}
