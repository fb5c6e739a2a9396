package io.tern.simulator.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.tern.simulator.CantBeLate;
import io.tern.simulator.ProgressListener;
import io.tern.simulator.TestPaths;
import io.tern.simulator.report.CantBeLateReport;
import io.tern.simulator.spot.PriceTable;
import io.tern.simulator.spot.SpotTrace;
import io.tern.simulator.spot.SpotTraceReader;
import org.junit.jupiter.api.Test;

class CantBeLateTest {
  // 1 h job, 2 h deadline, 6 min restart overhead on 10-minute slots: spot in slots 0-2 and 5+.
  private static final SingleJobSetting SMALL = new SingleJobSetting(1, 2, 0.1);
  private static final double SPOT = 1;
  private static final double ON_DEMAND = 3;

  private static SpotTrace trace() {
    return SpotTraceReader.read(TestPaths.resource("spot/us-west-2a_v100_1.txt"));
  }

  @Test
  void greedyRestartsAfterTheGapAndPaysTwoOverheads() {
    SingleJobOutcome greedy =
        SingleJobSimulator.run(
            trace(), 0, SMALL, SingleJobPolicies.create("greedy"), SPOT, ON_DEMAND);

    // 3 slots (30 min, 24 min of work), idle 20 min, then 6 + 36 min: 72 min billed on spot
    assertThat(greedy.costUsd()).isCloseTo(1.2, within(1e-9));
    assertThat(greedy.finishHours()).isCloseTo(92 / 60.0, within(1e-9));
    assertThat(greedy.restarts()).isEqualTo(2);
    assertThat(greedy.deadlineMet()).isTrue();
  }

  @Test
  void optimumWaitsForTheLongSpotRunAndPaysOneOverhead() {
    SingleJobOutcome optimum = OfflineOptimum.solve(trace(), 0, SMALL, SPOT, ON_DEMAND);

    assertThat(optimum.costUsd()).isCloseTo(66 / 60.0, within(1e-9));
    assertThat(optimum.deadlineMet()).isTrue();
  }

  @Test
  void onDemandPaysWorkPlusOneOverhead() {
    SingleJobOutcome od =
        SingleJobSimulator.run(
            trace(), 0, SMALL, SingleJobPolicies.create("on-demand"), SPOT, ON_DEMAND);

    assertThat(od.costUsd()).isCloseTo(1.1 * ON_DEMAND, within(1e-9));
    assertThat(od.finishHours()).isCloseTo(1.1, within(1e-9));
  }

  @Test
  void tightDeadlineForcesOnDemand() {
    SingleJobSetting tight = new SingleJobSetting(1, 1.2, 0.1);
    SingleJobOutcome tern =
        SingleJobSimulator.run(
            trace(), 0, tight, SingleJobPolicies.create("tern"), SPOT, ON_DEMAND);

    assertThat(tern.deadlineMet()).isTrue();
    assertThat(tern.onDemandHours()).isPositive();
  }

  @Test
  void realTracesOptimumBelowTernBelowOnDemandAndDeadlinesMet() {
    CantBeLateReport report =
        CantBeLate.run(
            TestPaths.sharedTraces().resolve("cant-be-late-spot"),
            SingleJobSetting.paper(),
            0,
            PriceTable.defaults(),
            ProgressListener.NONE);

    assertThat(report.rows()).hasSize(24);
    for (CantBeLateReport.Row row : report.rows()) {
      double optimum = row.cells().get("optimum").costRelativeToOnDemand();
      double tern = row.cells().get("tern").costRelativeToOnDemand();
      assertThat(optimum).as(row.trace()).isLessThanOrEqualTo(tern + 1e-9);
      assertThat(optimum)
          .as(row.trace())
          .isLessThanOrEqualTo(row.cells().get("greedy").costRelativeToOnDemand() + 1e-9);
      assertThat(optimum)
          .as(row.trace())
          .isLessThanOrEqualTo(row.cells().get("uniform-progress").costRelativeToOnDemand() + 1e-9);
      // at worst a few restart overheads (0.1 h of 48 h each) above on-demand
      assertThat(tern).as(row.trace()).isLessThanOrEqualTo(1.01);
    }
    assertThat(report.totalMisses("tern")).isZero();
    assertThat(report.totalMisses("uniform-progress")).isZero();
    assertThat(report.meanRelative("tern")).isLessThan(report.meanRelative("greedy"));
    assertThat(report.meanRelative("tern")).isLessThan(0.85);
  }
}
