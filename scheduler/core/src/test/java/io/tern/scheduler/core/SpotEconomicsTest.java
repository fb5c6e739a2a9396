package io.tern.scheduler.core;

import static io.tern.scheduler.core.Fixtures.NOW;
import static io.tern.scheduler.core.Fixtures.cluster;
import static io.tern.scheduler.core.Fixtures.job;
import static io.tern.scheduler.core.Fixtures.onDemand;
import static io.tern.scheduler.core.Fixtures.queue;
import static io.tern.scheduler.core.Fixtures.spot;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.tern.scheduler.core.explain.Explanation;
import io.tern.scheduler.core.explain.ReasonKind;
import io.tern.scheduler.core.model.Allocation;
import io.tern.scheduler.core.model.CapacityType;
import io.tern.scheduler.core.model.Checkpointing;
import io.tern.scheduler.core.model.Job;
import io.tern.scheduler.core.model.Node;
import io.tern.scheduler.core.model.NodeAssignment;
import io.tern.scheduler.core.plan.CheckpointRequest;
import io.tern.scheduler.core.plan.Plan;
import io.tern.scheduler.core.policy.PolicySnapshot;
import io.tern.scheduler.core.policy.SpotPoolHistory;
import io.tern.scheduler.core.policy.TeamPolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Waiting for spot, moving back to spot, spot waits and pool history, through the whole plan. */
class SpotEconomicsTest {
  private static final Checkpointing CHECKPOINTS =
      Checkpointing.every(Duration.ofMinutes(30), Duration.ofMinutes(2));
  // The uniform line from submission, as these cases are written; the reserve has its own test.
  private final PlacementEngine engine =
      new PlacementEngine(EngineConfig.builder().slackReserve(Double.POSITIVE_INFINITY).build());

  /** A 10 h job submitted 2 h ago with a 14 h deadline (4 h of slack) and {@code done} h done. */
  private static Job.Builder deadlineJob(String id, double doneHours) {
    return job(id, 1)
        .checkpointing(CHECKPOINTS)
        .submittedAt(NOW.minus(Duration.ofHours(2)))
        .deadline(NOW.plus(Duration.ofHours(12)))
        .expectedDuration(Duration.ofHours(10))
        .remainingDuration(Duration.ofMinutes(Math.round((10 - doneHours) * 60)));
  }

  private Plan plan(List<Node> nodes, List<Allocation> running, PolicySnapshot policy, Job... q) {
    return engine.plan(cluster(nodes, running.toArray(Allocation[]::new)), queue(q), policy, NOW);
  }

  @Test
  void aDeadlineJobAheadOfUniformProgressWaitsForSpotAndSaysUntilWhen() {
    // 2 h into a 14 h window the line is at 10 × 2/14 = 1.43 h of work; 2 h done is ahead.
    Job ahead = deadlineJob("ahead", 2).build();
    Plan plan = plan(List.of(onDemand("od-1", 1)), List.of(), PolicySnapshot.defaults(), ahead);

    assertThat(plan.placements()).isEmpty();
    Explanation why = plan.explanationFor("ahead").orElseThrow();
    assertThat(why.primaryKind()).isEqualTo(ReasonKind.WAITING_FOR_SPOT);
    assertThat(why.held()).isFalse();
    // It falls behind the line when 2 h = 10 × (t - s) / 14, i.e. 2.8 h after submit (12:48);
    // it takes on-demand two changeovers (2 × 10 min) before that: 12:28.
    assertThat(why.holdUntil())
        .isEqualTo(NOW.minus(Duration.ofHours(2)).plusSeconds(10_080).minusSeconds(1_200));
    assertThat(why.toString())
        .startsWith("waiting for spot: 3.8 h of slack; on-demand at 12:28 UTC if spot has not")
        .doesNotContain("not allowed"); // the wait is why on-demand is not taken
    assertThat(plan.spot().waitingForSpot()).isEqualTo(1);

    // With spot free it runs there at once.
    Plan withSpot =
        plan(
            List.of(onDemand("od-1", 1), spot("spot-1", 1)),
            List.of(),
            PolicySnapshot.defaults(),
            ahead);
    assertThat(withSpot.placements())
        .singleElement()
        .satisfies(p -> assertThat(p.capacityType()).isEqualTo(CapacityType.SPOT));
  }

