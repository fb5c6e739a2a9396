package io.tern.scheduler.core;

import static io.tern.scheduler.core.Fixtures.NOW;
import static io.tern.scheduler.core.Fixtures.cluster;
import static io.tern.scheduler.core.Fixtures.job;
import static io.tern.scheduler.core.Fixtures.onDemand;
import static io.tern.scheduler.core.Fixtures.plan;
import static io.tern.scheduler.core.Fixtures.queue;
import static io.tern.scheduler.core.Fixtures.running;
import static io.tern.scheduler.core.Fixtures.spot;
import static io.tern.scheduler.core.Fixtures.withGpu;
import static io.tern.scheduler.core.Fixtures.withPool;
import static io.tern.scheduler.core.Fixtures.withPrice;
import static org.assertj.core.api.Assertions.assertThat;

import io.tern.scheduler.core.explain.ReasonKind;
import io.tern.scheduler.core.model.CapacityPreference;
import io.tern.scheduler.core.model.CapacityType;
import io.tern.scheduler.core.model.Checkpointing;
import io.tern.scheduler.core.model.GpuHealth;
import io.tern.scheduler.core.model.Job;
import io.tern.scheduler.core.model.Node;
import io.tern.scheduler.core.model.NodeAssignment;
import io.tern.scheduler.core.model.NodeState;
import io.tern.scheduler.core.model.Resources;
import io.tern.scheduler.core.plan.Placement;
import io.tern.scheduler.core.plan.Plan;
import io.tern.scheduler.core.policy.OffPeakStatus;
import io.tern.scheduler.core.policy.PolicySnapshot;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class PlacementEngineTest {

  @Test
  void placesAJobOnTheLowestFreeGpusAndNumbersTheAttempt() {
    Plan plan = plan(cluster(List.of(spot("n1", 8))), queue(job("j", 2).attempt(2).build()));
    assertThat(plan.placements())
        .containsExactly(
            new Placement(
                "j",
                3,
                List.of(new NodeAssignment("n1", List.of(0, 1))),
                CapacityType.SPOT,
                false));
    assertThat(plan.pending()).isEmpty();
  }

  @Test
  void bestFitKeepsWholeNodesFreeForBigJobs() {
    var half = spot("half", 8);
    var busy = running(job("busy", 6).build(), half, 0, 1, 2, 3, 4, 5);
    Plan plan =
        plan(cluster(List.of(spot("empty", 8), half), busy), queue(job("small", 2).build()));
    assertThat(plan.placementFor("small").orElseThrow().assignments().get(0).nodeId())
        .isEqualTo("half");
  }

  @Test
  void aGangIsPlacedWholeOnDistinctNodes() {
    var gang = job("gang", 8).resources(Resources.of(8, 3, 0, List.of(), 0, 0)).build();
    Plan plan = plan(cluster(List.of(spot("a", 8), spot("b", 8), spot("c", 8))), queue(gang));
    Placement p = plan.placementFor("gang").orElseThrow();
    assertThat(p.assignments()).extracting(NodeAssignment::nodeId).containsExactly("a", "b", "c");
    assertThat(p.gpuCount()).isEqualTo(24);
  }

  @Test
  void aGangThatDoesNotFitWholeIsNotPlacedAtAll() {
    var gang = job("gang", 8).resources(Resources.of(8, 3, 0, List.of(), 0, 0)).build();
    Plan plan = plan(cluster(List.of(spot("a", 8), spot("b", 8))), queue(gang));
    assertThat(plan.placements()).isEmpty();
    assertThat(plan.explanationFor("gang").orElseThrow().toString())
        .contains("gang needs 3 nodes with 8 GPUs; 2 fit");
  }

  @Test
  void nothingGoesToDrainingLostCordonedOrUnreachableNodesOrUnhealthyGpus() {
    var sick = spot("sick", 1);
    sick = withGpu(sick, sick.gpus().get(0).withHealth(GpuHealth.ECC_ERROR));
    var nodes =
        List.of(
            spot("d", 8).withState(NodeState.DRAINING),
            spot("l", 8).withState(NodeState.LOST),
            spot("c", 8).withState(NodeState.CORDONED),
            spot("u", 8).withState(NodeState.UNREACHABLE),
            spot("v", 8).withState(NodeState.UNREACHABLE),
            sick);
    Plan plan = plan(cluster(nodes), queue(job("j", 1).build()));
    assertThat(plan.placements()).isEmpty();
    assertThat(plan.explanationFor("j").orElseThrow().toString())
        .isEqualTo(
            "2 nodes: agent not connected; 1 node: draining; 1 node: lost; 1 node: cordoned;"
                + " 1 node: GPU unhealthy (XID/ECC)");
  }

  @Test
  void aJobTheDeadlineKeepsOffSpotSaysSoForTheFreeSpotNodes() {
    // Only a spot node is free; the job's deadline leaves no room to risk a reclaim.
    var j =
        job("j", 1)
            .deadline(NOW.plus(Duration.ofHours(2)))
            .remainingDuration(Duration.ofMinutes(71))
            .build();
    Plan plan = plan(cluster(List.of(spot("s", 1))), queue(j));
    assertThat(plan.placements()).isEmpty();
    assertThat(plan.explanationFor("j").orElseThrow().toString())
        .isEqualTo("1 node: spot not allowed now: its deadline is too close to risk a reclaim");
  }

  @Test
  void insideAnOffPeakWindowSpotOkJobsTakeSpotFirst() {
    var policy =
        PolicySnapshot.defaults().withOffPeak(OffPeakStatus.openUntil(NOW.plusSeconds(3600)));
    var nodes = List.of(onDemand("a-od", 8), spot("z-spot", 8));
    Plan plan = plan(cluster(nodes), queue(job("j", 1).build()), policy);
    assertThat(plan.placementFor("j").orElseThrow().capacityType()).isEqualTo(CapacityType.SPOT);
  }

  @Test
  void outsideAnyWindowASpotOkJobTakesTheCheapestFreeCapacity() {
    // The default job (spot-ok, no deadline, no spot wait, no checkpoint) on two idle nodes:
    // on-demand at $4/GPU-hour, spot at $1. Reclaim risk must not outweigh a 4x price.
    var nodes = List.of(withPrice(onDemand("gpu-1", 8), 32), withPrice(spot("gpu-2", 8), 8));
    Plan plan = plan(cluster(nodes), queue(job("j", 1).build()));
    Placement p = plan.placementFor("j").orElseThrow();
    assertThat(p.assignments().get(0).nodeId()).isEqualTo("gpu-2");
    assertThat(p.capacityType()).isEqualTo(CapacityType.SPOT);
  }

  @Test
  void cheapestWinsOverBestFitAcrossCapacityTypes() {
    // A one-GPU on-demand node is the tighter fit, but spot is cheaper.
    var nodes = List.of(onDemand("a-od", 1), spot("z-spot", 8));
    var checkpointed =
        job("j", 1)
            .checkpointing(Checkpointing.every(Duration.ofMinutes(30), Duration.ofSeconds(90)))
            .build();
    Plan plan = plan(cluster(nodes), queue(checkpointed));
    assertThat(plan.placementFor("j").orElseThrow().assignments().get(0).nodeId())
        .isEqualTo("z-spot");
  }

  @Test
  void outsideAnyWindowOnDemandWinsWhenItIsTheCheaper() {
    var nodes = List.of(withPrice(spot("a-spot", 8), 40), onDemand("z-od", 8));
    Plan plan = plan(cluster(nodes), queue(job("j", 1).build()));
    assertThat(plan.placementFor("j").orElseThrow().capacityType())
        .isEqualTo(CapacityType.ON_DEMAND);
  }

  @Test
  void aGangOutsideAnyWindowTakesTheCheaperCapacityTypeWhole() {
    var gang = job("gang", 8).resources(Resources.of(8, 2, 0, List.of(), 0, 0)).build();
    var nodes =
        List.of(
            withPrice(spot("a-spot", 8), 40),
            withPrice(spot("b-spot", 8), 40),
            onDemand("c-od", 8),
            onDemand("d-od", 8));
    Plan plan = plan(cluster(nodes), queue(gang));
    Placement p = plan.placementFor("gang").orElseThrow();
    assertThat(p.capacityType()).isEqualTo(CapacityType.ON_DEMAND);
    assertThat(p.assignments()).extracting(NodeAssignment::nodeId).containsExactly("c-od", "d-od");
  }

  @Test
  void aReclaimedJobAvoidsItsPoolEvenWhereThatPoolIsTheCheapest() {
    var nodes = List.of(spot("a-spot", 8), onDemand("z-od", 8));
    var job = job("j", 1).lastReclaimedPool("pool-a").build();
    Plan plan = plan(cluster(nodes), queue(job));
    assertThat(plan.placementFor("j").orElseThrow().assignments().get(0).nodeId())
        .isEqualTo("z-od");
  }

  @Test
  void spotOnlyJobsWaitRatherThanTakeOnDemand() {
    Plan plan =
        plan(
            cluster(List.of(onDemand("od", 8))),
            queue(job("j", 1).capacity(CapacityPreference.SPOT_ONLY).build()));
    assertThat(plan.placements()).isEmpty();
    assertThat(plan.explanationFor("j").orElseThrow().primaryKind())
        .isEqualTo(ReasonKind.CAPACITY_TYPE);
  }

  @Test
  void aReclaimedJobGoesToAnotherPoolWhenOneHasRoom() {
    var nodes = List.of(spot("a", 8), withPool(spot("b", 8), "pool-b"));
    var job = job("j", 1).lastReclaimedPool("pool-a").build();
    Plan plan = plan(cluster(nodes), queue(job));
    assertThat(plan.placementFor("j").orElseThrow().assignments().get(0).nodeId()).isEqualTo("b");
  }

  @Test
  void aReclaimedJobStillRunsInTheSamePoolWhenNothingElseFits() {
    var job = job("j", 1).lastReclaimedPool("pool-a").build();
    Plan plan = plan(cluster(List.of(spot("a", 8))), queue(job));
    assertThat(plan.placementFor("j")).isPresent();
  }

  @Test
  void shareableJobsPackOntoSharedGpus() {
    var node = spot("n", 2);
    var tenant = job("tenant", 1).shareable(true).build();
    var cluster = cluster(List.of(node), running(tenant, node, 1));
    Plan plan = plan(cluster, queue(job("j", 1).shareable(true).build()));
    Placement p = plan.placementFor("j").orElseThrow();
    assertThat(p.assignments().get(0).gpuIndices()).containsExactly(1);
    assertThat(p.shared()).isTrue();
  }

  @Test
  void aDeadlineWithoutSlackForcesOnDemand() {
    var job =
        job("j", 1)
            .deadline(NOW.plus(Duration.ofHours(2)))
            .expectedDuration(Duration.ofMinutes(100))
            .build();
    Plan plan = plan(cluster(List.of(spot("a-spot", 8), onDemand("b-od", 8))), queue(job));
    assertThat(plan.placementFor("j").orElseThrow().capacityType())
        .isEqualTo(CapacityType.ON_DEMAND);
  }

  @Test
  void everyJobIsPlacedOrExplained() {
    Plan plan =
        plan(
            cluster(List.of(spot("n", 4))),
            queue(job("a", 4).build(), job("b", 4).build(), job("c", 1).build()));
    assertThat(plan.placements()).extracting(Placement::jobId).containsExactly("a");
    assertThat(plan.pending()).extracting(e -> e.jobId()).containsExactlyInAnyOrder("b", "c");
  }

  @Test
  void aSixtyFourGpuNodeTakesJobs() {
    // Its free-GPU mask uses all 64 bits: once the same value as "vetoed", so nothing was placed.
    Plan one = plan(cluster(List.of(onDemand("big", 64))), queue(job("one", 1).build()));
    Plan all = plan(cluster(List.of(onDemand("big", 64))), queue(job("all", 64).build()));

    assertThat(one.placements()).extracting(Placement::jobId).containsExactly("one");
    assertThat(all.placements()).extracting(Placement::jobId).containsExactly("all");
    assertThat(all.placements().getFirst().assignments().getFirst().gpuIndices()).hasSize(64);
  }

  @Test
  void jobsThatTakeNoGpuSpreadOverTheNodes() {
    // They fragment no GPU, so best fit does not apply: before, all of them went to one node.
    List<Node> nodes = List.of(onDemand("a", 8), onDemand("b", 8), onDemand("c", 8));
    Job busy = job("busy", 0).build();
    Job[] queued = new Job[5];
    for (int i = 0; i < queued.length; i++) {
      queued[i] = job("cpu-" + i, 0).build();
    }

    Plan plan = plan(cluster(nodes, running(busy, nodes.get(0))), queue(queued));

    assertThat(plan.placements()).hasSize(5);
    java.util.Map<String, Long> perNode =
        plan.placements().stream()
            .collect(
                java.util.stream.Collectors.groupingBy(
                    p -> p.assignments().getFirst().nodeId(),
                    java.util.stream.Collectors.counting()));
    assertThat(perNode).containsEntry("a", 1L).containsEntry("b", 2L).containsEntry("c", 2L);
  }
}
