package io.tern.scheduler.core.bench;

import io.tern.scheduler.core.model.CapacityPreference;
import io.tern.scheduler.core.model.CapacityType;
import io.tern.scheduler.core.model.Checkpointing;
import io.tern.scheduler.core.model.Gpu;
import io.tern.scheduler.core.model.GpuHealth;
import io.tern.scheduler.core.model.Job;
import io.tern.scheduler.core.model.Node;
import io.tern.scheduler.core.model.NodeState;
import io.tern.scheduler.core.model.PriorityClass;
import io.tern.scheduler.core.model.Resources;
import io.tern.scheduler.core.policy.Budget;
import io.tern.scheduler.core.policy.OffPeakStatus;
import io.tern.scheduler.core.policy.PolicySnapshot;
import io.tern.scheduler.core.policy.TeamPolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * A seeded generator of plausible clusters and queues, shared by the benchmark and the randomized
 * tests: the same seed always gives the same nodes and jobs. Mixes spot and on-demand, two GPU
 * models across pools, a few draining or cordoned nodes and unhealthy GPUs; jobs mix priorities,
 * capacity preferences, sizes (1–8 GPUs and some gangs), models, memory needs and teams.
 */
public final class SyntheticCluster {
  public static final Instant EPOCH = Instant.parse("2026-01-05T00:00:00Z");
  private static final String[] ZONES = {"us-east-1a", "us-east-1b", "us-west-2a"};
  private static final long GPU_MEMORY_MIB = 81_920;

  private final SplittableRandom random;
  private final int teams;
  private final String[] teamNames;
  private int jobCounter;

  public SyntheticCluster(long seed, int teams) {
    this.random = new SplittableRandom(seed);
    this.teams = teams;
    this.teamNames = new String[teams];
    for (int t = 0; t < teams; t++) {
      teamNames[t] = "team-" + t;
    }
  }

  /** {@code count} nodes with {@code gpusPerNode} GPUs each, ids {@code n00000...}. */
  public List<Node> nodes(int count, int gpusPerNode) {
    List<Node> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      boolean spot = random.nextInt(10) < 7;
      boolean h100 = random.nextInt(10) < 4;
      String model = h100 ? "H100" : "A100";
      String instance = h100 ? "p5.48xlarge" : "p4d.24xlarge";
      String zone = ZONES[random.nextInt(ZONES.length)];
      double perGpu = (h100 ? 4.0 : 2.0) * (spot ? 0.35 : 1.0);
      List<Gpu> gpus = new ArrayList<>(gpusPerNode);
      for (int g = 0; g < gpusPerNode; g++) {
        GpuHealth health = random.nextInt(400) == 0 ? GpuHealth.XID_ERROR : GpuHealth.OK;
        gpus.add(
            new Gpu(
                g,
                String.format(Locale.ROOT, "GPU-%05d-%d", i, g),
                model,
                GPU_MEMORY_MIB,
                0,
                0,
                health));
      }
      int roll = random.nextInt(200);
      NodeState state =
          roll == 0 ? NodeState.DRAINING : roll == 1 ? NodeState.CORDONED : NodeState.READY;
      out.add(
          new Node(
              String.format(Locale.ROOT, "n%05d", i),
              spot ? CapacityType.SPOT : CapacityType.ON_DEMAND,
              instance + "/" + zone + (spot ? "/spot" : "/on-demand"),
              perGpu * gpusPerNode,
              new TreeMap<>(),
              state,
              12 * gpusPerNode,
              131_072L * gpusPerNode,
              gpus,
              null));
    }
    return out;
  }

  /** {@code count} new jobs submitted one second apart from {@code start}. */
  public List<Job> jobs(int count, Instant start) {
    List<Job> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      out.add(job(start.plusSeconds(i)));
    }
    return out;
  }

  /** One new job submitted at {@code submittedAt}. */
  public Job job(Instant submittedAt) {
    int id = jobCounter++;
    int sizeRoll = random.nextInt(100);
    int gpus;
    int nodes = 1;
    if (sizeRoll < 35) {
      gpus = 1;
    } else if (sizeRoll < 55) {
      gpus = 2;
    } else if (sizeRoll < 75) {
      gpus = 4;
    } else if (sizeRoll < 95) {
      gpus = 8;
    } else if (sizeRoll < 99) {
      gpus = 8;
      nodes = 2;
    } else {
      gpus = 8;
      nodes = 4;
    }
    int modelRoll = random.nextInt(100);
    List<String> models =
        modelRoll < 70 ? List.of() : modelRoll < 85 ? List.of("H100") : List.of("A100");
    int memRoll = random.nextInt(10);
    long gpuMemory = memRoll < 6 ? 0 : memRoll < 9 ? 40_960 : 70_000;
    int prioRoll = random.nextInt(10);
    PriorityClass priority =
        prioRoll == 0
            ? PriorityClass.HIGH
            : prioRoll < 7 ? PriorityClass.NORMAL : PriorityClass.LOW;
    int capRoll = random.nextInt(10);
    CapacityPreference capacity =
        capRoll < 7
            ? CapacityPreference.SPOT_OK
            : capRoll < 8 ? CapacityPreference.SPOT_ONLY : CapacityPreference.ON_DEMAND;
    boolean checkpointable = random.nextInt(10) < 6;
    return Job.builder(String.format(Locale.ROOT, "j%07d", id), teamNames[random.nextInt(teams)])
        .priority(priority)
        .capacity(capacity)
        .resources(Resources.of(gpus, nodes, gpuMemory, models, 8 * gpus, 65_536L * gpus))
        .checkpointing(
            checkpointable
                ? Checkpointing.every(Duration.ofMinutes(30), Duration.ofSeconds(90))
                : Checkpointing.NONE)
        .shareable(gpus == 1 && random.nextInt(20) == 0)
        .expectedDuration(Duration.ofMinutes(30 + random.nextInt(600)))
        .submittedAt(submittedAt)
        .build();
  }

  /** Policy with equal-weight teams, no quotas, no budgets, an open off-peak window. */
  public PolicySnapshot policy() {
    List<TeamPolicy> list = new ArrayList<>();
    for (int t = 0; t < teams; t++) {
      list.add(new TeamPolicy(teamNames[t], 1.0, 0, TeamPolicy.UNLIMITED, Budget.UNLIMITED));
    }
    return PolicySnapshot.of(
        OffPeakStatus.openUntil(EPOCH.plus(Duration.ofDays(365))), list, List.of());
  }

  public SplittableRandom random() {
    return random;
  }
}
