package io.tern.scheduler.server.loop;

import static org.assertj.core.api.Assertions.assertThat;

import io.tern.api.v1.Job;
import io.tern.api.v1.JobState;
import io.tern.api.v1.SchedulerMessage.KindCase;
import io.tern.scheduler.core.PlacementEngine;
import io.tern.scheduler.core.plan.Plan;
import io.tern.scheduler.core.policy.PolicySnapshot;
import io.tern.testing.FakeScheduledExecutor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The planner on a loop run by hand: the core runs when the test runs the planning thread. */
class PlannerTest {
  private final HandLoop loop = new HandLoop();
  private final FakeScheduledExecutor planThread = new FakeScheduledExecutor(loop.clock);
  private final List<Plan> plansApplied = new ArrayList<>();
  private final List<String> absorbed = new ArrayList<>();
  private final List<Long> planned = new ArrayList<>();
  private final StubFleet fleet = new StubFleet();
  private final Planner planner =
      new Planner(
          loop,
          loop.clock,
          new PlacementEngine(),
          planThread,
          term -> absorbed.add("absorbed"),
          fleet,
          new CurrentPolicy(fleet, (team, status) -> {}),
          loop.writes,
          loop.commands,
          loop.plans,
          () ->
              new LoopEvents() {
                @Override
                public void planned(long nanos) {
                  planned.add(nanos);
                }
              });

  /** A fleet with no cloud: records what the planner tells it. */
  private final class StubFleet implements Fleet {
    final List<String> releasing = new ArrayList<>();

    @Override
    public PolicySnapshot withPools(PolicySnapshot policy) {
      return policy;
    }

    @Override
    public boolean releasing(String nodeId) {
      return releasing.contains(nodeId);
    }

    @Override
    public void afterPlan(LeaderTerm term, Plan plan, PolicySnapshot policy) {
      plansApplied.add(plan);
    }

    @Override
    public java.util.List<io.tern.scheduler.core.policy.PoolOffer> pools() {
      return java.util.List.of();
    }

    @Override
    public void onRegistered(String nodeId) {}
  }

  private JobState state(String id) {
    return loop.term.entry(id).state();
  }

  @Test
  void aQueuedJobIsPlacedWrittenAndOnlyThenStarted() {
    loop.lead(
        List.of(HandLoop.queued("job-000001", HandLoop.spec("vision", 2))),
        List.of(HandLoop.node("n1", 8)));
    HandLoop.Channel agent = loop.connect("n1");

    planner.planAndApply();
    assertThat(absorbed).containsExactly("absorbed");
    assertThat(planThread.runDue()).isEqualTo(1); // the core, off the loop
    assertThat(planned).hasSize(1);
    assertThat(state("job-000001")).isEqualTo(JobState.JOB_STATE_PENDING);

    loop.runDue(); // the apply, back on the loop
    assertThat(state("job-000001")).isEqualTo(JobState.JOB_STATE_STARTING);
    assertThat(plansApplied).hasSize(1);
    assertThat(agent.sent).as("no start before ZooKeeper has the attempt").isEmpty();

    loop.settle();
    assertThat(loop.committedPaths())
        .containsExactly(io.tern.scheduler.server.zk.ZkPaths.defaults().job("job-000001"));
    var start = agent.of(KindCase.START_JOB).getFirst();
    assertThat(start.getEpoch()).isEqualTo(7);
    assertThat(start.getStartJob().getAttempt()).isEqualTo(1);
    assertThat(start.getStartJob().getGpuIndicesList()).hasSize(2);
    Job stored = loop.term.entry("job-000001").job;
    assertThat(stored.getAttempts(0).getNodeIdsList()).containsExactly("n1");
    assertThat(stored.getAttempts(0).getPlacedAt()).isEqualTo(HandLoop.at(HandLoop.T0));
    var price = stored.getAttempts(0).getNodePrices(0);
    assertThat(price.getUsdPerHour()).as("priced as placed, kept with it").isEqualTo(4.0);
    assertThat(price.getNodeGpus()).isEqualTo(8);
    assertThat(price.getPool()).isEqualTo("od");
  }

