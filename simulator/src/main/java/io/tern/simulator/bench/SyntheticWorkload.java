package io.tern.simulator.bench;

import io.tern.scheduler.core.model.CapacityPreference;
import io.tern.scheduler.core.model.PriorityClass;
import io.tern.simulator.trace.TraceJob;
import io.tern.simulator.trace.TraceNode;
import io.tern.simulator.trace.Workload;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * A seeded synthetic workload sized to keep a cluster about 70% busy: jobs of 1/2/4/8 GPUs
 * (70/15/10/5 %), exponential durations with a 2 h mean (at least a minute), Poisson arrivals, 16
 * teams, a tenth with deadlines at 3× their duration, most checkpointing every 30 minutes.
 */
public final class SyntheticWorkload {
  private SyntheticWorkload() {}

  /** {@code jobs} jobs on {@code nodes} nodes of 8 V100s. */
  public static Workload generate(int jobs, int nodes, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    List<TraceNode> nodeList = new ArrayList<>(nodes);
    for (int i = 0; i < nodes; i++) {
      nodeList.add(new TraceNode(String.format(Locale.ROOT, "node-%05d", i), 8, "V100", 16));
    }
    double meanGpus = 0.70 * 1 + 0.15 * 2 + 0.10 * 4 + 0.05 * 8;
    double meanDuration = 7200;
    double arrivalsPerSecond = 0.7 * nodes * 8 / (meanGpus * meanDuration);
    List<TraceJob> jobList = new ArrayList<>(jobs);
    double t = 0;
    for (int i = 0; i < jobs; i++) {
      t += -Math.log(1 - random.nextDouble()) / arrivalsPerSecond;
      double u = random.nextDouble();
      int gpus = u < 0.70 ? 1 : u < 0.85 ? 2 : u < 0.95 ? 4 : 8;
      long duration = Math.max(60, Math.round(-Math.log(1 - random.nextDouble()) * meanDuration));
      long submit = (long) t;
      boolean deadline = random.nextDouble() < 0.1;
      double p = random.nextDouble();
      jobList.add(
          new TraceJob(
              String.format(Locale.ROOT, "job-%07d", i),
              submit,
              duration,
              gpus,
              1000,
              1,
              "team-" + random.nextInt(16),
              p < 0.1 ? PriorityClass.HIGH : p < 0.7 ? PriorityClass.NORMAL : PriorityClass.LOW,
              CapacityPreference.SPOT_OK,
              random.nextDouble() < 0.8 ? 1800 : 0,
              deadline ? submit + 3 * duration : TraceJob.NO_DEADLINE,
              List.of(),
              0));
    }
    return new Workload(
        "synthetic",
        jobList,
        nodeList,
        List.of(
            "synthetic workload: " + jobs + " jobs, " + nodes + " nodes x 8 V100, seed " + seed));
  }
}
