package io.tern.scheduler.server.cloud;

import static org.assertj.core.api.Assertions.assertThat;

import io.tern.scheduler.core.model.CapacityType;
import io.tern.scheduler.core.plan.CapacityRequest;
import io.tern.scheduler.core.policy.Budget;
import io.tern.scheduler.core.policy.OffPeakStatus;
import io.tern.scheduler.core.policy.PolicySnapshot;
import io.tern.scheduler.core.policy.PoolOffer;
import io.tern.scheduler.core.policy.TeamPolicy;
import io.tern.testing.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FleetScalerTest {
  private static final long GIB = 1024;
  private final TestClock clock = TestClock.at("2026-05-04T12:00:00Z");

  private static PoolOffer pool(String id, CapacityType type, double price, int max) {
    return new PoolOffer(
        id, type, "p4d.24xlarge", "us-east-1a", 8, "A100", 40 * GIB, 96, 1152 * GIB, price, max);
  }

  private final PoolOffer spotA = pool("spot-a", CapacityType.SPOT, 10, 4);
  private final PoolOffer spotB = pool("spot-b", CapacityType.SPOT, 12, 4);
  private final PoolOffer onDemand = pool("od", CapacityType.ON_DEMAND, 32, 4);
  private final PoolOffer otherModel =
      new PoolOffer(
          "spot-l4",
          CapacityType.SPOT,
          "g6.48xlarge",
          "us-east-1a",
          8,
          "L4",
          24 * GIB,
          192,
          768 * GIB,
          5,
          10);

  private final Map<String, String> teams = new HashMap<>(Map.of("j1", "vision", "j2", "nlp"));
  private final Set<String> spotOnly = new java.util.HashSet<>();
  private PolicySnapshot policy = PolicySnapshot.of(OffPeakStatus.NO_WINDOWS, List.of(), List.of());
  private final Map<String, Integer> registered = new HashMap<>();

  private FleetScaler scaler(ScalingSettings settings) {
    return new FleetScaler(List.of(spotA, spotB, onDemand, otherModel), settings, clock);
  }

  private ScalingContext context() {
    return new ScalingContext(policy, teams::get, j -> !spotOnly.contains(j), registered);
  }

  private static CapacityRequest request(PoolOffer p, int count, String... jobs) {
    return new CapacityRequest(p.id(), count, p.capacityType(), List.of(jobs));
  }

  private static LaunchResult launched(LaunchRequest r, String... ids) {
    List<CloudInstance> out = new ArrayList<>();
    for (String id : ids) {
      out.add(
          new CloudInstance(
              id,
              r.poolId(),
              r.capacityType(),
              "p4d.24xlarge",
              "us-east-1a",
              CloudInstance.State.PENDING,
              null));
    }
    return new LaunchResult(r, out, List.of());
  }

  private static LaunchResult failed(LaunchRequest r, LaunchFailure.Reason reason, String... ids) {
    LaunchResult ok = launched(r, ids);
    return new LaunchResult(
        r, ok.launched(), List.of(new LaunchFailure(r.poolId(), null, null, reason, "X", "no")));
  }

  @Test
  void launchesAreCappedByPoolLimitCountingRegisteredAndLaunchingNodes() {
    FleetScaler scaler = scaler(ScalingSettings.defaults());
    registered.put("spot-a", 1);

    List<LaunchRequest> first = scaler.launches(List.of(request(spotA, 2, "j1")), context());
    assertThat(first).singleElement().satisfies(r -> assertThat(r.count()).isEqualTo(2));
    assertThat(first.getFirst().tags()).containsEntry(FleetScaler.TEAM_TAG, "vision");
    assertThat(scaler.launchingNodes()).containsEntry("spot-a", 2);

    // 1 registered + 2 in flight: room for 1 more of the 5 asked.
    List<LaunchRequest> second = scaler.launches(List.of(request(spotA, 5, "j2")), context());
    assertThat(second).singleElement().satisfies(r -> assertThat(r.count()).isEqualTo(1));

    scaler.onLaunchResult(launched(first.getFirst(), "i-1", "i-2"), context());
    assertThat(scaler.launchingNodes()).containsEntry("spot-a", 3);
    scaler.onNodeRegistered("i-1");
    registered.put("spot-a", 2);
    assertThat(scaler.launchingNodes()).containsEntry("spot-a", 2);
    assertThat(scaler.launches(List.of(request(spotA, 1, "j1")), context())).isEmpty();
  }

  @Test
  void budgetGuardDropsHardTeamsAndKeepsSoftTeamsOffOnDemand() {
    FleetScaler scaler = scaler(ScalingSettings.defaults());
    policy =
        policy
            .withTeam(TeamPolicy.defaultFor("vision").withBudget(new Budget(100, 80, 100)))
            .withTeam(TeamPolicy.defaultFor("nlp").withBudget(new Budget(85, 80, 100)));

    assertThat(scaler.launches(List.of(request(spotA, 1, "j1")), context()))
        .as("hard: nothing launched for vision")
        .isEmpty();
    assertThat(scaler.launches(List.of(request(onDemand, 1, "j2")), context()))
        .as("soft: no on-demand for nlp")
        .isEmpty();
    assertThat(scaler.launches(List.of(request(spotA, 1, "j2")), context()))
        .as("soft: spot is fine")
        .hasSize(1);
    List<LaunchRequest> mixed = scaler.launches(List.of(request(spotB, 1, "j1", "j2")), context());
    assertThat(mixed)
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.forJobIds()).containsExactly("j2");
              assertThat(r.tags()).containsEntry(FleetScaler.TEAM_TAG, "nlp");
            });
  }

  @Test
  void hourlySpendingCapLimitsTheFleet() {
    FleetScaler scaler =
        scaler(
            new ScalingSettings(
                Duration.ofMinutes(10), Duration.ofMinutes(10), Duration.ofMinutes(10), 45, true));
    registered.put("spot-b", 1); // $12/h
    List<LaunchRequest> out = scaler.launches(List.of(request(spotA, 4, "j1")), context());
    assertThat(out).singleElement().satisfies(r -> assertThat(r.count()).isEqualTo(3)); // 12+30
    assertThat(scaler.launches(List.of(request(spotA, 1, "j1")), context())).isEmpty();
  }

  @Test
  void capacityErrorCoolsThePoolDownAndFallsBackToTheNextSpotPoolOfTheSameShape() {
    FleetScaler scaler = scaler(ScalingSettings.defaults());
    LaunchRequest r = scaler.launches(List.of(request(spotA, 3, "j1")), context()).getFirst();

    ScalingStep step =
        scaler.onLaunchResult(
            failed(r, LaunchFailure.Reason.INSUFFICIENT_CAPACITY, "i-1"), context());

    assertThat(step.cooldowns())
        .containsExactly(
            new PoolCooldown(
                "spot-a",
                LaunchFailure.Reason.INSUFFICIENT_CAPACITY,
                clock.instant().plus(Duration.ofMinutes(10))));
    assertThat(step.launches())
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.poolId()).as("same shape, not the cheaper L4 pool").isEqualTo("spot-b");
              assertThat(f.count()).isEqualTo(2);
              assertThat(f.forJobIds()).containsExactly("j1");
            });
    assertThat(scaler.availablePools()).extracting(PoolOffer::id).doesNotContain("spot-a");
    assertThat(scaler.coolingPools()).containsOnlyKeys("spot-a");
    assertThat(scaler.launchingNodes()).containsEntry("spot-a", 1).containsEntry("spot-b", 2);

    // A plan that still asks for the cooling pool is rerouted too.
    assertThat(scaler.launches(List.of(request(spotA, 1, "j2")), context()))
        .extracting(LaunchRequest::poolId)
        .containsExactly("spot-b");

    clock.advance(Duration.ofMinutes(10));
    assertThat(scaler.availablePools()).extracting(PoolOffer::id).contains("spot-a");
    assertThat(scaler.coolingPools()).isEmpty();
  }

  @Test
  void noSpotLeftFallsBackToOnDemandOnlyWhenEveryJobMayUseIt() {
    FleetScaler scaler = scaler(ScalingSettings.defaults());
    LaunchRequest a = scaler.launches(List.of(request(spotA, 1, "j1")), context()).getFirst();
    LaunchRequest b =
        scaler
            .onLaunchResult(failed(a, LaunchFailure.Reason.PRICE_TOO_LOW), context())
            .launches()
            .getFirst();
    assertThat(b.poolId()).isEqualTo("spot-b");

    ScalingStep step =
        scaler.onLaunchResult(failed(b, LaunchFailure.Reason.INSUFFICIENT_CAPACITY), context());
    assertThat(step.launches())
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.poolId()).isEqualTo("od");
              assertThat(r.capacityType()).isEqualTo(CapacityType.ON_DEMAND);
            });

    // A spot-only job never lands on on-demand.
    FleetScaler other = scaler(ScalingSettings.defaults());
    spotOnly.add("j2");
    LaunchRequest c = other.launches(List.of(request(spotA, 1, "j2")), context()).getFirst();
    LaunchRequest d =
        other
            .onLaunchResult(failed(c, LaunchFailure.Reason.INSUFFICIENT_CAPACITY), context())
            .launches()
            .getFirst();
    assertThat(
            other
                .onLaunchResult(failed(d, LaunchFailure.Reason.INSUFFICIENT_CAPACITY), context())
                .launches())
        .isEmpty();
  }

  @Test
  void otherErrorsNeitherCoolDownNorFallBack() {
    FleetScaler scaler = scaler(ScalingSettings.defaults());
    LaunchRequest r = scaler.launches(List.of(request(spotA, 1, "j1")), context()).getFirst();
    ScalingStep step = scaler.onLaunchResult(failed(r, LaunchFailure.Reason.OTHER), context());
    assertThat(step.launches()).isEmpty();
    assertThat(step.cooldowns()).isEmpty();
    assertThat(scaler.launchingNodes()).isEmpty();
  }

  @Test
  void idleCloudNodesAreReleasedAfterTheGraceOnceAndOwnHostsNever() {
    FleetScaler scaler = scaler(ScalingSettings.defaults());
    Instant now = clock.instant();
    List<IdleNode> idle =
        List.of(
            new IdleNode("i-old", "spot-a", now.minus(Duration.ofMinutes(10))),
            new IdleNode("i-new", "spot-a", now.minus(Duration.ofMinutes(9))),
            new IdleNode("gpu-host-1", "on-prem", now.minus(Duration.ofDays(3))));
    assertThat(scaler.scaleIn(idle)).containsExactly("i-old");
    assertThat(scaler.scaleIn(idle)).as("asked once").isEmpty();
    clock.advance(Duration.ofMinutes(1));
    assertThat(scaler.scaleIn(idle)).containsExactly("i-new");
  }

  @Test
  void reconcileTerminatesInstancesThatNeverRegisteredAndReportsLostNodes() {
    FleetScaler scaler = scaler(ScalingSettings.defaults());
    Instant now = clock.instant();
    List<CloudInstance> described =
        List.of(
            instance("i-booting", CloudInstance.State.PENDING, now.minus(Duration.ofMinutes(2))),
            instance("i-stuck", CloudInstance.State.RUNNING, now.minus(Duration.ofMinutes(11))),
            instance("i-node", CloudInstance.State.RUNNING, now.minus(Duration.ofHours(3))),
            instance(
                "i-reclaimed", CloudInstance.State.TERMINATED, now.minus(Duration.ofHours(1))));
    Reconciliation r =
        scaler.reconcile(
            described,
            Map.of(
                "i-node", "spot-a",
                "i-reclaimed", "spot-a",
                "i-vanished", "spot-b",
                "gpu-host-1", "on-prem"));

    assertThat(r.terminate()).containsExactly("i-stuck");
    assertThat(r.lostNodes()).containsExactly("i-reclaimed", "i-vanished");
    assertThat(scaler.launchingNodes())
        .as("a new leader adopts what boots")
        .containsEntry("spot-a", 1);
    assertThat(scaler.launchingInstances()).containsExactly("i-booting");

    clock.advance(Duration.ofMinutes(8));
    assertThat(scaler.reconcile(described, Map.of()).terminate()).contains("i-booting");
  }

  private static CloudInstance instance(String id, CloudInstance.State state, Instant at) {
    return new CloudInstance(
        id, "spot-a", CapacityType.SPOT, "p4d.24xlarge", "us-east-1a", state, at);
  }
}
