package io.tern.scheduler.core.bench;

import io.tern.scheduler.core.PlacementEngine;
import io.tern.scheduler.core.model.ClusterSnapshot;
import io.tern.scheduler.core.model.QueueSnapshot;
import io.tern.scheduler.core.plan.Plan;
import io.tern.scheduler.core.policy.PolicySnapshot;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * JMH view of {@code PlacementEngine.plan}: filling an empty cluster from a full queue, and one
 * steady-state round on a full cluster. Compiled in every build, run only on demand, e.g. {@code
 * java -cp <test classpath> org.openjdk.jmh.Main PlanBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3)
@Measurement(iterations = 5)
@Fork(1)
public class PlanBenchmark {
  @Param({"10000"})
  public int nodes;

  @Param({"100000"})
  public int pending;

  private final PlacementEngine engine = new PlacementEngine();
  private PolicySnapshot policy;
  private Instant now;
  private ClusterSnapshot emptyCluster;
  private QueueSnapshot fullQueue;
  // Two consecutive steady states (1% of jobs ended and as many arrived between them), planned in
  // turn, so each round reuses what the engine derived from the other one's unchanged jobs and
  // allocations, as a live scheduler's rounds do, but never gets identical inputs twice.
  private final ClusterSnapshot[] clusters = new ClusterSnapshot[2];
  private final QueueSnapshot[] queues = new QueueSnapshot[2];
  private int turn;

  @Setup(Level.Trial)
  public void setUp() {
    SyntheticCluster gen = new SyntheticCluster(1, 8);
    now = SyntheticCluster.EPOCH;
    BenchCluster state = new BenchCluster(gen.nodes(nodes, 8), gen.jobs(pending, now));
    policy = gen.policy();
    emptyCluster = state.clusterSnapshot();
    fullQueue = state.queueSnapshot();
    state.apply(engine.plan(emptyCluster, fullQueue, policy, now), now);
    for (int k = 0; k < 2; k++) {
      int ended = state.finishRandom(state.runningCount() / 100, gen.random());
      for (int i = 0; i < ended; i++) {
        state.submit(gen.job(now));
      }
      clusters[k] = state.clusterSnapshot();
      queues[k] = state.queueSnapshot();
    }
  }

  /** The first plan of an engine: every table built from scratch, as when a leader starts. */
  @Benchmark
  public Plan fillEmptyCluster() {
    return new PlacementEngine().plan(emptyCluster, fullQueue, policy, now);
  }

  @Benchmark
  public Plan steadyStateRound() {
    turn ^= 1;
    return engine.plan(clusters[turn], queues[turn], policy, now);
  }
}
