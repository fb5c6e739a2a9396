package io.tern.scheduler.server.loop;

import com.google.protobuf.Timestamp;
import io.tern.api.v1.Attempt;
import io.tern.api.v1.CapacityPreference;
import io.tern.api.v1.CapacityType;
import io.tern.api.v1.CheckpointPolicy;
import io.tern.api.v1.Gpu;
import io.tern.api.v1.GpuHealth;
import io.tern.api.v1.GpuIndices;
import io.tern.api.v1.Job;
import io.tern.api.v1.JobSpec;
import io.tern.api.v1.JobState;
import io.tern.api.v1.Node;
import io.tern.api.v1.NodeState;
import io.tern.api.v1.Priority;
import io.tern.api.v1.Resources;
import io.tern.api.v1.SchedulerMessage;
import io.tern.scheduler.server.zk.Epoch;
import io.tern.scheduler.server.zk.StoredState;
import io.tern.scheduler.server.zk.StoredState.Versioned;
import io.tern.scheduler.server.zk.ZkPaths;
import io.tern.scheduler.server.zk.ZkWrite;
import io.tern.testing.FakeScheduledExecutor;
import io.tern.testing.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The loop's side for a helper under test, run by hand: a {@link LoopThread} on a {@link
 * FakeScheduledExecutor} and a {@link TestClock}, a term the test sets (null: not leading), and
 * {@link LoopWrites} that wait until the test commits (or fails) them, as ZooKeeper would answer.
 * The {@link StateWrites} and {@link JobCommands} are the real ones, on top of these.
 */
final class HandLoop implements LoopThread, LoopWrites {
  static final Instant T0 = Instant.parse("2026-05-04T06:00:00Z");

  final TestClock clock = new TestClock(T0);
  final FakeScheduledExecutor executor = new FakeScheduledExecutor(clock);
  final Watchers watchers = new Watchers(job -> job);
  final StateWrites writes = new StateWrites(this, this, ZkPaths.defaults(), watchers, clock);
  final JobCommands commands = new JobCommands(writes);

  /** What the helper under test asked of the loop and ZooKeeper. */
  final List<Write> uncommitted = new ArrayList<>();

  final List<ZkWrite> committed = new ArrayList<>();
  int plansRequested;
  final PlanTrigger plans = () -> plansRequested++;

  /** JobService's requests on this loop, with submit checks that see no nodes. */
  JobRequests jobRequests() {
    return new JobRequests(
        this, clock, writes, commands, watchers, plans, new SubmitChecks(clock, List::of));
  }

  LeaderTerm term;

  /** A write waiting for ZooKeeper's answer. */
  record Write(List<ZkWrite> writes, Runnable onCommitted, Consumer<Exception> onFailed) {}

  @Override
  public void execute(Runnable task) {
    executor.execute(task);
  }

  @Override
  public void schedule(Runnable task, Duration delay) {
    executor.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
  }

  @Override
  public LeaderTerm requireLeader() {
    if (term == null) {
      throw new NotLeaderException("not elected yet", Optional.of("other:50051"));
    }
    return term;
  }

  @Override
  public LeaderTerm term() {
    return term;
  }

  @Override
  public void write(List<ZkWrite> writes, Runnable onCommitted, Consumer<Exception> onFailed) {
    uncommitted.add(new Write(writes, onCommitted, onFailed));
  }

  /** Runs what is due on the loop now. */
  void runDue() {
    executor.runDue();
  }

  /**
   * Runs the loop, then commits every write made so far, in order, running what each commit lets
   * happen, until nothing is left to run or commit.
   */
  void settle() {
    executor.runDue();
    while (!uncommitted.isEmpty()) {
      List<Write> batch = new ArrayList<>(uncommitted);
      uncommitted.clear();
      for (Write w : batch) {
        committed.addAll(w.writes());
        w.onCommitted().run();
      }
      executor.runDue();
    }
  }

  /** Fails every write not committed yet with {@code e}. */
  void failWrites(Exception e) {
    List<Write> batch = new ArrayList<>(uncommitted);
    uncommitted.clear();
    batch.forEach(w -> w.onFailed().accept(e));
  }

  /** The paths of the committed writes, in order. */
  List<String> committedPaths() {
    return committed.stream().map(ZkWrite::path).toList();
  }

  // ---- fixtures ---------------------------------------------------------------------------

