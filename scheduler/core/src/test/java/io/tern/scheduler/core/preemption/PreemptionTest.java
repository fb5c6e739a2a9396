package io.tern.scheduler.core.preemption;

import static io.tern.scheduler.core.Fixtures.NOW;
import static io.tern.scheduler.core.Fixtures.cluster;
import static io.tern.scheduler.core.Fixtures.job;
import static io.tern.scheduler.core.Fixtures.plan;
import static io.tern.scheduler.core.Fixtures.queue;
import static io.tern.scheduler.core.Fixtures.spot;
import static org.assertj.core.api.Assertions.assertThat;

import io.tern.scheduler.core.explain.ReasonKind;
import io.tern.scheduler.core.model.Allocation;
import io.tern.scheduler.core.model.Checkpointing;
import io.tern.scheduler.core.model.Job;
import io.tern.scheduler.core.model.Node;
import io.tern.scheduler.core.model.NodeAssignment;
import io.tern.scheduler.core.model.PriorityClass;
import io.tern.scheduler.core.plan.CheckpointRequest;
import io.tern.scheduler.core.plan.Preemption;
import io.tern.scheduler.core.policy.Budget;
import io.tern.scheduler.core.policy.OffPeakStatus;
import io.tern.scheduler.core.policy.PolicySnapshot;
import io.tern.scheduler.core.policy.TeamPolicy;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class PreemptionTest {
  private static final Checkpointing CKPT =
      Checkpointing.every(Duration.ofMinutes(30), Duration.ofSeconds(90));

  private static Allocation runningFor(Job job, Node node, Duration age, Integer... gpus) {
    return new Allocation(
        job,
        1,
        node.capacityType(),
        List.of(new NodeAssignment(node.id(), List.of(gpus))),
        NOW.minus(age),
        null,
        false);
  }

  @Test
  void aHighJobPreemptsTheLowJobThatLosesLeastWork() {
    var a = spot("a", 4);
    var b = spot("b", 4);
    var oldLow = job("old", 4).priority(PriorityClass.LOW).build();
    var youngLow = job("young", 4).priority(PriorityClass.LOW).build();
    var cluster =
        cluster(
            List.of(a, b),
            runningFor(oldLow, a, Duration.ofHours(5), 0, 1, 2, 3),
            runningFor(youngLow, b, Duration.ofMinutes(5), 0, 1, 2, 3));
    var plan = plan(cluster, queue(job("urgent", 4).priority(PriorityClass.HIGH).build()));
    assertThat(plan.placements()).isEmpty();
    assertThat(plan.preemptions())
        .containsExactly(
            new Preemption("young", 1, "urgent", Preemption.Reason.PRIORITY, false, 1200));
    assertThat(plan.explanationFor("urgent").orElseThrow().primaryKind())
        .isEqualTo(ReasonKind.WAITING_FOR_PREEMPTION);
  }

  @Test
  void checkpointableVictimsGoFirstAndAreAskedToCheckpoint() {
    var a = spot("a", 4);
    var b = spot("b", 4);
    var young = job("young", 4).priority(PriorityClass.LOW).build();
    var oldButCheckpointable =
        job("ckpt", 4).priority(PriorityClass.LOW).checkpointing(CKPT).build();
    var cluster =
        cluster(
            List.of(a, b),
            runningFor(young, a, Duration.ofMinutes(1), 0, 1, 2, 3),
            runningFor(oldButCheckpointable, b, Duration.ofHours(9), 0, 1, 2, 3));
    var plan = plan(cluster, queue(job("urgent", 4).priority(PriorityClass.HIGH).build()));
    assertThat(plan.preemptions()).extracting(Preemption::victimJobId).containsExactly("ckpt");
    assertThat(plan.preemptions().get(0).checkpointFirst()).isTrue();
    assertThat(plan.preemptions().get(0).gpuSecondsLost()).isZero();
    assertThat(plan.checkpointRequests())
        .containsExactly(new CheckpointRequest("ckpt", 1, CheckpointRequest.Reason.PREEMPTION));
  }

  @Test
  void equalClassesDoNotPreemptEachOther() {
    var a = spot("a", 4);
    var cluster =
        cluster(List.of(a), runningFor(job("r", 4).build(), a, Duration.ofHours(1), 0, 1, 2, 3));
    var plan = plan(cluster, queue(job("w", 4).build()));
    assertThat(plan.preemptions()).isEmpty();
  }

  @Test
  void aVictimIsNeverChosenTwiceAndStoppingJobsCountAsRoom() {
    var a = spot("a", 4);
    var low = job("low", 4).priority(PriorityClass.LOW).build();
    var stopping = runningFor(low, a, Duration.ofHours(1), 0, 1, 2, 3).asStopping();
    var plan =
        plan(
            cluster(List.of(a), stopping),
            queue(
                job("h1", 4).priority(PriorityClass.HIGH).build(),
                job("h2", 4).priority(PriorityClass.HIGH).submittedAt(NOW).build()));
    assertThat(plan.preemptions()).isEmpty();
    assertThat(plan.explanationFor("h1").orElseThrow().toString())
        .isEqualTo("waiting for stopping jobs to free a");
    assertThat(plan.explanationFor("h2").orElseThrow().primaryKind())
        .isNotEqualTo(ReasonKind.WAITING_FOR_PREEMPTION);
  }

  @Test
  void aNodeWhereAJobIsStoppingAlreadyIsTakenBeforeOneWhereANewVictimWouldStop() {
    // A checkpointable normal job was asked to stop on b for an earlier plan; a is busy with a
    // normal job that just checkpointed. The high job waits for b, preempting no one more.
    var a = spot("a", 1);
    var b = spot("b", 1);
    var onA =
        new Allocation(
            job("on-a", 1).checkpointing(CKPT).build(),
            1,
            a.capacityType(),
            List.of(new NodeAssignment("a", List.of(0))),
            NOW.minus(Duration.ofHours(1)),
            NOW,
            false);
    var stoppingOnB =
        runningFor(job("on-b", 1).checkpointing(CKPT).build(), b, Duration.ofHours(1), 0)
            .asStopping();
    var plan =
        plan(
            cluster(List.of(a, b), onA, stoppingOnB),
            queue(job("urgent", 1).priority(PriorityClass.HIGH).build()));
    assertThat(plan.preemptions()).isEmpty();
    assertThat(plan.explanationFor("urgent").orElseThrow().toString())
        .isEqualTo("waiting for stopping jobs to free b");
  }

  @Test
  void theLowestPriorityClassIsPreemptedFirstOnANodeAndAcrossNodes() {
    // Every job here checkpoints (no work lost): the class decides, not the id or the node.
    var a = spot("a", 2);
    var b = spot("b", 1);
    var c = spot("c", 1);
    var plan =
        plan(
            cluster(
                List.of(a, b, c),
                runningFor(job("a-normal", 1).checkpointing(CKPT).build(), a, Duration.ZERO, 0),
                runningFor(
                    job("a-low", 1).priority(PriorityClass.LOW).checkpointing(CKPT).build(),
                    a,
                    Duration.ZERO,
                    1),
                runningFor(job("b-normal", 1).checkpointing(CKPT).build(), b, Duration.ZERO, 0),
                runningFor(
                    job("c-low", 1).priority(PriorityClass.LOW).checkpointing(CKPT).build(),
                    c,
                    Duration.ZERO,
                    0)),
            queue(
                job("urgent-1", 1).priority(PriorityClass.HIGH).build(),
                job("urgent-2", 1).priority(PriorityClass.HIGH).submittedAt(NOW).build()));
    assertThat(plan.preemptions())
        .extracting(Preemption::victimJobId)
        .containsExactlyInAnyOrder("a-low", "c-low");
  }

  @Test
  void aTeamUnderItsGuaranteeReclaimsFromABorrowingTeam() {
    var policy =
        PolicySnapshot.of(
            OffPeakStatus.NO_WINDOWS,
            List.of(
                new TeamPolicy("owner", 1.0, 4, 0, Budget.UNLIMITED),
                new TeamPolicy("borrower", 1.0, 0, TeamPolicy.UNLIMITED, Budget.UNLIMITED)),
            List.of());
    var a = spot("a", 4);
    var borrowed = job("borrowed", 4).team("borrower").build();
    var plan =
        plan(
            cluster(List.of(a), runningFor(borrowed, a, Duration.ofHours(1), 0, 1, 2, 3)),
            queue(job("mine", 4).team("owner").build()),
            policy);
    assertThat(plan.preemptions())
        .extracting(Preemption::victimJobId, Preemption::reason)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("borrowed", Preemption.Reason.QUOTA_RECLAIM));
  }
}
