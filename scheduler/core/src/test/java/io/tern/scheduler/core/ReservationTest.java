package io.tern.scheduler.core;

import static io.tern.scheduler.core.Fixtures.NOW;
import static io.tern.scheduler.core.Fixtures.cluster;
import static io.tern.scheduler.core.Fixtures.job;
import static io.tern.scheduler.core.Fixtures.plan;
import static io.tern.scheduler.core.Fixtures.queue;
import static io.tern.scheduler.core.Fixtures.running;
import static io.tern.scheduler.core.Fixtures.spot;
import static org.assertj.core.api.Assertions.assertThat;

import io.tern.scheduler.core.explain.ReasonKind;
import io.tern.scheduler.core.plan.Placement;
import io.tern.scheduler.core.policy.PolicySnapshot;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReservationTest {

  @Test
  void backfillDoesNotTakeTheNodeReservedForTheBlockedHeadJob() {
    var a = spot("a", 8);
    var b = spot("b", 8);
    var cluster =
        cluster(
            List.of(a, b),
            running(job("ra", 4).build(), a, 0, 1, 2, 3),
            running(job("rb", 6).build(), b, 0, 1, 2, 3, 4, 5));
    var plan =
        plan(
            cluster,
            queue(
                job("big", 8).submittedAt(NOW.minusSeconds(100)).build(),
                job("small", 2).submittedAt(NOW.minusSeconds(50)).build(),
                job("small2", 2).submittedAt(NOW.minusSeconds(40)).build()));
    // "big" reserves a (4 free, the most); small jobs may only backfill b.
    assertThat(plan.explanationFor("big").orElseThrow().primaryKind())
        .isEqualTo(ReasonKind.RESERVATION_HOLDER);
    assertThat(plan.explanationFor("big").orElseThrow().toString())
        .startsWith("holds a reservation on a (4 of 8 GPUs free)");
    assertThat(plan.placements()).extracting(Placement::jobId).containsExactly("small");
    assertThat(plan.placementFor("small").orElseThrow().assignments().get(0).nodeId())
        .isEqualTo("b");
    assertThat(plan.explanationFor("small2").orElseThrow().toString())
        .contains("1 node: reserved for a job ahead in the queue");
  }

  @Test
  void withoutReservationsBackfillWouldTakeIt() {
    var a = spot("a", 8);
    var cluster = cluster(List.of(a), running(job("ra", 4).build(), a, 0, 1, 2, 3));
    var engine = new PlacementEngine(EngineConfig.builder().reservations(0).build());
    var plan =
        engine.plan(
            cluster,
            queue(job("big", 8).build(), job("small", 2).submittedAt(NOW).build()),
            PolicySnapshot.defaults(),
            NOW);
    assertThat(plan.placements()).extracting(Placement::jobId).containsExactly("small");
  }
}
