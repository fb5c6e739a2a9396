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
import java.time.Instant;
import org.junit.jupiter.api.Test;

class CantBeLateTest {
  // 1 h job, 2 h deadline, 6 min restart overhead on 10-minute slots: spot in slots 0-2 and 5+.
  private static final SingleJobSetting SMALL = new SingleJobSetting(1, 2, 0.1);
  private static final double SPOT = 1;
  private static final double ON_DEMAND = 3;

  private static SpotTrace trace() {
    return SpotTraceReader.read(TestPaths.resource("spot/us-west-2a_v100_1.txt"));
  }

  /** A trace from a pattern: '+' spot in the slot, '.' none. */
  static SpotTrace trace(String pattern) {
    boolean[] up = new boolean[pattern.length()];
    for (int i = 0; i < up.length; i++) {
      up[i] = pattern.charAt(i) == '+';
    }
    return new SpotTrace("test_v100_1", Instant.parse("2025-01-01T00:00:00Z"), 600, up);
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
  void aChangeoverLongerThanASlotIsPaidInFull() {
    // 1 h of work, a 25-minute changeover on 10-minute slots: on-demand pays 85 min, finishes at
    // 85 min; spot that vanishes in the third slot (mid-changeover) makes no progress at all.
    SingleJobSetting slow = new SingleJobSetting(1, 3, 25 / 60.0);
    SpotTrace trace = trace("++.+++++++++++++++++");
    SingleJobOutcome od =
        SingleJobSimulator.run(
            trace, 0, slow, SingleJobPolicies.create("on-demand"), SPOT, ON_DEMAND);
    assertThat(od.costUsd()).isCloseTo(85 / 60.0 * ON_DEMAND, within(1e-9));
    assertThat(od.finishHours()).isCloseTo(85 / 60.0, within(1e-9));

    SingleJobOutcome greedy =
        SingleJobSimulator.run(trace, 0, slow, SingleJobPolicies.create("greedy"), SPOT, ON_DEMAND);
    // 20 min of changeover lost with the reclaim, then a fresh 25 min + 60 min of work on spot.
    assertThat(greedy.spotHours()).isCloseTo((20 + 25 + 60) / 60.0, within(1e-9));
    assertThat(greedy.finishHours()).isCloseTo((30 + 85) / 60.0, within(1e-9));

    SingleJobOutcome optimum = OfflineOptimum.solve(trace, 0, slow, SPOT, ON_DEMAND);
    // Waiting out the gap and starting once on spot: 85 min at the spot price.
    assertThat(optimum.costUsd()).isCloseTo(85 / 60.0 * SPOT, within(1e-9));
  }

  @Test
  void uniformProgressKeepsOnDemandUntilSpotReturns() {
    // 2 h job, 3 h deadline, 6 min changeover; no spot for the first hour, then spot again.
    SingleJobSetting setting = new SingleJobSetting(2, 3, 0.1);
    SpotTrace trace = trace("......" + "......" + "+".repeat(12));
    RecordingPolicy up = new RecordingPolicy(SingleJobPolicies.create("uniform-progress"));
    SingleJobOutcome outcome = SingleJobSimulator.run(trace, 0, setting, up, SPOT, ON_DEMAND);

    assertThat(outcome.deadlineMet()).isTrue();
    // On the line at the start it waits; behind it a slot later: on-demand, kept through the whole
    // outage although the job catches up with the line meanwhile (the paper's code never lets
    // on-demand go idle).
    assertThat(up.modes.substring(0, 12)).isEqualTo("IOOOOOOOOOOO");
    assertThat(up.modes.substring(1)).doesNotContain("I");
  }

  @Test
  void ternWaitsForSpotWhileAheadAndTakesOnDemandWhenBehind() {
    // 1 h job, 2 h deadline: 54 min done on spot in the first hour puts it well ahead of the line,
    // so it waits out a 20-minute gap for spot and finishes there: reclaimed at 60 min with its
    // progress (the notice comes at the reclaim, the save takes no time), back at 80 min with a
    // second changeover, done at 92 min.
    SpotTrace gap = trace("++++++..++++++");
    SingleJobOutcome waited = SingleJobReplay.run(gap, 0, SMALL, SPOT, ON_DEMAND);
    assertThat(waited.onDemandHours()).isZero();
    assertThat(waited.spotHours()).isCloseTo((60 + 6 + 6) / 60.0, within(1e-9));
    assertThat(waited.finishHours()).isCloseTo(92 / 60.0, within(1e-9));
    assertThat(waited.restarts()).isEqualTo(2);
    assertThat(waited.deadlineMet()).isTrue();

    // No spot at all: it waits while ahead, then runs on on-demand (changeover and work) and still
    // makes it.
    SpotTrace none = trace(".".repeat(14));
    SingleJobOutcome fallback = SingleJobReplay.run(none, 0, SMALL, SPOT, ON_DEMAND);
    assertThat(fallback.deadlineMet()).isTrue();
    assertThat(fallback.spotHours()).isZero();
    assertThat(fallback.onDemandHours()).isCloseTo(1.1, within(1e-9));
    assertThat(fallback.costUsd()).isCloseTo(1.1 * ON_DEMAND, within(1e-9));
  }

  @Test
  void ternMovesBackToSpotOnceItHasSettledAndNotOnABlip() {
    // 4 h job, 5 h deadline: reclaimed after its first slot on spot, it waits a slot for spot (its
    // 0.9 h of slack is 0.3 h more than the reserve of 15 % of its work, so its line starts 18 min
    // late), falls behind the line and runs on on-demand; a one-slot blip of spot (slot 10) does
    // not move it; spot that stays (from slot 16) does, once it has held for two changeovers
    // (12 min: at slot 18).
    SingleJobSetting setting = new SingleJobSetting(4, 5, 0.1);
    SpotTrace trace = trace("+" + ".".repeat(9) + "+." + ".".repeat(4) + "+".repeat(30));
    SingleJobOutcome outcome = SingleJobReplay.run(trace, 0, setting, SPOT, ON_DEMAND);

    assertThat(outcome.deadlineMet()).isTrue();
    // spot, on-demand, spot: the blip would have cost two more attempts
    assertThat(outcome.restarts()).isEqualTo(3);
    // on-demand from slot 2 to slot 18 (160 min, its changeover included)
    assertThat(outcome.onDemandHours()).isCloseTo(160 / 60.0, within(1e-9));
  }

  @Test
  void realTracesTernIsTheProductionCoreAndBeatsTheBaselines() {
    CantBeLateReport report =
        CantBeLate.run(
            SpotTraceReader.readDirectory(TestPaths.sharedTraces().resolve("cant-be-late-spot")),
            SingleJobSetting.paper(),
            72,
            PriceTable.defaults(),
            ProgressListener.NONE);

    assertThat(report.traces()).hasSize(24);
    assertThat(report.toTable())
        .startsWith(
            "48 h job, 52 h deadline, 0.1 h changeover, a start every 72 h of each trace\n");
    for (CantBeLateReport.TraceResult row : report.traces()) {
      double optimum = row.policies().get("optimum").meanCostRatio();
      double tern = row.policies().get("tern").meanCostRatio();
      assertThat(optimum).as(row.trace()).isLessThanOrEqualTo(tern + 1e-9);
      assertThat(row.policies().get("tern").deadlineMisses()).as(row.trace()).isZero();
      // the core's cost bound: never more than on-demand plus two changeovers (0.1 h of 48.1 h)
      assertThat(row.policies().get("tern").maxCostRatio())
          .as(row.trace())
          .isLessThanOrEqualTo(48.3 / 48.1 + 1e-9);
    }
    assertThat(report.overall().get("uniform-progress").deadlineMisses()).isZero();
    assertThat(report.overallMean("tern")).isLessThan(report.overallMean("uniform-progress"));
    assertThat(report.overallMean("tern")).isLessThan(report.overallMean("greedy"));
  }

  /** Wraps a policy and records its modes: I idle, S spot, O on-demand. */
  static final class RecordingPolicy implements SingleJobPolicy {
    private final SingleJobPolicy policy;
    final StringBuilder modes = new StringBuilder();

    RecordingPolicy(SingleJobPolicy policy) {
      this.policy = policy;
    }

    @Override
    public String name() {
      return policy.name();
    }

    @Override
    public SlotMode decide(SlotState state) {
      SlotMode mode = policy.decide(state);
      SlotMode done = mode == SlotMode.SPOT && !state.spotAvailable() ? SlotMode.IDLE : mode;
      modes.append(
          switch (done) {
            case IDLE -> 'I';
            case SPOT -> 'S';
            case ON_DEMAND -> 'O';
          });
      return mode;
    }
  }
}
