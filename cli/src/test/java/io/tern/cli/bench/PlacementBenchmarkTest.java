package io.tern.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The benchmark driver runs end to end on a small cluster; no timing is asserted. */
class PlacementBenchmarkTest {

  @Test
  void smallRunFillsTheClusterAndReportsItsFigures() {
    List<String> progress = new ArrayList<>();
    var result =
        PlacementBenchmark.run(new PlacementBenchmark.Options(50, 8, 500, 5, 7), progress::add);
    assertThat(result.nodes()).isEqualTo(50);
    assertThat(result.gpusPerNode()).isEqualTo(8);
    assertThat(result.pending()).isEqualTo(500);
    assertThat(result.rounds()).isEqualTo(5);
    assertThat(result.placements()).isBetween(1L, 400L);
    assertThat(result.placementsPerSecond()).isPositive();
    assertThat(result.planMsP99()).isGreaterThanOrEqualTo(result.planMsP50());
    assertThat(result.planCpuMsP50()).isPositive();
    assertThat(result.planCpuMsP99()).isGreaterThanOrEqualTo(result.planCpuMsP50());
    assertThat(result.toJson()).contains("\"planCpuMsP99\":");
    assertThat(result.toJson()).startsWith("{\"nodes\":50,\"gpusPerNode\":8,\"pending\":500,");
    // The fill is timed three times; the figure is the median of the three printed rates.
    List<Double> fills =
        progress.stream()
            .filter(line -> line.startsWith("fill "))
            .map(line -> Double.parseDouble(line.replaceAll(".*= (\\d+) placements/s.*", "$1")))
            .sorted()
            .toList();
    assertThat(fills).hasSize(3);
    assertThat(result.placementsPerSecond()).isCloseTo(fills.get(1), within(1.0));
  }
}
