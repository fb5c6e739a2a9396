package io.tern.scheduler.core;

import static io.tern.scheduler.core.Fixtures.NOW;
import static io.tern.scheduler.core.Fixtures.cluster;
import static io.tern.scheduler.core.Fixtures.job;
import static io.tern.scheduler.core.Fixtures.queue;
import static io.tern.scheduler.core.Fixtures.running;
import static io.tern.scheduler.core.Fixtures.spot;
import static org.assertj.core.api.Assertions.assertThat;

import io.tern.scheduler.core.model.CapacityType;
import io.tern.scheduler.core.model.NodeAssignment;
import io.tern.scheduler.core.model.NodeState;
import io.tern.scheduler.core.model.Resources;
import io.tern.scheduler.core.plan.Placement;
import io.tern.scheduler.core.plan.Plan;
import io.tern.scheduler.core.policy.PolicySnapshot;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The checker must catch broken plans, or the random scenarios prove nothing. */
class InvariantCheckerTest {

  private static Plan placing(Placement... placements) {
    return new Plan(List.of(placements), List.of(), List.of(), List.of(), List.of(), List.of());
  }

  private static Placement on(String job, String node, Integer... gpus) {
    return new Placement(
        job, 1, List.of(new NodeAssignment(node, List.of(gpus))), CapacityType.SPOT, false);
  }

  @Test
  void catchesAGpuGivenTwiceAndAJobLeftUnexplained() {
    var node = spot("n", 2);
    var cluster = cluster(List.of(node), running(job("r", 1).build(), node, 0));
    var queue = queue(job("a", 1).build(), job("b", 1).build());
    var checker =
        new InvariantChecker(
            cluster, queue, PolicySnapshot.defaults(), EngineConfig.defaults(), NOW);
    assertThat(checker.check(placing(on("a", "n", 0))))
        .anyMatch(v -> v.contains("GPU given twice n#0"))
        .anyMatch(v -> v.contains("neither placed nor explained: b"));
  }

  @Test
  void catchesPartialGangsAndDrainingNodes() {
    var cluster = cluster(List.of(spot("a", 8), spot("d", 8).withState(NodeState.DRAINING)));
    var gang = job("g", 8).resources(Resources.of(8, 2, 0, List.of(), 0, 0)).build();
    var checker =
        new InvariantChecker(
            cluster,
            queue(gang, job("x", 1).build()),
            PolicySnapshot.defaults(),
            EngineConfig.defaults(),
            NOW);
    var violations = checker.check(placing(on("g", "a", 0, 1, 2, 3, 4, 5, 6, 7), on("x", "d", 0)));
    assertThat(violations)
        .anyMatch(v -> v.contains("gang of 2 placed on 1"))
        .anyMatch(v -> v.contains("DRAINING node d"));
  }

  @Test
  void acceptsTheEnginesOwnPlan() {
    var cluster = cluster(List.of(spot("a", 8)));
    var queue = queue(job("a", 4).build(), job("b", 8).build());
    var checker =
        new InvariantChecker(
            cluster, queue, PolicySnapshot.defaults(), EngineConfig.defaults(), NOW);
    assertThat(checker.check(Fixtures.plan(cluster, queue))).isEmpty();
  }
}