  /** Leads a term with these jobs and nodes (each at znode version 0), started now. */
  LeaderTerm lead(List<Job> jobs, List<Node> nodes) {
    Map<String, Versioned<Job>> storedJobs = new LinkedHashMap<>();
    jobs.forEach(j -> storedJobs.put(j.getId(), new Versioned<>(j, 0)));
    Map<String, Versioned<Node>> storedNodes = new LinkedHashMap<>();
    nodes.forEach(n -> storedNodes.put(n.getId(), new Versioned<>(n, 0)));
    term =
        new LeaderTerm(
            new Epoch(7, 0),
            new StoredState(
                "cluster-1",
                storedJobs,
                jobs.size() + 1,
                Set.of(),
                storedNodes,
                Map.of(),
                Map.of(),
                Optional.empty()),
            clock.instant());
    return term;
  }

  static JobSpec spec(String team, int gpus) {
    return JobSpec.newBuilder()
        .setName("train")
        .setTeam(team)
        .setPriority(Priority.PRIORITY_NORMAL)
        .setCapacity(CapacityPreference.CAPACITY_SPOT_OK)
        .addCommand("train")
        .setResources(Resources.newBuilder().setGpus(gpus).setNodes(1))
        .build();
  }

  /** {@link #spec} for a job that checkpoints on SIGUSR1 within {@code graceSeconds}. */
  static JobSpec checkpointable(String team, int gpus, int graceSeconds) {
    return spec(team, gpus).toBuilder()
        .setCheckpoint(
            CheckpointPolicy.newBuilder()
                .setSignal("SIGUSR1")
                .setGrace(com.google.protobuf.Duration.newBuilder().setSeconds(graceSeconds)))
        .build();
  }

  /** Leads a term where {@code job} is the only job and runs on node {@code n1}, connected. */
  Channel leadOnN1(Job job) {
    lead(List.of(job), List.of(node("n1", 8)));
    return connect("n1");
  }

  static Timestamp at(Instant t) {
    return CoreSnapshots.timestamp(t);
  }

  /** A job waiting to be placed, submitted at {@link #T0}. */
  static Job queued(String id, JobSpec spec) {
    return Job.newBuilder()
        .setId(id)
        .setSpec(spec)
        .setState(JobState.JOB_STATE_PENDING)
        .setSubmittedAt(at(T0))
        .setPendingReason("queued")
        .build();
  }

  /** A job whose attempt 1 is in {@code state} on {@code nodeId}'s GPUs {@code gpus}. */
  static Job placed(String id, JobSpec spec, JobState state, String nodeId, Integer... gpus) {
    return queued(id, spec).toBuilder()
        .setState(state)
        .setPendingReason("")
        .addAttempts(
            Attempt.newBuilder()
                .setNumber(1)
                .addNodeIds(nodeId)
                .addGpus(GpuIndices.newBuilder().addAllIndex(List.of(gpus)))
                .setCapacityType(CapacityType.CAPACITY_TYPE_ON_DEMAND)
                .setPlacedAt(at(T0))
                .setStartedAt(at(T0)))
        .build();
  }

  /** A ready on-demand node with {@code gpus} H100s of 80 GiB, free and idle. */
  static Node node(String id, int gpus) {
    Node.Builder node =
        Node.newBuilder()
            .setId(id)
            .setState(NodeState.NODE_STATE_READY)
            .setCapacityType(CapacityType.CAPACITY_TYPE_ON_DEMAND)
            .setPool("od")
            .setPricePerHourUsd(4.0)
            .setCpu(64)
            .setMemoryGib(512)
            .setLastHeartbeat(at(T0));
    for (int i = 0; i < gpus; i++) {
      node.addGpus(
          Gpu.newBuilder()
              .setIndex(i)
              .setModel("H100")
              .setMemoryTotalMib(80 * 1024)
              .setHealth(GpuHealth.GPU_HEALTH_OK));
    }
    return node.build();
  }

  /** An agent's stream as the loop sees it: what was sent, and whether it was closed. */
  static final class Channel implements AgentChannel {
    final List<SchedulerMessage> sent = new ArrayList<>();
    String closedBecause;

    @Override
    public void send(SchedulerMessage message) {
      if (closedBecause == null) {
        sent.add(message);
      }
    }

    @Override
    public void close(String reason, String leaderAddress) {
      closedBecause = reason;
    }

    List<SchedulerMessage.KindCase> kinds() {
      return sent.stream().map(SchedulerMessage::getKindCase).toList();
    }

    /** The sent messages of {@code kind}. */
    List<SchedulerMessage> of(SchedulerMessage.KindCase kind) {
      return sent.stream().filter(m -> m.getKindCase() == kind).toList();
    }
  }

  /** Connects {@code channel} as {@code nodeId}'s current stream in the term. */
  Channel connect(String nodeId) {
    Channel channel = new Channel();
    term.nodes.get(nodeId).channel = channel;
    return channel;
  }
}