  @Test
  void aNodeWhoseAgentHasNotRegisteredWithThisLeaderIsSaidToBeNotConnectedNotCordoned() {
    // As after a failover or a ZooKeeper outage: ZooKeeper knows the nodes, their agents have
    // not registered with this leader yet.
    loop.lead(
        List.of(HandLoop.queued("job-000001", HandLoop.spec("vision", 2))),
        List.of(HandLoop.node("n1", 8), HandLoop.node("n2", 8)));
    loop.connect("n2");
    fleet.releasing.add("n2");

    planner.planAndApply();
    planThread.runDue();
    loop.settle();

    assertThat(state("job-000001")).isEqualTo(JobState.JOB_STATE_PENDING);
    assertThat(loop.term.entry("job-000001").job.getPendingReason())
        .contains("1 node: agent not connected")
        .contains("1 node: cordoned");
  }

  @Test
  void aNodeRestingAfterAFaultIsSaidToBeRestingUntilItsRestEnds() {
    loop.lead(
        List.of(HandLoop.queued("job-000001", HandLoop.spec("vision", 2))),
        List.of(HandLoop.node("n1", 8)));
    loop.connect("n1");
    loop.term.nodes.get("n1").faultedUntil = loop.clock.instant().plusSeconds(30);

    planner.planAndApply();
    planThread.runDue();
    loop.settle();

    assertThat(state("job-000001")).isEqualTo(JobState.JOB_STATE_PENDING);
    assertThat(loop.term.entry("job-000001").job.getPendingReason())
        .contains("1 node: resting after a fault (tern nodes says why)")
        .doesNotContain("cordoned");

    loop.clock.advance(java.time.Duration.ofSeconds(30));
    planner.planAndApply();
    planThread.runDue();
    loop.settle();
    assertThat(state("job-000001")).isEqualTo(JobState.JOB_STATE_STARTING);
  }

  private static io.tern.api.v1.JobSpec task(int index, int parallel) {
    var spec = HandLoop.spec("vision", 1);
    return spec.toBuilder()
        .setArray(
            io.tern.api.v1.ArraySpec.newBuilder()
                .setIndices("0-5")
                .setParallel(parallel)
                .setTaskIndex(index)
                .setArrayId("job-000001"))
        .build();
  }

  @Test
  void anArrayStartsNoMoreTasksThanItsParallelLimitCountingThoseRunning() {
    List<Job> jobs = new ArrayList<>();
    jobs.add(HandLoop.placed("job-000001-0", task(0, 3), JobState.JOB_STATE_RUNNING, "n1", 0));
    jobs.add(
        HandLoop.placed("job-000001-1", task(1, 3), JobState.JOB_STATE_CHECKPOINTING, "n1", 1));
    for (int i = 2; i < 6; i++) {
      jobs.add(HandLoop.queued("job-000001-" + i, task(i, 3)));
    }
    loop.lead(jobs, List.of(HandLoop.node("n1", 8)));
    loop.connect("n1");

    planner.planAndApply();
    planThread.runDue();
    loop.settle();

    assertThat(state("job-000001-2")).isEqualTo(JobState.JOB_STATE_STARTING);
    for (int i = 3; i < 6; i++) {
      JobEntry waiting = loop.term.entry("job-000001-" + i);
      assertThat(waiting.state()).isEqualTo(JobState.JOB_STATE_PENDING);
      assertThat(waiting.job.getPendingReason())
          .isEqualTo("array job-000001 runs at most 3 tasks at once");
    }

    // Another plan, with three holding GPUs: nothing more starts.
    planner.planAndApply();
    planThread.runDue();
    loop.settle();
    assertThat(state("job-000001-3")).isEqualTo(JobState.JOB_STATE_PENDING);
  }

  private static Job ended(String id, JobState state) {
    return HandLoop.placed(id, task(0, 0), state, "n1", 0);
  }

  private static Job dependent(String id, io.tern.api.v1.DependencyType type) {
    return HandLoop.queued(
        id,
        HandLoop.spec("vision", 1).toBuilder()
            .addDependsOn(
                io.tern.api.v1.Dependency.newBuilder().setJobId("job-000001").setType(type))
            .build());
  }

