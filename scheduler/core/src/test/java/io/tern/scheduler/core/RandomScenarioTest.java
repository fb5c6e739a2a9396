package io.tern.scheduler.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.tern.scheduler.core.bench.BenchCluster;
import io.tern.scheduler.core.bench.SyntheticCluster;
import io.tern.scheduler.core.model.CapacityType;
import io.tern.scheduler.core.model.ClusterSnapshot;
import io.tern.scheduler.core.model.Job;
import io.tern.scheduler.core.model.Node;
import io.tern.scheduler.core.model.NodeState;
import io.tern.scheduler.core.model.QueueSnapshot;
import io.tern.scheduler.core.plan.Plan;
import io.tern.scheduler.core.policy.Budget;
import io.tern.scheduler.core.policy.OffPeakStatus;
import io.tern.scheduler.core.policy.PolicySnapshot;
import io.tern.scheduler.core.policy.PoolOffer;
import io.tern.scheduler.core.policy.TeamPolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Seeded random clusters, queues and policies, planned round after round (placements start, victims
 * stop, jobs end and arrive), with every plan checked by the {@link InvariantChecker} and
 * re-planned to prove determinism.
 */
class RandomScenarioTest {
  private static final int TEAMS = 4;

  /** Random policy: quotas, budgets and an off-peak window that opens and closes. */
  private static PolicySnapshot policy(SplittableRandom r, Instant now) {
    List<TeamPolicy> teams = new ArrayList<>();
    for (int t = 0; t < TEAMS; t++) {
      int guaranteed = r.nextInt(3) == 0 ? 0 : 8 * r.nextInt(1, 6);
      int borrow = r.nextInt(3) == 0 ? TeamPolicy.UNLIMITED : 8 * r.nextInt(0, 10);
      Budget budget =
          switch (r.nextInt(6)) {
            case 0 -> new Budget(120, 100, 1000); // soft exceeded
            case 1 -> new Budget(2000, 100, 1000); // hard exceeded
            default -> Budget.UNLIMITED;
          };
      teams.add(new TeamPolicy("team-" + t, 1 + r.nextInt(3), guaranteed, borrow, budget));
    }
    OffPeakStatus offPeak =
        r.nextBoolean()
            ? OffPeakStatus.openUntil(now.plus(Duration.ofHours(2)))
            : OffPeakStatus.closedUntil(now.plus(Duration.ofHours(r.nextInt(1, 10))));
    List<PoolOffer> pools =
        List.of(
            new PoolOffer(
                "p4d.24xlarge/us-east-1a/spot",
                CapacityType.SPOT,
                "p4d.24xlarge",
                "us-east-1a",
                8,
                "A100",
                81_920,
                96,
                1_048_576,
                5.6,
                30),
            new PoolOffer(
                "p5.48xlarge/us-west-2a/on-demand",
                CapacityType.ON_DEMAND,
                "p5.48xlarge",
                "us-west-2a",
                8,
                "H100",
                81_920,
                96,
                1_048_576,
                32.0,
                20));
    return PolicySnapshot.of(offPeak, teams, pools);
  }

