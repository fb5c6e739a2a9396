package io.tern.scheduler.core.explain;

import static io.tern.scheduler.core.Fixtures.cluster;
import static io.tern.scheduler.core.Fixtures.job;
import static io.tern.scheduler.core.Fixtures.onDemand;
import static io.tern.scheduler.core.Fixtures.plan;
import static io.tern.scheduler.core.Fixtures.queue;
import static io.tern.scheduler.core.Fixtures.spot;
import static io.tern.scheduler.core.Fixtures.withGpu;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tern.scheduler.core.model.CapacityPreference;
import io.tern.scheduler.core.model.Node;
import io.tern.scheduler.core.model.NodeState;
import io.tern.scheduler.core.model.Resources;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ExplanationTest {

  @Test
  void reasonsAreGroupedCountedAndLargestFirst() {
    List<Node> nodes = new ArrayList<>();
    for (int i = 0; i < 31; i++) {
      Node n = spot(String.format("m%02d", i), 1);
      nodes.add(withGpu(n, n.gpus().get(0).withTelemetry(70_000, 10)));
    }
    for (int i = 0; i < 4; i++) {
      nodes.add(spot("d" + i, 1).withState(NodeState.DRAINING));
    }
    var needs40 = job("j", 1).resources(Resources.of(1, 1, 40_960, List.of(), 0, 0)).build();
    var why = plan(cluster(nodes), queue(needs40)).explanationFor("j").orElseThrow();
    assertThat(why.toString())
        .isEqualTo(
            "31 nodes: not enough free GPU memory (needs 40960 MiB per GPU); 4 nodes: draining");
    assertThat(why.reasons()).extracting(PendingReason::nodes).containsExactly(31, 4);
    assertThat(why.held()).isFalse();
  }

  @Test
  void capacityTypeAndModelMismatchesAreCountedByGroup() {
    var nodes = List.of(spot("s1", 8), spot("s2", 8), onDemand("o1", 8));
    var job =
        job("j", 1)
            .capacity(CapacityPreference.ON_DEMAND)
            .resources(Resources.of(1, 1, 0, List.of("H100"), 0, 0))
            .build();
    var why = plan(cluster(nodes), queue(job)).explanationFor("j").orElseThrow();
    assertThat(why.toString())
        .isEqualTo("2 nodes: spot not allowed for this job; 1 node: GPU model A100 not in [H100]");
  }

  @Test
  void sameShapeJobsShareTheirNodeCounts() {
    var plan =
        plan(cluster(List.of(spot("n", 1))), queue(job("a", 2).build(), job("b", 2).build()));
    assertThat(plan.explanationFor("a").orElseThrow().toString())
        .isEqualTo("1 node: not enough free GPUs (needs 2)")
        .isEqualTo(plan.explanationFor("b").orElseThrow().toString());
  }

  @Test
  void anEmptyClusterSaysSo() {
    assertThat(
            plan(cluster(List.of()), queue(job("j", 1).build())).explanationFor("j").orElseThrow())
        .hasToString("no nodes in the cluster");
  }

  @Test
  void anExplanationNeedsAReason() {
    assertThatThrownBy(() -> new Explanation("j", List.of()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void counterOrdersByCountThenKind() {
    var reasons =
        new ReasonCounter()
            .add(ReasonKind.CPU, 2)
            .add(ReasonKind.NODE_LOST, 2)
            .add(ReasonKind.GPU_MEMORY, 5)
            .toReasons();
    assertThat(reasons)
        .extracting(PendingReason::kind)
        .containsExactly(ReasonKind.GPU_MEMORY, ReasonKind.NODE_LOST, ReasonKind.CPU);
  }
}
