package io.tern.simulator.spot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class SyntheticSpotTracesTest {
  @Test
  void lognormalTracesAreSeededAndHaveTheAvailabilityTheirMeansGive() {
    SpotTrace a = SyntheticSpotTraces.lognormal("p_v100_1", 60_000, 600, 3, 1, 1.0, 42);
    SpotTrace b = SyntheticSpotTraces.lognormal("p_v100_1", 60_000, 600, 3, 1, 1.0, 42);
    int up = 0;
    int runs = 0;
    for (int i = 0; i < a.slots(); i++) {
      assertThat(a.available(i)).isEqualTo(b.available(i));
      up += a.available(i) ? 1 : 0;
      runs += i > 0 && a.available(i) != a.available(i - 1) ? 1 : 0;
    }
    // Availability 3 / (3 + 1); runs average two hours (12 slots) over both states.
    assertThat(up / (double) a.slots()).isCloseTo(0.75, within(0.03));
    assertThat(a.slots() / (double) (runs + 1)).isCloseTo(12, within(1.5));
  }

  @Test
  void theHeavyTailedHeldOutSetNamesItsPoolsByKindAndModel() {
    var traces = SyntheticSpotTraces.heldOutHeavyTailed(new double[][] {{2, 0.5}}, 2, 100, 1);
    assertThat(traces)
        .extracting(SpotTrace::pool)
        .containsExactly("lognormal-up2.0-down0.5-0_v100_1", "lognormal-up2.0-down0.5-1_k80_1");
  }
}
