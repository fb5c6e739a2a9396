package io.tern.simulator.bench;

import io.tern.simulator.ProgressListener;
import io.tern.simulator.engine.ClusterSimulation;
import io.tern.simulator.engine.RunOutcome;
import io.tern.simulator.engine.SimulationSettings;
import io.tern.simulator.policy.ClusterPolicy;
import io.tern.simulator.spot.PriceTable;
import io.tern.simulator.spot.SpotFleetModel;
import io.tern.simulator.trace.Workload;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.List;

/**
 * {@code tern bench simulate}: replays a seeded synthetic workload under the Tern policy through
 * the core and measures events per second. A benchmark, not a test: it reads the wall clock (only
 * to time itself) and its figures vary with the machine. Beside wall time it reports the CPU time
 * of the replaying thread, which other work on a shared machine disturbs much less.
 */
public final class SimulateBenchmark {
  private SimulateBenchmark() {}

  /**
   * Benchmark figures.
   *
   * @param jobs jobs replayed
   * @param nodes nodes in the cluster
   * @param events discrete events processed
   * @param plans scheduling rounds
   * @param coreCalls calls of the core (rounds with nothing queued skip it)
   * @param eventsPerSecond events per wall-clock second of the replay
   * @param wallSeconds wall-clock seconds of the replay (workload generation excluded)
   * @param cpuSeconds CPU seconds of the replaying thread (JIT compiler and GC threads excluded),
   *     or -1 where the JVM cannot measure thread CPU time
   * @param generateSeconds wall-clock seconds to generate the workload
   * @param simulatedHours simulated time covered
   */
  public record Result(
      int jobs,
      int nodes,
      long events,
      long plans,
      long coreCalls,
      double eventsPerSecond,
      double wallSeconds,
      double cpuSeconds,
      double generateSeconds,
      double simulatedHours) {}

  /** Runs the benchmark (the CLI's defaults: 1,000,000 jobs on 10,000 nodes). */
  public static Result run(int jobs, int nodes, long seed, ProgressListener progress) {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    long t0 = System.nanoTime();
    Workload workload = SyntheticWorkload.generate(jobs, nodes, seed);
    long t1 = System.nanoTime();
    long cpu0 = threads.getCurrentThreadCpuTime();
    SimulationSettings settings = SimulationSettings.defaults().withScheduling(60, 600);
    SpotFleetModel spot = SpotFleetModel.build(workload.nodes(), List.of(), seed);
    RunOutcome outcome =
        new ClusterSimulation(
                workload.jobs(),
                workload.nodes(),
                ClusterPolicy.TERN,
                settings,
                PriceTable.defaults(),
                spot,
                progress)
            .run();
    long t2 = System.nanoTime();
    long cpu1 = threads.getCurrentThreadCpuTime();
    double wall = (t2 - t1) / 1e9;
    return new Result(
        jobs,
        nodes,
        outcome.events(),
        outcome.plans(),
        outcome.coreCalls(),
        outcome.events() / Math.max(1e-9, wall),
        wall,
        cpu0 < 0 || cpu1 < 0 ? -1 : (cpu1 - cpu0) / 1e9,
        (t1 - t0) / 1e9,
        outcome.endSeconds() / 3600.0);
  }

  /** Command-line entry: {@code [jobs] [nodes] [seed]}. */
  public static void main(String[] args) {
    int jobs = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    int nodes = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
    long seed = args.length > 2 ? Long.parseLong(args[2]) : 1;
    System.out.println(run(jobs, nodes, seed, ProgressListener.NONE));
  }
}
