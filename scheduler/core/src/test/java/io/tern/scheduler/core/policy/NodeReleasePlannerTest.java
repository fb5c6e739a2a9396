package io.tern.scheduler.core.policy;

import static io.tern.scheduler.core.Fixtures.NOW;
import static io.tern.scheduler.core.Fixtures.cluster;
import static io.tern.scheduler.core.Fixtures.job;
import static io.tern.scheduler.core.Fixtures.plan;
import static io.tern.scheduler.core.Fixtures.queue;
import static io.tern.scheduler.core.Fixtures.running;
import static io.tern.scheduler.core.Fixtures.spot;
import static io.tern.scheduler.core.Fixtures.withPool;
import static org.assertj.core.api.Assertions.assertThat;

import io.tern.scheduler.core.model.CapacityType;
import io.tern.scheduler.core.plan.NodeRelease;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class NodeReleasePlannerTest {
  private static final PoolOffer POOL =
      new PoolOffer(
          "pool-a", CapacityType.SPOT, "p4d", "a", 8, "A100", 81_920, 96, 1_000_000, 10.0, 10);

  @Test
  void idleCloudNodesPastTheGraceAreReleased() {
    var idleLong = spot("idle-long", 8).withIdleSince(NOW.minus(Duration.ofMinutes(11)));
    var idleShort = spot("idle-short", 8).withIdleSince(NOW.minus(Duration.ofMinutes(9)));
    var onPrem =
        withPool(spot("on-prem", 8), "rack-1").withIdleSince(NOW.minus(Duration.ofDays(1)));
    var busy = spot("busy", 8).withIdleSince(NOW.minus(Duration.ofHours(1)));
    var policy = PolicySnapshot.of(OffPeakStatus.NO_WINDOWS, List.of(), List.of(POOL));
    var plan =
        plan(
            cluster(
                List.of(idleLong, idleShort, onPrem, busy), running(job("r", 1).build(), busy, 0)),
            queue(),
            policy);
    assertThat(plan.nodeReleases())
        .containsExactly(new NodeRelease("idle-long", "pool-a", Duration.ofMinutes(11)));
  }

  @Test
  void aNodeThatGetsWorkInThisPlanIsKept() {
    var idle = spot("idle", 8).withIdleSince(NOW.minus(Duration.ofHours(1)));
    var policy = PolicySnapshot.of(OffPeakStatus.NO_WINDOWS, List.of(), List.of(POOL));
    var plan = plan(cluster(List.of(idle)), queue(job("j", 1).build()), policy);
    assertThat(plan.placements()).hasSize(1);
    assertThat(plan.nodeReleases()).isEmpty();
  }
}
