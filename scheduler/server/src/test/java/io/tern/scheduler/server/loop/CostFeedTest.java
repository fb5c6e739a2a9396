package io.tern.scheduler.server.loop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.tern.api.v1.Attempt;
import io.tern.api.v1.CapacityType;
import io.tern.api.v1.CheckpointRef;
import io.tern.api.v1.FailedCheckpoint;
import io.tern.api.v1.Gpu;
import io.tern.api.v1.GpuIndices;
import io.tern.api.v1.Job;
import io.tern.api.v1.JobSpec;
import io.tern.api.v1.JobState;
import io.tern.api.v1.Node;
import io.tern.api.v1.RestoreReport;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class CostFeedTest {
  private static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");

  @Test
  void onDemandTimeIsChargedWithItsPremiumOverTheSameShapeOnSpot() {
    Node onDemand =
        Node.newBuilder()
            .setId("od-1")
            .setPool("p3.2xlarge/us-west-2a")
            .setCapacityType(CapacityType.CAPACITY_TYPE_ON_DEMAND)
            .setPricePerHourUsd(3.06)
            .addGpus(Gpu.newBuilder().setIndex(0).setModel("V100"))
            .build();
    CostFeed feed = new CostFeed(node -> 0.9731);
    Job job =
        Job.newBuilder()
            .setId("job-000001")
            .setSpec(JobSpec.newBuilder().setTeam("vision"))
            .setState(JobState.JOB_STATE_SUCCEEDED)
            .addAttempts(
                Attempt.newBuilder()
                    .setNumber(1)
                    .addNodeIds("od-1")
                    .addGpus(GpuIndices.newBuilder().addIndex(0))
                    .setCapacityType(CapacityType.CAPACITY_TYPE_ON_DEMAND)
                    .setStartedAt(CoreSnapshots.timestamp(T0))
                    .setEndedAt(CoreSnapshots.timestamp(T0.plusSeconds(3600)))
                    .setExitCode(0))
            .build();

    feed.observe(job, id -> onDemand, T0.plusSeconds(3600));
    var total = feed.ledger().report(T0, T0.plusSeconds(7200), "").getTotal();

    assertThat(total.getOnDemandUsd()).isCloseTo(3.06, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(total.getOnDemandPremiumUsd())
        .isCloseTo(3.06 - 0.9731, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(total.getGpuHours()).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-9));
  }

  /**
   * Attempt 1 ran 55 s and committed a checkpoint at 35 s before its node was lost; attempt 2 found
   * that checkpoint corrupt and started fresh: all 55 s are lost, not the 20 s since the
   * checkpoint.
   */
  @Test
  void aWholeAttemptIsLostWhenItsCheckpointFailsVerificationOnTheNextStart() {
    CheckpointRef ck = checkpoint("ck-000070", 35);
    Attempt lost = lostAt55(ck);
    Job afterLoss = job(JobState.JOB_STATE_PENDING).addAttempts(lost).build();
    CostFeed feed = new CostFeed(node -> Double.NaN);
    feed.observe(afterLoss, id -> NODE, T0.plusSeconds(55));
    assertThat(lostSeconds(feed)).isCloseTo(20, within(1e-6));

    Job fresh =
        job(JobState.JOB_STATE_RUNNING)
            .addAttempts(lost)
            .addAttempts(
                onNode(2, T0.plusSeconds(60))
                    .setResumeRequested(ck)
                    .setRestore(
                        RestoreReport.newBuilder()
                            .setRequested(ck)
                            .addFailedVerification(
                                FailedCheckpoint.newBuilder()
                                    .setName("ck-000070")
                                    .setAttempt(1)
                                    .setReason("file state fails its SHA-256 check"))))
            .build();
    feed.observe(fresh, id -> NODE, T0.plusSeconds(60));
    feed.observe(fresh, id -> NODE, T0.plusSeconds(61));
    assertThat(lostSeconds(feed)).isCloseTo(55, within(1e-6));

    // A new leader rebuilding the ledger from the stored job books the same.
    CostFeed rebuilt = new CostFeed(node -> Double.NaN);
    rebuilt.observe(fresh, id -> NODE, T0.plusSeconds(70));
    assertThat(lostSeconds(rebuilt)).isCloseTo(55, within(1e-6));
  }

  /**
   * Attempt 1 was given up as lost 20 s after its last checkpoint, then its exit 0 arrived (it had
   * finished while its agent was cut off): nothing was lost, live or rebuilt.
   */
  @Test
  void aLostAttemptWhoseExitZeroArrivesLateLosesNothing() {
    Attempt.Builder lost =
        onNode(1, T0)
            .setLastCheckpoint(
                CheckpointRef.newBuilder()
                    .setName("ck-000070")
                    .setAttempt(1)
                    .setCommittedAt(CoreSnapshots.timestamp(T0.plusSeconds(35))))
            .setEndedAt(CoreSnapshots.timestamp(T0.plusSeconds(55)))
            .setEndReason("lost: node n-1 stopped answering");
    CostFeed feed = new CostFeed(node -> Double.NaN);
    feed.observe(job(JobState.JOB_STATE_PENDING).addAttempts(lost).build(), id -> NODE, T0);
    assertThat(lostSeconds(feed)).isCloseTo(20, within(1e-6));

    Job finished =
        job(JobState.JOB_STATE_SUCCEEDED)
            .addAttempts(lost.setExitCode(0).setEndReason("exit 0, reported late by node n-1"))
            .build();
    feed.observe(finished, id -> NODE, T0.plusSeconds(70));
    assertThat(lostSeconds(feed)).isZero();

    CostFeed rebuilt = new CostFeed(node -> Double.NaN);
    rebuilt.observe(finished, id -> NODE, T0.plusSeconds(80));
    assertThat(lostSeconds(rebuilt)).isZero();
  }

  @Test
  void anOlderCheckpointRestoredKeepsTheWorkBeforeIt() {
    CheckpointRef older = checkpoint("ck-000040", 20);
    CheckpointRef newer =
        older.toBuilder()
            .setName("ck-000070")
            .setCommittedAt(CoreSnapshots.timestamp(T0.plusSeconds(35)))
            .build();
    Job job =
        job(JobState.JOB_STATE_RUNNING)
            .addAttempts(
                onNode(1, T0)
                    .setLastCheckpoint(newer)
                    .setEndedAt(CoreSnapshots.timestamp(T0.plusSeconds(55)))
                    .setEndReason("lost"))
            .addAttempts(
                onNode(2, T0.plusSeconds(60))
                    .setResumedFrom(older)
                    .setRestore(
                        RestoreReport.newBuilder()
                            .setRequested(newer)
                            .setRestored(older)
                            .addFailedVerification(
                                FailedCheckpoint.newBuilder().setName("ck-000070").setAttempt(1))))
            .build();
    CostFeed feed = new CostFeed(node -> Double.NaN);
    feed.observe(job, id -> NODE, T0.plusSeconds(60));
    assertThat(lostSeconds(feed)).isCloseTo(35, within(1e-6));
  }

  /**
   * Attempt 1's last checkpoint the scheduler heard of was at 20 s; it committed another at 35 s
   * whose report was lost (a ZooKeeper outage), and was lost at 55 s. Attempt 2 restored the one at
   * 35 s: 20 s are lost, not 35, and the attempt shows that checkpoint, live or rebuilt.
   */
  @Test
  void aNewerCheckpointRestoredThanTheSchedulerHeardOfKeepsTheWorkBeforeIt() {
    CheckpointRef heard = checkpoint("ck-000040", 20);
    CheckpointRef unheard = checkpoint("ck-000070", 35);
    Attempt lost = lostAt55(heard);
    Job afterLoss = job(JobState.JOB_STATE_PENDING).addAttempts(lost).build();
    CostFeed feed = new CostFeed(node -> Double.NaN);
    feed.observe(afterLoss, id -> NODE, T0.plusSeconds(55));
    assertThat(lostSeconds(feed)).isCloseTo(35, within(1e-6));

    Job started =
        job(JobState.JOB_STATE_RUNNING)
            .addAttempts(lost)
            .addAttempts(onNode(2, T0.plusSeconds(60)).setResumeRequested(heard))
            .build();
    Job resumed =
        JobChanges.restored(
            started, RestoreReport.newBuilder().setRequested(heard).setRestored(unheard).build());
    assertThat(resumed.getAttempts(0).getLastCheckpoint()).isEqualTo(unheard);
    assertThat(resumed.getAttempts(1).getResumedFrom()).isEqualTo(unheard);

    feed.observe(resumed, id -> NODE, T0.plusSeconds(61));
    assertThat(lostSeconds(feed)).isCloseTo(20, within(1e-6));
    CostFeed rebuilt = new CostFeed(node -> Double.NaN);
    rebuilt.observe(resumed, id -> NODE, T0.plusSeconds(70));
    assertThat(lostSeconds(rebuilt)).isCloseTo(20, within(1e-6));

    // A restored checkpoint dated after its attempt ended says nothing of that attempt.
    CheckpointRef late =
        unheard.toBuilder().setCommittedAt(CoreSnapshots.timestamp(T0.plusSeconds(90))).build();
    Job odd =
        JobChanges.restored(
            started, RestoreReport.newBuilder().setRequested(heard).setRestored(late).build());
    assertThat(odd.getAttempts(0).getLastCheckpoint()).isEqualTo(heard);
  }

  /**
   * An hour on a node placed at $3,600 an hour, whose agent later registers at $36 (a new --price):
   * a leader rebuilding the ledger books what the attempt cost as placed, not 1/100 of it.
   */
  @Test
  void anAttemptIsPricedAsPlacedWhateverItsNodeCostsLater() {
    Node dear = NODE.toBuilder().setPricePerHourUsd(3600).build();
    Attempt.Builder attempt =
        onNode(1, T0)
            .addNodePrices(CostFeed.price(dear, node -> 3600))
            .setEndedAt(CoreSnapshots.timestamp(T0.plusSeconds(3600)))
            .setExitCode(0);
    Job job = job(JobState.JOB_STATE_SUCCEEDED).addAttempts(attempt).build();
    Node cheap = NODE.toBuilder().setPricePerHourUsd(36).build();

    CostFeed rebuilt = new CostFeed(node -> 36);
    rebuilt.observe(job, id -> cheap, T0.plusSeconds(7200));

    var total = rebuilt.ledger().report(T0, T0.plusSeconds(7200), "").getTotal();
    assertThat(total.getSpotUsd()).isCloseTo(3600, within(1e-6));
  }

  private static final Node NODE =
      Node.newBuilder()
          .setId("n-1")
          .setPool("local")
          .setCapacityType(CapacityType.CAPACITY_TYPE_SPOT)
          .setPricePerHourUsd(1)
          .addGpus(Gpu.newBuilder().setIndex(0).setModel("L4"))
          .build();

  private static Job.Builder job(JobState state) {
    return Job.newBuilder()
        .setId("job-000002")
        .setSpec(JobSpec.newBuilder().setTeam("vision"))
        .setState(state);
  }

  private static Attempt.Builder onNode(int number, Instant started) {
    return Attempt.newBuilder()
        .setNumber(number)
        .addNodeIds("n-1")
        .addGpus(GpuIndices.newBuilder().addIndex(0))
        .setCapacityType(CapacityType.CAPACITY_TYPE_SPOT)
        .setStartedAt(CoreSnapshots.timestamp(started));
  }

  /** A checkpoint of attempt 1 committed {@code seconds} after T0. */
  private static CheckpointRef checkpoint(String name, int seconds) {
    return CheckpointRef.newBuilder()
        .setName(name)
        .setAttempt(1)
        .setCommittedAt(CoreSnapshots.timestamp(T0.plusSeconds(seconds)))
        .build();
  }

  /** Attempt 1, started at T0 and lost with its node 55 s later, {@code last} its checkpoint. */
  private static Attempt lostAt55(CheckpointRef last) {
    return onNode(1, T0)
        .setLastCheckpoint(last)
        .setEndedAt(CoreSnapshots.timestamp(T0.plusSeconds(55)))
        .setEndReason("lost: node n-1 stopped answering")
        .build();
  }

  private static double lostSeconds(CostFeed feed) {
    return feed.ledger()
            .report(T0.minusSeconds(3600), T0.plusSeconds(3600), "")
            .getTotal()
            .getLostGpuHours()
        * 3600;
  }
}