  @Test
  void aJobAfterAnArrayWaitsForEveryTaskThenCountsAFailureAsTheArrays() {
    loop.lead(
        List.of(
            ended("job-000001-0", JobState.JOB_STATE_SUCCEEDED),
            HandLoop.placed("job-000001-1", task(1, 0), JobState.JOB_STATE_RUNNING, "n1", 1),
            dependent("job-000002", io.tern.api.v1.DependencyType.DEPENDENCY_TYPE_AFTER_OK),
            dependent("job-000003", io.tern.api.v1.DependencyType.DEPENDENCY_TYPE_AFTER_NOT_OK)),
        List.of(HandLoop.node("n1", 8)));
    loop.connect("n1");

    planner.planAndApply();
    planThread.runDue();
    loop.settle();
    assertThat(loop.term.entry("job-000002").job.getPendingReason())
        .isEqualTo("waiting for job-000001");
    assertThat(state("job-000003")).isEqualTo(JobState.JOB_STATE_PENDING);

    loop.term.entry("job-000001-1").job =
        loop.term.entry("job-000001-1").job.toBuilder().setState(JobState.JOB_STATE_FAILED).build();
    planner.planAndApply();
    planThread.runDue();
    loop.settle();

    assertThat(state("job-000002")).isEqualTo(JobState.JOB_STATE_CANCELLED);
    assertThat(state("job-000003")).isEqualTo(JobState.JOB_STATE_STARTING);
  }

  @Test
  void aJobAUserHoldsIsCancelledOnceItsDependencyCanNeverBeMetAndWaitsHeldBefore() {
    Job heldChild =
        dependent("job-000002", io.tern.api.v1.DependencyType.DEPENDENCY_TYPE_AFTER_OK).toBuilder()
            .setState(JobState.JOB_STATE_HELD)
            .setHeldByUser(true)
            .setPendingReason("held by root")
            .build();
    loop.lead(
        List.of(
            HandLoop.placed(
                "job-000001", HandLoop.spec("vision", 1), JobState.JOB_STATE_RUNNING, "n1", 0),
            heldChild),
        List.of(HandLoop.node("n1", 8)));
    loop.connect("n1");

    planner.planAndApply();
    planThread.runDue();
    loop.settle();
    Job whileItRuns = loop.term.entry("job-000002").job;

    loop.term.entry("job-000001").job =
        loop.term.entry("job-000001").job.toBuilder().setState(JobState.JOB_STATE_FAILED).build();
    planner.planAndApply();
    planThread.runDue();
    loop.settle();
    Job cancelled = loop.term.entry("job-000002").job;

    assertThat(whileItRuns.getState()).isEqualTo(JobState.JOB_STATE_HELD);
    assertThat(whileItRuns.getPendingReason()).isEqualTo("held by root");
    assertThat(cancelled.getState())
        .as("not only once released")
        .isEqualTo(JobState.JOB_STATE_CANCELLED);
    assertThat(cancelled.getHeldByUser()).isFalse();
    assertThat(cancelled.getPendingReason())
        .isEqualTo("cancelled: dependency never satisfied: job-000001 FAILED (afterok)");
  }

  @Test
  void anArrayWithoutALimitIsNotHeldBack() {
    List<Job> jobs = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      jobs.add(HandLoop.queued("job-000001-" + i, task(i, 0)));
    }
    loop.lead(jobs, List.of(HandLoop.node("n1", 8)));
    loop.connect("n1");

    planner.planAndApply();
    planThread.runDue();
    loop.settle();

