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
  private ClusterSnapshot fullCluster;
  private QueueSnapshot fullQueue;
  private QueueSnapshot steadyQueue;

  @Setup(Level.Trial)
  public void setUp() {
    SyntheticCluster gen = new SyntheticCluster(1, 8);
    now = SyntheticCluster.EPOCH;
    BenchCluster state = new BenchCluster(gen.nodes(nodes, 8), gen.jobs(pending, now));
    policy = gen.policy();
    emptyCluster = state.clusterSnapshot();
    fullQueue = state.queueSnapshot();
    state.apply(engine.plan(emptyCluster, fullQueue, policy, now), now);
    int ended = state.finishRandom(state.runningCount() / 100, gen.random());
    for (int i = 0; i < ended; i++) {
      state.submit(gen.job(now));
    }
    fullCluster = state.clusterSnapshot();
    steadyQueue = state.queueSnapshot();
  }

  @Benchmark
  public Plan fillEmptyCluster() {
    return engine.plan(emptyCluster, fullQueue, policy, now);
  }

  @Benchmark
  public Plan steadyStateRound() {
    return engine.plan(fullCluster, steadyQueue, policy, now);
  }
}
