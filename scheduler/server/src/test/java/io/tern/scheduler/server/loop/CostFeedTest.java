package io.tern.scheduler.server.loop;

import static org.assertj.core.api.Assertions.assertThat;

import io.tern.api.v1.Attempt;
import io.tern.api.v1.CapacityType;
import io.tern.api.v1.Gpu;
import io.tern.api.v1.GpuIndices;
import io.tern.api.v1.Job;
import io.tern.api.v1.JobSpec;
import io.tern.api.v1.JobState;
import io.tern.api.v1.Node;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class CostFeedTest {
  private static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");

  @Test
  void onDemandTimeIsChargedWithItsPremiumOverTheSameShapeOnSpot() {
    Node onDemand =
        Node.newBuilder()
            .setId("od-1")
            .setPool("p3.2xlarge/us-west-2a")
            .setCapacityType(CapacityType.CAPACITY_TYPE_ON_DEMAND)
            .setPricePerHourUsd(3.06)
            .addGpus(Gpu.newBuilder().setIndex(0).setModel("V100"))
            .build();
    CostFeed feed = new CostFeed(node -> 0.9731);
    Job job =
        Job.newBuilder()
            .setId("job-000001")
            .setSpec(JobSpec.newBuilder().setTeam("vision"))
            .setState(JobState.JOB_STATE_SUCCEEDED)
            .addAttempts(
                Attempt.newBuilder()
                    .setNumber(1)
                    .addNodeIds("od-1")
                    .addGpus(GpuIndices.newBuilder().addIndex(0))
                    .setCapacityType(CapacityType.CAPACITY_TYPE_ON_DEMAND)
                    .setStartedAt(CoreSnapshots.timestamp(T0))
                    .setEndedAt(CoreSnapshots.timestamp(T0.plusSeconds(3600)))
                    .setExitCode(0))
            .build();

    feed.observe(job, id -> onDemand, T0.plusSeconds(3600));
    var total = feed.ledger().report(T0, T0.plusSeconds(7200), "").getTotal();

    assertThat(total.getOnDemandUsd()).isCloseTo(3.06, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(total.getOnDemandPremiumUsd())
        .isCloseTo(3.06 - 0.9731, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(total.getGpuHours()).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-9));
  }
}
