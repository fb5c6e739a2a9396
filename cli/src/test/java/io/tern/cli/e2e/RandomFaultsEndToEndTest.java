package io.tern.cli.e2e;

import static io.tern.cli.e2e.ExactlyOnceEndToEndTest.EVERY;
import static io.tern.cli.e2e.ExactlyOnceEndToEndTest.PACE;
import static io.tern.cli.e2e.ExactlyOnceEndToEndTest.PAUSED_LOSS;
import static org.awaitility.Awaitility.await;

import io.tern.cli.testing.FaultCluster;
import io.tern.cli.testing.StepLog;
import io.tern.cli.testing.TernProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded random faults against a cluster of real processes ({@link FaultCluster}): for 45 s, one
 * fault after another at random moments (an agent killed with -9 and restarted after a random
 * delay, an agent stopped with SIGSTOP for up to 14 s, ZooKeeper down for up to 20 s), while
 * step-logging jobs run on two two-GPU agents. Then every job must finish with the invariants of
 * {@link ExactlyOnceEndToEndTest#assertExactlyOnce}. The seed is printed; rerun one with {@code
 * -Dtern.faults.seed=N}.
 */
class RandomFaultsEndToEndTest {
  private static final Duration FAULTS_FOR = Duration.ofSeconds(45);
  private static final List<String> NODES = List.of("node-a", "node-b");

  @TempDir Path dir;

  @Test
  void noJobRunsTwiceAtOnceUnderRandomFaults() throws Exception {
    long seed = Long.getLong("tern.faults.seed", System.nanoTime());
    System.out.println(
        "random faults: seed " + seed + " (rerun with -Dtern.faults.seed=" + seed + ")");
    SplittableRandom random = new SplittableRandom(seed);
    List<String> faults = new ArrayList<>();
    try (FaultCluster cluster = new FaultCluster(dir)) {
      NODES.forEach(node -> cluster.startAgent(node, 2));
      Map<String, Integer> jobs = new LinkedHashMap<>();
      for (int i = 0; i < 4; i++) {
        int total = 50 + random.nextInt(70);
        jobs.put(cluster.submit("random-" + i, total, PACE, EVERY), total);
      }
      long end = System.nanoTime() + FAULTS_FOR.toNanos();
      while (System.nanoTime() < end) {
        // The pauses below are the faults' timing, chosen by the seed; nothing waits on them.
        Thread.sleep(2_000 + random.nextInt(6_000));
        String node = NODES.get(random.nextInt(NODES.size()));
        TernProcess agent = cluster.agent(node);
        switch (random.nextInt(3)) {
          case 0 -> {
            long downMs = random.nextInt(10_000);
            faults.add("kill -9 " + node + ", restarted after " + downMs + " ms");
            agent.killAlone();
            Thread.sleep(downMs);
            TernProcess restarted = cluster.startAgent(node, 2);
            await()
                .atMost(Duration.ofSeconds(60))
                .until(() -> restarted.output().contains("registered with"));
          }
          case 1 -> {
            long stoppedMs = 2_000 + random.nextInt(12_000);
            faults.add("SIGSTOP " + node + " for " + stoppedMs + " ms");
            agent.signal("STOP");
            Thread.sleep(stoppedMs);
            agent.signal("CONT");
          }
          default -> {
            long outageMs = 3_000 + random.nextInt(17_000);
            faults.add("ZooKeeper down for " + outageMs + " ms");
            cluster.stopZk();
            Thread.sleep(outageMs);
            cluster.startZk();
          }
        }
        if (random.nextInt(3) == 0) {
          int total = 40 + random.nextInt(60);
          jobs.put(cluster.submit("late-" + jobs.size(), total, PACE, EVERY), total);
        }
      }
      System.out.println("random faults (seed " + seed + "): " + faults);
      ExactlyOnceEndToEndTest.awaitSucceeded(
          cluster, Duration.ofSeconds(180), jobs.keySet().toArray(String[]::new));
      StepLog steps = cluster.steps();
      long overlap = 0;
      for (var job : jobs.entrySet()) {
        StepLog.Verdict v = steps.verdict(job.getKey(), job.getValue());
        System.out.println("random faults (seed " + seed + "): " + v);
        overlap += v.overlapMillis();
      }
      System.out.println("random faults (seed " + seed + "): total overlap " + overlap + " ms");
      for (var job : jobs.entrySet()) {
        // Even a job that finished while its agent was cut off past the lease runs once: the
        // rerun finds its success in the checkpoint store and runs nothing.
        ExactlyOnceEndToEndTest.assertExactlyOnce(
            cluster, steps, job.getKey(), job.getValue(), PAUSED_LOSS);
      }
    }
  }
}
