package io.tern.scheduler.core.bench;

import io.tern.scheduler.core.EngineConfig;
import io.tern.scheduler.core.PlacementEngine;
import io.tern.scheduler.core.model.ClusterSnapshot;
import io.tern.scheduler.core.model.Job;
import io.tern.scheduler.core.model.QueueSnapshot;
import io.tern.scheduler.core.plan.Plan;
import io.tern.scheduler.core.policy.PolicySnapshot;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Locale;

/**
 * Diagnostic driver (test scope): the benchmark's steady state, printing each round's plan time
 * with its CPU time and GC pauses during it, placements, preemptions and arrivals. Args: [rounds
 * [seed [repeat]]].
 */
public final class PlanRoundsMain {
  private PlanRoundsMain() {}

  private static long gcMillis() {
    long t = 0;
    for (GarbageCollectorMXBean b : ManagementFactory.getGarbageCollectorMXBeans()) {
      t += b.getCollectionTime();
    }
    return t;
  }

  private static String percentiles(double[] values) {
    double[] s = values.clone();
    Arrays.sort(s);
    return String.format(
        Locale.ROOT,
        "p50 %.2f p90 %.2f p99 %.2f max %.2f",
        s[(int) Math.ceil(0.5 * s.length) - 1],
        s[(int) Math.ceil(0.9 * s.length) - 1],
        s[(int) Math.ceil(0.99 * s.length) - 1],
        s[s.length - 1]);
  }

  public static void main(String[] args) {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 200;
    long seed = args.length > 1 ? Long.parseLong(args[1]) : 1;
    int repeat = args.length > 2 ? Integer.parseInt(args[2]) : 1;
    run(Integer.getInteger("warm", 100), seed + 1_000_003, false);
    for (int r = 0; r < repeat; r++) {
      run(rounds, seed, true);
    }
  }

  private static void run(int rounds, long seed, boolean print) {
    SyntheticCluster gen = new SyntheticCluster(seed, 8);
    Instant now = SyntheticCluster.EPOCH;
    BenchCluster cluster = new BenchCluster(gen.nodes(10_000, 8), gen.jobs(100_000, now));
    PolicySnapshot policy = gen.policy();
    PlacementEngine engine = new PlacementEngine(EngineConfig.defaults());
    Plan fill = engine.plan(cluster.clusterSnapshot(), cluster.queueSnapshot(), policy, now);
    cluster.apply(fill, now);
    double[] ms = new double[rounds];
    double[] cpuMs = new double[rounds];
    for (int round = 0; round < rounds; round++) {
      now = now.plus(Duration.ofMinutes(1));
      int ended = cluster.finishRandom(Math.max(1, cluster.runningCount() / 100), gen.random());
      for (int i = 0; i < ended; i++) {
        Job j = gen.job(now);
        cluster.submit(j);
      }
      ClusterSnapshot cs = cluster.clusterSnapshot();
      QueueSnapshot qs = cluster.queueSnapshot();
      long g0 = gcMillis();
      long c0 = java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
      long t0 = System.nanoTime();
      Plan plan = engine.plan(cs, qs, policy, now);
      ms[round] = (System.nanoTime() - t0) / 1e6;
      long gc = gcMillis() - g0;
      double cpu =
          (java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() - c0)
              / 1e6;
      cpuMs[round] = cpu;
      cluster.apply(plan, now);
      if (print) {
        System.out.println(
            String.format(
                Locale.ROOT,
                "round %3d %7.2f ms cpu %7.2f gc %3d ms placed %4d preempt %3d ended %4d pending %d",
                round,
                ms[round],
                cpu,
                gc,
                plan.placements().size(),
                plan.preemptions().size(),
                ended,
                cluster.pendingCount()));
      }
    }
    if (print) {
      System.out.println("wall " + percentiles(ms));
      System.out.println("cpu  " + percentiles(cpuMs));
    }
  }
}
