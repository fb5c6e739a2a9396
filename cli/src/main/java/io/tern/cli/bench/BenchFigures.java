package io.tern.cli.bench;

import io.tern.scheduler.core.bench.PlacementBenchmark;

/** The placement benchmark's figures under the names scripts read. */
record BenchFigures(
    int nodes,
    int gpus_per_node,
    int pending,
    double placements_per_second,
    double plan_ms_p50,
    double plan_ms_p99) {

  static BenchFigures of(PlacementBenchmark.Result r) {
    return new BenchFigures(
        r.nodes(),
        r.gpusPerNode(),
        r.pending(),
        r.placementsPerSecond(),
        r.planMsP50(),
        r.planMsP99());
  }
}