  /** Sprinkles the generator's jobs with the rarer spec features. */
  private static Job decorate(Job j, SplittableRandom r, Instant now) {
    Job.Builder b = j.toBuilder();
    int roll = r.nextInt(20);
    if (roll == 0) {
      b.deferrable(true);
    } else if (roll == 1) {
      b.deadline(now.plus(Duration.ofMinutes(r.nextInt(30, 900))));
    } else if (roll == 2) {
      b.maxCostUsd(1 + r.nextInt(200));
    } else if (roll == 3) {
      b.lastReclaimedPool("p4d.24xlarge/us-east-1a/spot").attempt(1 + r.nextInt(3));
    }
    return b.build();
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12})
  void invariantsHoldRoundAfterRound(long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    SyntheticCluster gen = new SyntheticCluster(seed, TEAMS);
    Instant now = SyntheticCluster.EPOCH;
    List<Job> jobs = new ArrayList<>();
    for (Job j : gen.jobs(150 + r.nextInt(250), now)) {
      jobs.add(decorate(j, r, now));
    }
    BenchCluster state = new BenchCluster(gen.nodes(20 + r.nextInt(40), 8), jobs);
    EngineConfig config =
        EngineConfig.builder()
            .candidatesPerJob(1 + r.nextInt(8))
            .reservations(r.nextInt(3))
            .agingStep(Duration.ofHours(r.nextInt(0, 3)))
            .build();
    PlacementEngine engine = new PlacementEngine(config);
    int placed = 0;
    for (int round = 0; round < 8; round++) {
      PolicySnapshot policy = policy(r, now);
      ClusterSnapshot cs = state.clusterSnapshot();
      QueueSnapshot qs = state.queueSnapshot();
      Plan plan = engine.plan(cs, qs, policy, now);

      assertThat(new InvariantChecker(cs, qs, policy, config, now).check(plan))
          .as("seed %d round %d", seed, round)
          .isEmpty();
      assertThat(engine.plan(cs, qs, policy, now)).as("same inputs, same plan").isEqualTo(plan);
      assertThat(new PlacementEngine(config).plan(cs, qs, policy, now))
          .as("an engine without the tables of earlier rounds plans the same")
          .isEqualTo(plan);

      placed += plan.placements().size();
      state.apply(plan, now);
      now = now.plus(Duration.ofMinutes(15));
      state.finishRandom(state.runningCount() / 5, r);
      for (int i = 0; i < 20; i++) {
        state.submit(decorate(gen.job(now), r, now));
      }
      changeNodes(state, gen, r, round);
    }
    assertThat(placed).as("scenarios do place work").isPositive();
  }

  /**
   * Some rounds keep the node list (the engine reuses its node table), others drain or restore a
   * node or add one in the middle of the id order (positions shift under the allocation rows).
   */
  private static void changeNodes(
      BenchCluster state, SyntheticCluster gen, SplittableRandom r, int round) {
    List<Node> nodes = state.nodes();
    switch (r.nextInt(4)) {
      case 0 -> {
        Node n = nodes.get(r.nextInt(nodes.size()));
        state.putNode(
            n.withState(n.state() == NodeState.READY ? NodeState.DRAINING : NodeState.READY));
      }
      case 1 -> {
        Node template = nodes.get(r.nextInt(nodes.size()));
        Node added = gen.nodes(1, 8).get(0);
        state.putNode(
            new Node(
                template.id() + "-" + round,
                added.capacityType(),
                added.pool(),
                added.pricePerHourUsd(),
                added.labels(),
                NodeState.READY,
                added.cpu(),
                added.memoryMiB(),
                added.gpus(),
                null));
      }
      default -> {}
    }
  }

  /**
   * The engine hands what it derived from one call to the next; calls from several threads at once
   * must still each get the plan a fresh engine makes.
   */
  @Test
  void oneEngineServesConcurrentCallsAsFreshEnginesWould() throws Exception {
    SplittableRandom r = new SplittableRandom(31);
    SyntheticCluster gen = new SyntheticCluster(31, TEAMS);
    Instant now = SyntheticCluster.EPOCH;
    BenchCluster state = new BenchCluster(gen.nodes(40, 8), gen.jobs(400, now));
    PolicySnapshot policy = policy(r, now);
    List<ClusterSnapshot> clusters = new ArrayList<>();
    List<QueueSnapshot> queues = new ArrayList<>();
    List<Plan> expected = new ArrayList<>();
    for (int k = 0; k < 6; k++) {
      ClusterSnapshot cs = state.clusterSnapshot();
      QueueSnapshot qs = state.queueSnapshot();
      Plan plan = new PlacementEngine().plan(cs, qs, policy, now);
      clusters.add(cs);
      queues.add(qs);
      expected.add(plan);
      state.apply(plan, now);
      state.finishRandom(state.runningCount() / 10, r);
      for (int i = 0; i < 30; i++) {
        state.submit(gen.job(now));
      }
      changeNodes(state, gen, r, k);
    }
    PlacementEngine shared = new PlacementEngine();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Integer>> checked = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int offset = t;
        Instant at = now;
        checked.add(
            pool.submit(
                () -> {
                  int n = 0;
                  for (int round = 0; round < 30; round++) {
                    int k = (round + offset) % clusters.size();
                    assertThat(shared.plan(clusters.get(k), queues.get(k), policy, at))
                        .as("state %d", k)
                        .isEqualTo(expected.get(k));
                    n++;
                  }
                  return n;
                }));
      }
      for (Future<Integer> f : checked) {
        assertThat(f.get(60, TimeUnit.SECONDS)).isEqualTo(30);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @ParameterizedTest
  @ValueSource(longs = {21, 22, 23})
  void planDoesNotDependOnTheOrderOfItsInputs(long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    SyntheticCluster gen = new SyntheticCluster(seed, TEAMS);
    Instant now = SyntheticCluster.EPOCH;
    BenchCluster state = new BenchCluster(gen.nodes(30, 8), gen.jobs(300, now));
    PlacementEngine engine = new PlacementEngine();
    PolicySnapshot policy = policy(r, now);
    state.apply(engine.plan(state.clusterSnapshot(), state.queueSnapshot(), policy, now), now);
    for (int i = 0; i < 50; i++) {
      state.submit(gen.job(now));
    }
    state.finishRandom(10, r);
    ClusterSnapshot cs = state.clusterSnapshot();
    QueueSnapshot qs = state.queueSnapshot();
    Plan expected = engine.plan(cs, qs, policy, now);

    Random shuffler = new Random(seed);
    List<io.tern.scheduler.core.model.Node> nodes = new ArrayList<>(cs.nodes());
    List<io.tern.scheduler.core.model.Allocation> allocations = new ArrayList<>(cs.allocations());
    List<Job> queued = new ArrayList<>(qs.jobs());
    Collections.shuffle(nodes, shuffler);
    Collections.shuffle(allocations, shuffler);
    Collections.shuffle(queued, shuffler);
    Plan shuffled =
        engine.plan(
            new ClusterSnapshot(nodes, allocations), new QueueSnapshot(queued), policy, now);
    assertThat(shuffled).isEqualTo(expected);
    assertThat(expected.placements().size() + expected.pending().size()).isEqualTo(queued.size());
  }
}