  @Test
  void aJobWithSlackBeyondTheReserveWaitsForSpotUntilItsLineStarts() {
    // 10 h of work, submitted 2 h ago, due in 12 h: 3 h 50 min of slack past one changeover, of
    // which the reserve keeps 15 % of the work (1.5 h). Its line starts 2 h 20 min after its
    // submission (12:20) and runs 11 h 40 min: with 1 h done it falls behind at 12:20 + 1 h 10 min
    // = 13:30, and takes on-demand two changeovers before that, at 13:10.
    Job waiting = deadlineJob("waiting", 1).build();
    Plan plan =
        new PlacementEngine()
            .plan(
                cluster(List.of(onDemand("od-1", 1))),
                queue(waiting),
                PolicySnapshot.defaults(),
                NOW);

    assertThat(plan.placements())
        .as("on the line from its submission it would be behind")
        .isEmpty();
    Explanation why = plan.explanationFor("waiting").orElseThrow();
    assertThat(why.primaryKind()).isEqualTo(ReasonKind.WAITING_FOR_SPOT);
    assertThat(why.holdUntil()).isEqualTo(NOW.plus(Duration.ofMinutes(70)));
    assertThat(
            plan(List.of(onDemand("od-1", 1)), List.of(), PolicySnapshot.defaults(), waiting)
                .placements())
        .as("without the reserve")
        .singleElement()
        .satisfies(p -> assertThat(p.capacityType()).isEqualTo(CapacityType.ON_DEMAND));
  }

  @Test
  void aDeadlineJobBehindTheLineTakesOnDemand() {
    Job behind = deadlineJob("behind", 1).build();
    Plan plan = plan(List.of(onDemand("od-1", 1)), List.of(), PolicySnapshot.defaults(), behind);

    assertThat(plan.placements())
        .singleElement()
        .satisfies(p -> assertThat(p.capacityType()).isEqualTo(CapacityType.ON_DEMAND));
  }

  @Test
  void aJobThatCouldNotAffordToLeaveOnDemandWaitsForSpotWhileTheDeadlineAllows() {
    // The cluster knows a spot pool ($1/GPU-h) but has no spot free now. The job is behind the
    // line; having spent what its hour of work would have cost on on-demand plus the first
    // changeover, the changeover onto on-demand would leave it no room to move back to spot.
    PolicySnapshot pools =
        PolicySnapshot.of(
            io.tern.scheduler.core.policy.OffPeakStatus.NO_WINDOWS,
            List.of(),
            List.of(
                new io.tern.scheduler.core.policy.PoolOffer(
                    "pool-a",
                    CapacityType.SPOT,
                    "spot",
                    "z",
                    1,
                    "A100",
                    Fixtures.GPU_MIB,
                    64,
                    1_048_576,
                    1.0,
                    0)));
    double changeover = EngineConfig.defaults().restartOverhead().toMinutes() / 60.0;
    Job stuck = deadlineJob("stuck", 1).spentUsd((1 + changeover) * 3.0).build();

    Plan plan = plan(List.of(onDemand("od-1", 1)), List.of(), pools, stuck);

    assertThat(plan.placements()).isEmpty();
    Explanation why = plan.explanationFor("stuck").orElseThrow();
    assertThat(why.primaryKind()).isEqualTo(ReasonKind.WAITING_FOR_SPOT);
    assertThat(why.holdUntil()).isEqualTo(new DeadlineRuleOf().lastSafeWait(stuck));

    // One whose spot work paid for the changeovers takes on-demand behind the line.
    Job credited = deadlineJob("credited", 1).spentUsd(1.0).build();
    assertThat(plan(List.of(onDemand("od-1", 1)), List.of(), pools, credited).placements())
        .singleElement()
        .satisfies(p -> assertThat(p.capacityType()).isEqualTo(CapacityType.ON_DEMAND));
  }