    for (int i = 0; i < 4; i++) {
      assertThat(state("job-000001-" + i)).isEqualTo(JobState.JOB_STATE_STARTING);
    }
  }

  @Test
  void aPlacementOnANodeThatWentAwayMeanwhileIsDropped() {
    loop.lead(
        List.of(HandLoop.queued("job-000001", HandLoop.spec("vision", 2))),
        List.of(HandLoop.node("n1", 8)));
    loop.connect("n1");

    planner.planAndApply();
    planThread.runDue();
    loop.term.nodes.get("n1").channel = null; // its stream broke while the core planned
    loop.runDue();

    assertThat(state("job-000001")).isEqualTo(JobState.JOB_STATE_PENDING);
    assertThat(loop.uncommitted).isEmpty();
  }

  @Test
  void nodesTheFleetIsReleasingAreNotPlacedOn() {
    loop.lead(
        List.of(HandLoop.queued("job-000001", HandLoop.spec("vision", 2))),
        List.of(HandLoop.node("n1", 8)));
    loop.connect("n1");
    fleet.releasing.add("n1");

    planner.planAndApply();
    planThread.runDue();
    loop.settle();

    assertThat(state("job-000001")).isEqualTo(JobState.JOB_STATE_PENDING);
    assertThat(loop.term.explanations.get("job-000001")).isNotNull();
  }

  @Test
  void aJobNoNodeCanHoldStaysPendingWithTheReasonOfThePlan() {
    loop.lead(
        List.of(HandLoop.queued("job-000001", HandLoop.spec("vision", 16))),
        List.of(HandLoop.node("n1", 8)));
    loop.connect("n1");

    planner.planAndApply();
    planThread.runDue();
    loop.runDue();

    JobEntry entry = loop.term.entry("job-000001");
    assertThat(entry.state()).isEqualTo(JobState.JOB_STATE_PENDING);
    assertThat(entry.job.getPendingReason()).isNotEqualTo("queued").contains("GPU");
    assertThat(loop.term.explanations.get("job-000001").toString())
        .isEqualTo(entry.job.getPendingReason());
  }

  @Test
  void aPlanForAnEndedTermIsNotApplied() {
    loop.lead(
        List.of(HandLoop.queued("job-000001", HandLoop.spec("vision", 2))),
        List.of(HandLoop.node("n1", 8)));
    loop.connect("n1");
    LeaderTerm first = loop.term;

    planner.planAndApply();
    planThread.runDue();
    loop.term = null; // stepped down while the core planned
    loop.runDue();

    assertThat(first.entry("job-000001").state()).isEqualTo(JobState.JOB_STATE_PENDING);
    assertThat(plansApplied).isEmpty();
    assertThat(loop.uncommitted).isEmpty();
  }

  @Test
  void aRequestWhilePlanningIsServedByAnotherPlanAfterIt() {
    loop.lead(
        List.of(HandLoop.queued("job-000001", HandLoop.spec("vision", 2))),
        List.of(HandLoop.node("n1", 8)));
    loop.connect("n1");

    planner.planAndApply();
    planner.planAndApply(); // while the first is with the core
    assertThat(planThread.queued()).as("one plan at a time").isEqualTo(1);
    assertThat(loop.plansRequested).isZero();

    planThread.runDue();
    loop.runDue();
    assertThat(loop.plansRequested).isEqualTo(1);
  }

  @Test
  void withNothingQueuedOrRunningTheCoreIsNotAsked() {
    loop.lead(List.of(), List.of(HandLoop.node("n1", 8)));
    loop.connect("n1");
    long before = loop.term.plans;

    planner.planAndApply();

    assertThat(planThread.queued()).isZero();
    assertThat(loop.term.plans).isEqualTo(before + 1);
  }

  @Test
  void aRunningJobStaysWhereItIsAndItsGpusAreNotGivenTwice() {
    loop.lead(
        List.of(
            HandLoop.placed(
                "job-000001",
                HandLoop.spec("vision", 6),
                JobState.JOB_STATE_RUNNING,
                "n1",
                0,
                1,
                2,
                3,
                4,
                5),
            HandLoop.queued("job-000002", HandLoop.spec("vision", 4))),
        List.of(HandLoop.node("n1", 8)));
    loop.connect("n1");

    planner.planAndApply();
    planThread.runDue();
    loop.settle();

    assertThat(state("job-000001")).isEqualTo(JobState.JOB_STATE_RUNNING);
    assertThat(state("job-000002")).isEqualTo(JobState.JOB_STATE_PENDING);
  }
}
