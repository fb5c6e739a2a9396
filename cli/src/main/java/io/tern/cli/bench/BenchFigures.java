package io.tern.cli.bench;

/**
 * The placement benchmark's figures under the names scripts read. The CPU-time figures are the
 * planning thread's own CPU time per plan (null where the JVM cannot measure it); beside the wall
 * times they show how much of a slow plan was waiting for a core.
 */
record BenchFigures(
    int nodes,
    int gpus_per_node,
    int pending,
    double placements_per_second,
    double plan_ms_p50,
    double plan_ms_p99,
    Double plan_cpu_ms_p50,
    Double plan_cpu_ms_p99) {

  static BenchFigures of(PlacementBenchmark.Result r) {
    return new BenchFigures(
        r.nodes(),
        r.gpusPerNode(),
        r.pending(),
        r.placementsPerSecond(),
        r.planMsP50(),
        r.planMsP99(),
        orNull(r.planCpuMsP50()),
        orNull(r.planCpuMsP99()));
  }

  private static Double orNull(double v) {
    return Double.isNaN(v) ? null : v;
  }
}
