package io.tern.simulator.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.tern.simulator.ProgressListener;
import org.junit.jupiter.api.Test;

/** What the benchmark reports, on a small workload; its times are only checked for being set. */
class SimulateBenchmarkTest {
  @Test
  void reportsTheReplayItRan() {
    SimulateBenchmark.Result first = SimulateBenchmark.run(2_000, 20, 3, ProgressListener.NONE);
    SimulateBenchmark.Result second = SimulateBenchmark.run(2_000, 20, 3, ProgressListener.NONE);

    assertThat(first.jobs()).isEqualTo(2_000);
    assertThat(first.nodes()).isEqualTo(20);
    // every job arrives and finishes at least once, and rounds outnumber calls of the core
    assertThat(first.events()).isGreaterThanOrEqualTo(4_000);
    assertThat(first.plans()).isGreaterThanOrEqualTo(first.coreCalls()).isPositive();
    assertThat(first.simulatedHours()).isPositive();
    assertThat(first.wallSeconds()).isPositive();
    assertThat(first.cpuSeconds()).isNotZero();
    assertThat(first.eventsPerSecond()).isPositive();
    // the replay is deterministic: the same seed replays the same events
    assertThat(second.events()).isEqualTo(first.events());
    assertThat(second.plans()).isEqualTo(first.plans());
    assertThat(second.coreCalls()).isEqualTo(first.coreCalls());
    assertThat(second.simulatedHours()).isEqualTo(first.simulatedHours());
  }
}