  /** The deadline rule of the default engine configuration. */
  private static final class DeadlineRuleOf {
    private final io.tern.scheduler.core.policy.DeadlineRule rule =
        new io.tern.scheduler.core.policy.DeadlineRule(
            EngineConfig.defaults().restartOverhead(),
            EngineConfig.defaults().deadlineSafetyMargin());

    Instant lastSafeWait(Job job) {
      return rule.lastSafeWait(job);
    }
  }

  private static Allocation onDemandAttempt(Job job, Node node, Duration ago) {
    return new Allocation(
        job,
        1,
        CapacityType.ON_DEMAND,
        List.of(new NodeAssignment(node.id(), List.of(0))),
        NOW.minus(ago),
        null,
        false);
  }

  private static PolicySnapshot history(String pool, Instant availableSince) {
    return PolicySnapshot.defaults()
        .withSpotHistory(
            Map.of(
                pool,
                new SpotPoolHistory(
                    pool,
                    3,
                    Duration.ofHours(48),
                    availableSince.minusSeconds(600),
                    availableSince)));
  }

  @Test
  void anOnDemandJobMovesBackToSpotOnceThePoolHasSettled() {
    Node od = onDemand("od-1", 1);
    Node spot = spot("spot-1", 1);
    Allocation running = onDemandAttempt(deadlineJob("j", 1).build(), od, Duration.ofHours(1));

    Plan settled =
        plan(List.of(od, spot), List.of(running), history("pool-a", NOW.minusSeconds(3600)));
    assertThat(settled.checkpointRequests())
        .containsExactly(new CheckpointRequest("j", 1, CheckpointRequest.Reason.RETURN_TO_SPOT));
    assertThat(settled.spot().returnsToSpot()).isEqualTo(1);
    assertThat(settled.staysOnDemand()).as("it moves: nothing to explain").isEmpty();

    // Capacity back for 5 minutes only: a blip may still vanish; it stays on on-demand, and says
    // so.
    Plan blip = plan(List.of(od, spot), List.of(running), history("pool-a", NOW.minusSeconds(300)));
    assertThat(blip.checkpointRequests()).isEmpty();
    assertThat(blip.staysOnDemand())
        .containsOnlyKeys("j")
        .hasValueSatisfying(
            new org.assertj.core.api.Condition<>(
                (String why) ->
                    why.startsWith("the spot capacity that fits it came back less than"),
                "not settled"));

    Plan noSpot = plan(List.of(od), List.of(running), PolicySnapshot.defaults());
    assertThat(noSpot.staysOnDemand()).containsEntry("j", "no spot capacity fits it now");
  }

  @Test
  void noMoveWhenTheDeadlineCouldNotAbsorbTwoChangeovers() {
    Node od = onDemand("od-1", 1);
    // 9.5 h of work left (started 10 min ago, 10 min restart: none done yet) and 9 h 45 min to go.
    Job tight =
        job("tight", 1)
            .checkpointing(CHECKPOINTS)
            .submittedAt(NOW.minus(Duration.ofHours(1)))
            .deadline(NOW.plus(Duration.ofMinutes(585)))
            .expectedDuration(Duration.ofHours(10))
            .remainingDuration(Duration.ofMinutes(570))
            .build();
    Allocation running = onDemandAttempt(tight, od, Duration.ofMinutes(10));
    Plan plan =
        plan(
            List.of(od, spot("spot-1", 1)),
            List.of(running),
            history("pool-a", NOW.minusSeconds(7200)));
    assertThat(plan.checkpointRequests()).isEmpty();
    assertThat(plan.staysOnDemand())
        .containsEntry(
            "tight",
            "its deadline is too close to risk spot: 9.5 h of work left and 9.8 h to the deadline,"
                + " and a move to spot and back would take 0.3 h with a 0.5 h margin");
  }

