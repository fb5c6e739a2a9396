package io.tern.scheduler.core.model;

import static io.tern.scheduler.core.Fixtures.job;
import static io.tern.scheduler.core.Fixtures.onDemand;
import static io.tern.scheduler.core.Fixtures.running;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tern.scheduler.core.Fixtures;
import io.tern.scheduler.core.plan.Plan;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClusterSnapshotTest {
  private final Node a = onDemand("a", 8);
  private final Node b = onDemand("b", 8);
  private final Allocation x = running(job("x", 2).build(), a, 0, 1);
  private final Allocation y = running(job("y", 1).build(), b, 3);

  @Test
  void sortsWhatIsNotSortedAndKeepsWhatIs() {
    ClusterSnapshot unsorted = ClusterSnapshot.of(List.of(b, a), List.of(y, x));
    ClusterSnapshot sorted = ClusterSnapshot.of(List.of(a, b), List.of(x, y));

    assertThat(unsorted.nodes()).containsExactly(a, b);
    assertThat(unsorted.allocations()).containsExactly(x, y);
    assertThat(unsorted).isEqualTo(sorted);
  }

  @Test
  void stillRejectsBrokenInvariants() {
    Allocation twice = running(job("z", 1).build(), a, 1);

    assertThatThrownBy(() -> ClusterSnapshot.of(List.of(a, a), List.of()))
        .hasMessage("duplicate node id a");
    assertThatThrownBy(() -> ClusterSnapshot.of(List.of(a, b), List.of(x, twice)))
        .hasMessage("GPU 1 of a held twice");
    assertThatThrownBy(() -> ClusterSnapshot.of(List.of(b), List.of(x)))
        .hasMessage("allocation of x names unknown node a");
  }

  @Test
  void aTrustedSnapshotEqualsTheCheckedOneAndPlansTheSame() {
    ClusterSnapshot checked = ClusterSnapshot.of(List.of(a, b), List.of(x, y));
    ClusterSnapshot trusted = ClusterSnapshot.trusted(List.of(a, b), List.of(x, y));
    QueueSnapshot queue = Fixtures.queue(job("q", 4).build());

    assertThat(trusted).isEqualTo(checked).hasSameHashCodeAs(checked);
    assertThat(trusted.toString()).isEqualTo(checked.toString());
    Plan plan = Fixtures.plan(trusted, queue);
    assertThat(plan).isEqualTo(Fixtures.plan(checked, queue));
    assertThat(plan.placements()).hasSize(1);
  }

  @Test
  void aCopyOfATrustedSnapshotsListsWithOthersIsCheckedAgain() {
    ClusterSnapshot trusted = ClusterSnapshot.trusted(List.of(a, b), List.of(x));
    Allocation twice = running(job("z", 1).build(), a, 1);

    assertThatThrownBy(() -> new ClusterSnapshot(trusted.nodes(), List.of(x, twice)))
        .hasMessage("GPU 1 of a held twice");
  }
}
