package io.tern.scheduler.core.placement;

import static io.tern.scheduler.core.Fixtures.job;
import static io.tern.scheduler.core.Fixtures.onDemand;
import static io.tern.scheduler.core.Fixtures.spot;
import static org.assertj.core.api.Assertions.assertThat;

import io.tern.scheduler.core.model.CapacityPreference;
import io.tern.scheduler.core.model.CapacityType;
import io.tern.scheduler.core.model.NodeState;
import io.tern.scheduler.core.model.Resources;
import io.tern.scheduler.core.policy.PoolOffer;
import java.util.List;
import org.junit.jupiter.api.Test;

class NeverFitsTest {
  private static final PoolOffer H100_POOL =
      new PoolOffer("h100", CapacityType.SPOT, "p5", "a", 8, "H100", 81_920, 96, 1_000_000, 5, 4);

  @Test
  void aJobLargerThanEveryNodeAndPoolIsNamedWithTheLargest() {
    var job = job("j", 16).build();

    assertThat(NeverFits.check(job, List.of(spot("a", 8), onDemand("b", 4)), List.of(H100_POOL)))
        .hasValue("fits no node and no pool: needs 16 GPUs per node, the most is 8");
  }

  @Test
  void aPoolThatCanLaunchAFittingNodeIsEnough() {
    var job = job("j", 8).resources(Resources.of(8, 1, 0, List.of("H100"), 0, 0)).build();

    assertThat(NeverFits.check(job, List.of(spot("a", 8)), List.of())).isPresent();
    assertThat(NeverFits.check(job, List.of(spot("a", 8)), List.of(H100_POOL))).isEmpty();
  }

  @Test
  void aDrainedNodeStillCounts() {
    var job = job("j", 8).build();

    assertThat(NeverFits.check(job, List.of(spot("a", 8).withState(NodeState.DRAINING)), List.of()))
        .isEmpty();
  }

  @Test
  void eachRuleIsNamedWhereItIsTheFirstBroken() {
    var onDemandOnly = job("j", 1).capacity(CapacityPreference.ON_DEMAND).build();
    var bigMemory = job("j", 1).resources(Resources.of(1, 1, 200 * 1024L, List.of(), 0, 0)).build();
    var manyCpus = job("j", 1).resources(Resources.of(1, 1, 0, List.of(), 500, 0)).build();
    var wrongModel = job("j", 1).resources(Resources.of(1, 1, 0, List.of("T4"), 0, 0)).build();

    assertThat(NeverFits.check(onDemandOnly, List.of(spot("a", 8)), List.of()))
        .hasValue("fits no node and no pool: needs on-demand capacity, and none is known");
    // Spot nodes are known; what keeps the spot-only job off them is their GPU model, not that
    // there is no spot capacity.
    var spotOnlyWrongModel =
        job("j", 1)
            .capacity(CapacityPreference.SPOT_ONLY)
            .resources(Resources.of(1, 1, 0, List.of("T4"), 0, 0))
            .build();
    assertThat(
            NeverFits.check(spotOnlyWrongModel, List.of(spot("a", 8), onDemand("b", 8)), List.of()))
        .hasValue("fits no node and no pool: needs a GPU model in [T4], there are [A100]");
    assertThat(NeverFits.check(bigMemory, List.of(spot("a", 8)), List.of()))
        .hasValue("fits no node and no pool: needs 200 GiB per GPU, the most is 80 GiB");
    assertThat(NeverFits.check(manyCpus, List.of(spot("a", 8)), List.of()))
        .hasValue("fits no node and no pool: needs 500 CPUs, the most is 64");
    assertThat(NeverFits.check(wrongModel, List.of(spot("a", 8)), List.of()))
        .hasValue("fits no node and no pool: needs a GPU model in [T4], there are [A100]");
  }

  @Test
  void aGangNeedsAsManyFittingNodesAsMembers() {
    var gang = job("j", 8).resources(Resources.of(8, 3, 0, List.of(), 0, 0)).build();

    assertThat(NeverFits.check(gang, List.of(spot("a", 8), spot("b", 8), spot("c", 4)), List.of()))
        .hasValue("fits no node and no pool: a gang of 3 nodes, and at most 2 can hold one member");
    assertThat(NeverFits.check(gang, List.of(spot("a", 8), spot("b", 8), spot("c", 8)), List.of()))
        .isEmpty();
  }

  @Test
  void withNothingKnownEveryJobMayFit() {
    assertThat(NeverFits.check(job("j", 64).build(), List.of(), List.of())).isEmpty();
  }
}