  @Test
  void scarceSpotGoesToTheJobThatGainsMost() {
    Node od1 = onDemand("od-1", 1);
    Node od2 = onDemand("od-2", 1);
    Allocation little =
        onDemandAttempt(deadlineJob("a-little-left", 9.7).build(), od1, Duration.ofMinutes(10));
    Allocation much =
        onDemandAttempt(deadlineJob("b-much-left", 2).build(), od2, Duration.ofMinutes(10));
    Plan plan =
        plan(
            List.of(od1, od2, spot("spot-1", 1)),
            List.of(little, much),
            history("pool-a", NOW.minusSeconds(7200)));
    assertThat(plan.checkpointRequests())
        .containsExactly(
            new CheckpointRequest("b-much-left", 1, CheckpointRequest.Reason.RETURN_TO_SPOT));
    assertThat(plan.staysOnDemand()).containsOnlyKeys("a-little-left");
  }

  @Test
  void aJobMovingBackToSpotWaitsForSpotRatherThanTakeOnDemandAgain() {
    Job moving =
        deadlineJob("j", 1).attempt(1).spotPreferredUntil(NOW.plus(Duration.ofMinutes(10))).build();
    Plan plan = plan(List.of(onDemand("od-1", 1)), List.of(), PolicySnapshot.defaults(), moving);
    assertThat(plan.placements()).isEmpty();
    assertThat(plan.explanationFor("j").orElseThrow().toString()).startsWith("returning to spot");
  }

  @Test
  void aTeamSpotWaitHoldsDeadlineLessJobsForSpotThenLetsThemRunAnywhere() {
    PolicySnapshot policy =
        PolicySnapshot.defaults()
            .withTeam(TeamPolicy.defaultFor("team-a").withSpotWait(Duration.ofHours(2)));
    Job fresh = job("fresh", 1).queuedAt(NOW.minus(Duration.ofMinutes(30))).build();
    Job stale = job("stale", 1).queuedAt(NOW.minus(Duration.ofHours(3))).build();
    Job impatient =
        job("impatient", 1)
            .queuedAt(NOW.minus(Duration.ofMinutes(30)))
            .spotWait(Duration.ZERO)
            .build();
    Plan plan =
        plan(
            List.of(onDemand("od-1", 1), onDemand("od-2", 1)),
            List.of(),
            policy,
            fresh,
            stale,
            impatient);

    assertThat(plan.placementFor("stale")).isPresent();
    assertThat(plan.placementFor("impatient")).isPresent();
    Explanation fresher = plan.explanationFor("fresh").orElseThrow();
    assertThat(fresher.primaryKind()).isEqualTo(ReasonKind.WAITING_FOR_SPOT);
    assertThat(fresher.toString()).startsWith("waiting for spot until 13:30 UTC (spot wait 2h)");
    assertThat(fresher.holdUntil()).isEqualTo(NOW.plus(Duration.ofMinutes(90)));

    // The default team policy waits for nothing: today's behaviour.
    Plan defaults = plan(List.of(onDemand("od-1", 1)), List.of(), PolicySnapshot.defaults(), fresh);
    assertThat(defaults.placementFor("fresh")).isPresent();
  }

  @Test
  void poolRiskBlendsWhatWasSeenWithAPrior() {
    SpotPoolHistory none = new SpotPoolHistory("p", 0, Duration.ZERO, null, null);
    SpotPoolHistory flaky = new SpotPoolHistory("p", 47, Duration.ofHours(44), NOW, null);
    assertThat(none.reclaimsPerHour()).isCloseTo(0.25, within(1e-9));
    assertThat(flaky.reclaimsPerHour()).isCloseTo(1.0, within(1e-9));
    assertThat(none.settled(NOW, Duration.ofMinutes(10))).isTrue();
    assertThat(flaky.settled(NOW.plusSeconds(300), Duration.ofMinutes(10))).isFalse();
    assertThat(flaky.settled(NOW.plusSeconds(600), Duration.ofMinutes(10))).isTrue();
  }
}
