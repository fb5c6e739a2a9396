package io.tern.simulator.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.tern.simulator.CantBeLate;
import io.tern.simulator.spot.SpotTrace;
import io.tern.simulator.spot.SyntheticSpotTraces;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/**
 * On random spot traces and settings, the offline optimum is never above any policy that met its
 * deadline (it models the same slot rules exactly, long changeovers included), and Tern, the
 * production core, never misses a deadline nor pays more than on-demand plus two changeovers (its
 * cost bound, see {@code SpotPolicy.spotAffordable}).
 */
class OptimumIsALowerBoundTest {

  @Property(tries = 150, seed = "20261205")
  void optimumIsNeverAboveAPolicyThatMetItsDeadline(
      @ForAll @LongRange(min = 1, max = Long.MAX_VALUE) long seed,
      @ForAll @IntRange(min = 6, max = 36) int jobSlots,
      @ForAll @IntRange(min = 1, max = 18) int slackSlots,
      @ForAll @IntRange(min = 0, max = 5) int changeoverThirds,
      @ForAll @DoubleRange(min = 0.2, max = 6) double meanUpHours,
      @ForAll @DoubleRange(min = 0.2, max = 3) double meanDownHours) {
    // Slot-aligned to keep the unit coarse: the changeover in thirds of a slot (0-33 min).
    double jobHours = jobSlots / 6.0;
    double changeover = changeoverThirds / 18.0;
    double deadline = jobHours + changeover + slackSlots / 6.0;
    SingleJobSetting setting = new SingleJobSetting(jobHours, deadline, changeover);
    SpotTrace trace =
        SyntheticSpotTraces.markov("random_v100_1", 200, 600, meanUpHours, meanDownHours, seed);
    double spot = 0.9731;
    double onDemand = 3.06;
    Map<String, SingleJobOutcome> runs = CantBeLate.runAll(trace, 0, setting, spot, onDemand);
    double optimum = runs.get("optimum").costUsd();
    assertThat(runs.get("optimum").deadlineMet()).isTrue();
    for (Map.Entry<String, SingleJobOutcome> e : runs.entrySet()) {
      if (e.getValue().deadlineMet()) {
        assertThat(optimum).as(e.getKey()).isLessThanOrEqualTo(e.getValue().costUsd() + 1e-9);
      }
    }
    SingleJobOutcome tern = runs.get("tern");
    assertThat(tern.deadlineMet()).as("tern met its deadline").isTrue();
    assertThat(tern.costUsd())
        .as("tern within on-demand plus two changeovers")
        .isLessThanOrEqualTo((jobHours + 3 * changeover) * onDemand + 1e-9);
  }
}
