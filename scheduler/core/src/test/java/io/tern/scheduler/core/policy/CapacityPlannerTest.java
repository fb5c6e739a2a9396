package io.tern.scheduler.core.policy;

import static io.tern.scheduler.core.Fixtures.NOW;
import static io.tern.scheduler.core.Fixtures.cluster;
import static io.tern.scheduler.core.Fixtures.job;
import static io.tern.scheduler.core.Fixtures.plan;
import static io.tern.scheduler.core.Fixtures.queue;
import static io.tern.scheduler.core.Fixtures.running;
import static io.tern.scheduler.core.Fixtures.spot;
import static org.assertj.core.api.Assertions.assertThat;

import io.tern.scheduler.core.explain.ReasonKind;
import io.tern.scheduler.core.model.CapacityPreference;
import io.tern.scheduler.core.model.CapacityType;
import io.tern.scheduler.core.model.Resources;
import io.tern.scheduler.core.plan.CapacityRequest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CapacityPlannerTest {
  private static final PoolOffer SPOT_CHEAP =
      new PoolOffer(
          "spot-a", CapacityType.SPOT, "p4d", "a", 8, "A100", 81_920, 96, 1_000_000, 10.0, 10);
  private static final PoolOffer SPOT_DEAR =
      new PoolOffer(
          "spot-b", CapacityType.SPOT, "p4d", "b", 8, "A100", 81_920, 96, 1_000_000, 12.0, 10);
  private static final PoolOffer OD =
      new PoolOffer(
          "od-a", CapacityType.ON_DEMAND, "p4d", "a", 8, "A100", 81_920, 96, 1_000_000, 32.0, 10);
  private static final PoolOffer H100 =
      new PoolOffer(
          "h100", CapacityType.SPOT, "p5", "a", 8, "H100", 81_920, 96, 1_000_000, 5.0, 10);

  private static PolicySnapshot policy(OffPeakStatus offPeak, PoolOffer... pools) {
    return PolicySnapshot.of(offPeak, List.of(), List.of(pools));
  }

  @Test
  void jobsThatFitNowhereGetTheCheapestEligiblePoolPackedFirstFit() {
    var policy =
        policy(OffPeakStatus.openUntil(NOW.plusSeconds(3600)), OD, SPOT_DEAR, SPOT_CHEAP, H100);
    var a100 = Resources.of(4, 1, 0, List.of("A100"), 0, 0);
    var plan =
        plan(
            cluster(List.of()),
            queue(
                job("a", 4).resources(a100).build(),
                job("b", 4).resources(a100).submittedAt(NOW).build(),
                job("c", 4).resources(a100).submittedAt(NOW.plusSeconds(1)).build()),
            policy);
    assertThat(plan.capacityRequests())
        .containsExactly(
            new CapacityRequest("spot-a", 2, CapacityType.SPOT, List.of("a", "b", "c")));
    assertThat(plan.explanationFor("a").orElseThrow().primaryKind())
        .isEqualTo(ReasonKind.WAITING_FOR_CAPACITY);
    assertThat(plan.explanationFor("a").orElseThrow().toString())
        .startsWith("waiting for new spot capacity in pool spot-a");
  }

  @Test
  void onDemandJobsAskForOnDemandAndPoolsStopAtTheirMaximum() {
    var small =
        new PoolOffer(
            "od-small",
            CapacityType.ON_DEMAND,
            "p4d",
            "a",
            8,
            "A100",
            81_920,
            96,
            1_000_000,
            30.0,
            1);
    var policy = policy(OffPeakStatus.NO_WINDOWS, small, OD, SPOT_CHEAP);
    var plan =
        plan(
            cluster(List.of()),
            queue(
                job("x", 8).capacity(CapacityPreference.ON_DEMAND).build(),
                job("y", 8).capacity(CapacityPreference.ON_DEMAND).submittedAt(NOW).build()),
            policy);
    assertThat(plan.capacityRequests())
        .containsExactly(
            new CapacityRequest("od-a", 1, CapacityType.ON_DEMAND, List.of("y")),
            new CapacityRequest("od-small", 1, CapacityType.ON_DEMAND, List.of("x")));
  }

  @Test
  void launchingNodesAreUsedBeforeAskingAgain() {
    var policy =
        policy(OffPeakStatus.NO_WINDOWS, SPOT_CHEAP).withLaunchingNodes(Map.of("spot-a", 1));
    var plan = plan(cluster(List.of()), queue(job("a", 8).build()), policy);
    assertThat(plan.capacityRequests()).isEmpty();
    assertThat(plan.explanationFor("a").orElseThrow().primaryKind())
        .isEqualTo(ReasonKind.WAITING_FOR_CAPACITY);
  }

  @Test
  void aReclaimedJobAsksAnotherPoolWhenThereIsOne() {
    var policy = policy(OffPeakStatus.NO_WINDOWS, SPOT_CHEAP, SPOT_DEAR);
    var plan =
        plan(
            cluster(List.of()),
            queue(
                job("a", 8)
                    .capacity(CapacityPreference.SPOT_ONLY)
                    .lastReclaimedPool("spot-a")
                    .build()),
            policy);
    assertThat(plan.capacityRequests())
        .extracting(CapacityRequest::poolId)
        .containsExactly("spot-b");
  }

  @Test
  void heldJobsDoNotAskForCapacity() {
    var policy = policy(OffPeakStatus.closedUntil(NOW.plusSeconds(3600)), SPOT_CHEAP);
    var plan = plan(cluster(List.of()), queue(job("a", 8).deferrable(true).build()), policy);
    assertThat(plan.capacityRequests()).isEmpty();
    assertThat(plan.explanationFor("a").orElseThrow().held()).isTrue();
  }

  @Test
  void jobsThatCouldWaitForABusyNodeStillGetCapacity() {
    var node = spot("n", 8);
    var policy = policy(OffPeakStatus.NO_WINDOWS, SPOT_CHEAP);
    var plan =
        plan(
            cluster(List.of(node), running(job("r", 8).build(), node, 0, 1, 2, 3, 4, 5, 6, 7)),
            queue(job("a", 8).submittedAt(NOW).build()),
            policy);
    assertThat(plan.capacityRequests()).extracting(CapacityRequest::count).containsExactly(1);
  }

  @Test
  void noLaunchesATeamsBudgetCannotPayFor() {
    var policy =
        PolicySnapshot.of(
            OffPeakStatus.NO_WINDOWS,
            List.of(
                new TeamPolicy("team-a", 1.0, 0, TeamPolicy.UNLIMITED, new Budget(95, 1000, 100))),
            List.of(SPOT_CHEAP));
    var plan = plan(cluster(List.of()), queue(job("a", 8).build()), policy);
    assertThat(plan.capacityRequests()).isEmpty();
    var richer = policy.withTeam(policy.team("team-a").withBudget(new Budget(80, 1000, 100)));
    assertThat(plan(cluster(List.of()), queue(job("a", 8).build()), richer).capacityRequests())
        .hasSize(1);
  }
}
