package io.tern.scheduler.server.loop;

import com.google.protobuf.Timestamp;
import io.grpc.Status;
import io.tern.api.v1.Ack;
import io.tern.api.v1.AgentMessage;
import io.tern.api.v1.CapacityType;
import io.tern.api.v1.CheckpointCommitFailed;
import io.tern.api.v1.CheckpointCommitted;
import io.tern.api.v1.JobState;
import io.tern.api.v1.JobStatus;
import io.tern.api.v1.Node;
import io.tern.api.v1.NodeState;
import io.tern.api.v1.Register;
import io.tern.api.v1.Registered;
import io.tern.api.v1.RestoreReport;
import io.tern.api.v1.RunningAttempt;
import io.tern.api.v1.SchedulerMessage;
import io.tern.api.v1.SpotNotice;
import io.tern.checkpoint.CheckpointStoreFullException;
import io.tern.checkpoint.StoreIdentity;
import io.tern.scheduler.core.state.Effect;
import io.tern.scheduler.core.state.JobEvent;
import io.tern.scheduler.core.state.Transition;
import io.tern.scheduler.server.zk.ZkWrite;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leader's side of the agent protocol (agent.proto): registration and reconciliation of what
 * agents run, telemetry as heartbeat, job status, spot notices, and node leases. Runs on the
 * scheduler loop thread only.
 */
public final class AgentSessions implements Heartbeats, NodeLoss {
  private static final Logger log = LoggerFactory.getLogger(AgentSessions.class);

  /**
   * A node's stream heard from more recently than this is live: a Register from another agent
   * process for the node is refused while it is.
   */
  static final Duration LIVE_STREAM = Duration.ofSeconds(2);

  /** How long a re-registered agent has to report attempts it no longer runs. */
  static final Duration REPORT_GRACE = Duration.ofSeconds(5);

  /** The most of an agent's words kept in a job's end reason. */
  static final int MAX_REASON_CHARS = 1024;

  /** How long nothing is placed on a node whose agent could not prepare an attempt on its disk. */
  static final Duration NODE_FAULT_PAUSE = Duration.ofSeconds(30);

  /**
   * How long a job whose start the checkpoint store failed waits before it is placed again (the
   * store fails every node alike, so no node is blamed), unless the store worked for another node
   * within {@link #STORE_WORKED_ELSEWHERE}.
   */
  static final Duration STORE_FAULT_PAUSE = Duration.ofSeconds(30);

  /**
   * A store fault on one node while another node's agent used the store this recently is that
   * node's (the wrong volume mounted there, say): the node rests as for a node fault, and the job
   * is placed elsewhere at once.
   */
  static final Duration STORE_WORKED_ELSEWHERE = Duration.ofMinutes(2);

  /** How an agent's store-fault message begins (the node's blame says it already). */
  private static final String STORE_FAILED = "the checkpoint store failed: ";

  /** The furthest ahead a spot notice's reclaim time is taken as it is. */
  static final Duration MAX_NOTICE_AHEAD = Duration.ofHours(1);

  private final LoopThread loop;
  private final Clock clock;
  private final SchedulerSettings settings;
  private final StateWrites writes;
  private final JobCommands commands;
  private final LogRelay logs;
  private final Fleet fleet;
  private final PlanTrigger plans;
  private final Supplier<LoopEvents> events;

  /** Nodes already warned about for registering without a price (loop-confined). */
  private final Set<String> warnedNoPrice = new HashSet<>();

  private volatile java.util.function.LongConsumer messageTimer = nanos -> {};

  /** A failing checkpoint commit's record is rewritten at most this often while nothing changes. */
  static final Duration COMMIT_FAILURE_REWRITE = Duration.ofSeconds(30);

  private volatile java.util.function.Consumer<String> commitFailures = error -> {};
  private final java.util.concurrent.ConcurrentHashMap<String, TelemetrySample> latestTelemetry =
      new java.util.concurrent.ConcurrentHashMap<>();

  /** The newest telemetry of a node, as received on its stream. */
  private record TelemetrySample(Instant at, List<io.tern.api.v1.Gpu> gpus, AgentChannel channel) {}

  /**
   * Moves the newest telemetry of every node into the term: its GPUs, its heartbeat, and the
   * ledger's utilization samples. Samples from a stream that is no longer the node's are dropped.
   */
  @Override
  public void absorbTelemetry(LeaderTerm term) {
    for (var it = latestTelemetry.entrySet().iterator(); it.hasNext(); ) {
      var entry = it.next();
      it.remove();
      NodeSession session = term.nodes.get(entry.getKey());
      TelemetrySample sample = entry.getValue();
      if (session == null || session.channel != sample.channel()) {
        continue;
      }
      session.gpus = sample.gpus();
      if (sample.at().isAfter(session.lastHeartbeat)) {
        session.lastHeartbeat = sample.at();
      }
      term.costs.telemetry(entry.getKey(), session.gpus, sample.at());
    }
  }

  /**
   * @param logs where LogData from agents goes
   * @param events what the loop reports, read at each use (metrics are attached after start)
   */
  AgentSessions(
      LoopThread loop,
      Clock clock,
      SchedulerSettings settings,
      StateWrites writes,
      JobCommands commands,
      LogRelay logs,
      Fleet fleet,
      PlanTrigger plans,
      Supplier<LoopEvents> events) {
    this.loop = loop;
    this.clock = clock;
    this.settings = settings;
    this.writes = writes;
    this.commands = commands;
    this.logs = logs;
    this.fleet = fleet;
    this.plans = plans;
    this.events = events;
  }

  /** An agent opened its stream with {@code register}. Call from any thread. */
  public void register(Register register, AgentChannel channel) {
    loop.execute(
        () -> {
          LeaderTerm term;
          try {
            term = loop.requireLeader();
          } catch (NotLeaderException e) {
            channel.close(e.getMessage(), e.leaderAddress().orElse(""));
            return;
          }
          onRegister(term, register, channel);
        });
  }

  /** A message on an agent's stream after its registration. Call from any thread. */
  public void message(String nodeId, AgentChannel channel, AgentMessage message) {
    long arrived = System.nanoTime();
    if (message.hasTelemetry()) {
      // The heartbeat: only the latest sample matters, so it goes into a mailbox the loop reads
      // when it needs it (plans, leases, `tern nodes`) instead of queueing behind a plan.
      latestTelemetry.put(
          nodeId,
          new TelemetrySample(clock.instant(), message.getTelemetry().getGpusList(), channel));
      // The lease counts from this arrival (absorbTelemetry keeps its time): acknowledge it at
      // once, so the agent's fence clock restarts. A channel is open only while it is its node's
      // current stream in the current term (replacing, losing the node and stepping down close
      // it), and a closed channel sends nothing: no other leader's lease is ever acknowledged.
      if (message.getSeq() > 0) {
        channel.send(ack(message.getSeq(), 0));
      }
      messageTimer.accept(System.nanoTime() - arrived);
      return;
    }
    loop.execute(
        () -> {
          if (handle(nodeId, channel, message) && message.getSeq() > 0) {
            // Acknowledged once what the message changed is in ZooKeeper (writes commit in
            // order): an agent forgets a final status only when no leader can lose it.
            long epoch = loop.term().epoch.value();
            writes.write(List.of(), () -> channel.send(ack(message.getSeq(), epoch)));
          }
          messageTimer.accept(System.nanoTime() - arrived);
        });
  }

  private static SchedulerMessage ack(long seq, long epoch) {
    return SchedulerMessage.newBuilder()
        .setEpoch(epoch)
        .setAck(Ack.newBuilder().setSeq(seq))
        .build();
  }

  /** Hears how long each agent message took from arrival to handled (queueing included). */
  public void onMessageHandled(java.util.function.LongConsumer timer) {
    this.messageTimer = timer;
  }

  /** Handles a message of the node's current stream; false for one from an older stream. */
  private boolean handle(String nodeId, AgentChannel channel, AgentMessage message) {
    LeaderTerm term = loop.term();
    NodeSession session = term == null ? null : term.nodes.get(nodeId);
    if (session == null || session.channel != channel) {
      return false; // a stream from an earlier term or connection
    }
    Instant now = clock.instant();
    session.lastHeartbeat = now;
    switch (message.getKindCase()) {
      case JOB_STATUS -> onJobStatus(term, session, message.getJobStatus(), now);
      case SPOT_NOTICE -> onSpotNotice(term, session, message.getSpotNotice(), now);
      case CHECKPOINT_COMMITTED ->
          onCheckpoint(term, session, message.getCheckpointCommitted(), now);
      case CHECKPOINT_COMMIT_FAILED ->
          onCheckpointFailed(term, session, message.getCheckpointCommitFailed(), now);
      case LOG_DATA -> logs.onLogData(term, nodeId, message.getLogData());
      default -> log.debug("ignoring {} from {}", message.getKindCase(), nodeId);
    }
    return true;
  }

  /** The agent's stream ended. Its lease keeps running: jobs move only when it expires. */
  public void disconnected(String nodeId, AgentChannel channel) {
    loop.execute(
        () -> {
          LeaderTerm term = loop.term();
          NodeSession session = term == null ? null : term.nodes.get(nodeId);
          if (session != null && session.channel == channel) {
            session.channel = null;
          }
        });
  }

  private void onRegister(LeaderTerm term, Register register, AgentChannel channel) {
    Instant now = clock.instant();
    NodeSession session = term.nodes.get(register.getNodeId());
    if (session != null && session.channel != null && session.channel != channel) {
      Duration heard = Duration.between(lastHeard(session), now);
      String instance = register.getAgentInstance();
      if (heard.compareTo(LIVE_STREAM) < 0
          && !instance.isEmpty()
          && !instance.equals(session.agentInstance)) {
        // Two agents with the same node id: letting the newest win makes them replace each other
        // every few seconds, and each replacement reconciles the node's jobs against the other
        // agent's. The one that holds the node keeps it.
        String why =
            "node "
                + register.getNodeId()
                + " is held by another agent (instance "
                + (session.agentInstance.isEmpty() ? "unknown" : session.agentInstance)
                + ", heard "
                + Math.max(0, heard.toMillis())
                + " ms ago): two agents with the same --node-id? This one (instance "
                + instance
                + ") is refused until that one goes away";
        log.warn("agent stream refused: {}", why);
        channel.refuse(Status.ALREADY_EXISTS.withDescription(why));
        return;
      }
    }
    NodeState state = NodeState.NODE_STATE_READY;
    boolean drained = session != null && session.node.getDrained();
    // A reclaim notice stands until its time: an agent that registers before it (restarted, or
    // reconnecting) finds its node draining still; one that registers after it finds its node
    // back (the instance was stopped and started, or the cloud did not take it), notice over,
    // unless the agent says it has seen the notice (below): then the cloud has yet to take it.
    Timestamp noticed = null;
    SpotNotice standing =
        register.hasSpotNotice()
                && register.getSpotNotice().getKind() == SpotNotice.Kind.KIND_INSTANCE_ACTION
            ? register.getSpotNotice()
            : null;
    if (standing != null) {
      // Its agent has seen a reclaim notice: the node is going, whatever its time says (the cloud
      // takes a while) and whoever heard of it. The notice's own time, which may have passed.
      Instant at =
          standing.hasActionAt()
              ? CoreSnapshots.instant(standing.getActionAt())
              : now.plus(Duration.ofMinutes(2));
      if (at.isAfter(now.plus(MAX_NOTICE_AHEAD))) {
        at = now.plus(MAX_NOTICE_AHEAD);
      }
      noticed = CoreSnapshots.timestamp(at);
      log.info(
          "node {} registers under a spot reclaim notice for {}: draining",
          register.getNodeId(),
          at);
    } else if (session != null && session.node.hasReclaimAt()) {
      Instant reclaimAt = CoreSnapshots.instant(session.node.getReclaimAt());
      if (now.isBefore(reclaimAt)) {
        noticed = session.node.getReclaimAt();
      } else {
        log.info(
            "node {} registers after its spot reclaim at {}, its agent seeing no notice: the"
                + " instance is back, the notice over",
            register.getNodeId(),
            reclaimAt);
      }
    }
    if (drained || noticed != null) {
      // An operator's drain lasts until undrained.
      state = NodeState.NODE_STATE_DRAINING;
    }
    Node node =
        Node.newBuilder()
            .setId(register.getNodeId())
            .setCapacityType(register.getCapacityType())
            .setPool(register.getPool())
            .setPricePerHourUsd(register.getPricePerHourUsd())
            .setState(state)
            .setDrained(drained)
            .addAllGpus(register.getGpusList())
            .setCpu(register.getCpu())
            .setMemoryGib(register.getMemoryGib())
            .putAllLabels(register.getLabelsMap())
            .setLastHeartbeat(CoreSnapshots.timestamp(now))
            .build();
    if (noticed != null) {
      node = node.toBuilder().setReclaimAt(noticed).build();
    }
    if (session != null) {
      node = session.withRestFrom(node, now);
    }
    // A spot node that becomes ready brings its pool's capacity back: the settle before a job
    // returns to spot is timed from here. One that was ready already (an agent reconnecting, or
    // re-registering with a new leader that loaded it as ready) does not, nor one whose reclaim
    // notice stands.
    if (state == NodeState.NODE_STATE_READY
        && register.getCapacityType() == CapacityType.CAPACITY_TYPE_SPOT
        && !node.hasReclaimAt()
        && (session == null || session.state() != NodeState.NODE_STATE_READY)) {
      term.spotPools.returned(register.getPool(), now);
    }
    if (session == null) {
      session = new NodeSession(node, -1, now);
      term.nodes.put(node.getId(), session);
    } else {
      if (session.channel != null && session.channel != channel) {
        Duration heard = Duration.between(lastHeard(session), now);
        if (heard.compareTo(LIVE_STREAM) < 0) {
          // The same agent process (or one too old to say which it is) on a new stream.
          log.warn(
              "node {}: a new connection while the last one was heard {} ms ago (agent instance"
                  + " {}): the newest connection wins",
              node.getId(),
              heard.toMillis(),
              register.getAgentInstance().isEmpty() ? "not given" : register.getAgentInstance());
        }
        session.channel.close("replaced by a newer connection from the same node", "");
      }
      session.node = node;
      session.gpus = node.getGpusList();
      session.lastHeartbeat = now;
    }
    session.channel = channel;
    session.agentInstance = register.getAgentInstance();
    session.shuttingDown = false;
    session.spotNotice = standing;
    writes.saveNode(session);
    requeueWithoutGpus(term, session, now);
    recordReportedStore(term, register, node.getId());
    checkReportedStore(term, register, session, now);
    Registered.Builder registered =
        Registered.newBuilder()
            .setEpoch(term.epoch.value())
            .setTelemetryIntervalMs((int) telemetryInterval().toMillis())
            .setNodeLeaseMs(settings.nodeLease().toMillis());
    term.checkpointStore.ifPresent(
        s ->
            registered
                .setCheckpointStoreId(s.id())
                .setCheckpointStoreCreated(CoreSnapshots.timestamp(s.created())));
    channel.send(term.command().setRegistered(registered).build());
    reconcile(term, session, register.getRunningList(), now);
    fleet.onRegistered(node.getId());
    log.info("node {} registered ({} GPUs, {})", node.getId(), node.getGpusCount(), node.getPool());
    if (node.getPricePerHourUsd() == 0
        && node.getGpusCount() > 0
        && warnedNoPrice.add(node.getId())) {
      log.warn(
          "node {} has no price: its jobs cost $0 in the ledger, and budgets and cost caps do not"
              + " see them; start its agent with --price",
          node.getId());
    }
    plans.requestPlan();
  }

  /**
   * A cluster that records no checkpoint store (its schedulers were not given one) records the one
   * the first agent to report a marker names, and holds every agent to it from then on: an agent
   * restarted later with another store's volume mounted then waits for the right one instead of
   * taking it. The record is written with the term's other changes; should a scheduler given the
   * store have recorded one meanwhile, the write fails, the term ends, and the next leader reads
   * that record.
   */
  private void recordReportedStore(LeaderTerm term, Register register, String nodeId) {
    if (term.checkpointStore.isPresent() || register.getCheckpointStoreId().isEmpty()) {
      return;
    }
    StoreIdentity reported;
    try {
      reported =
          new StoreIdentity(
              register.getCheckpointStoreId(),
              CoreSnapshots.instant(register.getCheckpointStoreCreated()));
    } catch (IllegalArgumentException | DateTimeException e) {
      log.warn("node {} reported no valid checkpoint store: {}", nodeId, e.getMessage());
      return;
    }
    term.checkpointStore = Optional.of(reported);
    log.info(
        "this cluster records no checkpoint store: recording {}, the store node {}'s agent uses;"
            + " every agent is held to it from now on",
        reported,
        nodeId);
    writes.write(
        List.of(new ZkWrite.Create(writes.paths().checkpointStore(), reported.encode())),
        () -> log.info("checkpoint store {} recorded", reported.id()));
  }

  /**
   * A node whose agent reports another store than the cluster's (the wrong volume mounted there)
   * can start nothing (every start records the attempt in the store): it rests from now, as after a
   * fault of its own, the log and {@code tern nodes} say why, and its store faults are blamed on it
   * until its store works.
   */
  private void checkReportedStore(
      LeaderTerm term, Register register, NodeSession session, Instant now) {
    String reported = register.getCheckpointStoreId();
    session.storeMismatch = null;
    if (term.checkpointStore.isEmpty()
        || reported.isEmpty()
        || reported.equals(term.checkpointStore.get().id())) {
      return;
    }
    session.storeMismatch =
        "its checkpoint store holds store "
            + reported
            + ", not this cluster's store "
            + term.checkpointStore.get()
            + ": is the right volume mounted there?";
    session.rest(now.plus(NODE_FAULT_PAUSE), session.storeMismatch);
    writes.saveNode(session);
    log.warn(
        "node {}: {} Nothing is placed there for {} s",
        session.id(),
        session.storeMismatch,
        NODE_FAULT_PAUSE.toSeconds());
  }

  /**
   * When the leader last heard the node's current stream: its stored heartbeat, or telemetry that
   * arrived on that stream and waits to be absorbed.
   */
  private Instant lastHeard(NodeSession session) {
    TelemetrySample pending = latestTelemetry.get(session.id());
    if (pending != null
        && pending.channel() == session.channel
        && pending.at().isAfter(session.lastHeartbeat)) {
      return pending.at();
    }
    return session.lastHeartbeat;
  }

  /**
   * How often agents send heartbeats: the configured interval, but at least eight per lease, so
   * that an agent's fence clock (which restarts with each acknowledged heartbeat) never runs out
   * while its leader hears it.
   */
  private Duration telemetryInterval() {
    Duration eighth = settings.nodeLease().dividedBy(8);
    Duration configured = settings.telemetryInterval();
    return configured.compareTo(eighth) <= 0 ? configured : eighth;
  }

  /**
   * Attempts on a node that re-registered with fewer GPUs than they hold cannot be running as
   * placed: they resume elsewhere now (an allocation naming a GPU the node lacks would also make
   * every plan fail).
   */
  private void requeueWithoutGpus(LeaderTerm term, NodeSession session, Instant now) {
    int gpus = session.node.getGpusCount();
    for (JobEntry entry : term.jobsOn(session.id())) {
      var attempt = entry.currentAttempt().orElseThrow();
      int member = attempt.getNodeIdsList().indexOf(session.id());
      if (member >= 0
          && member < attempt.getGpusCount()
          && attempt.getGpus(member).getIndexList().stream().anyMatch(i -> i >= gpus)) {
        requeue(term, entry, now, "lost: node " + session.id() + " came back with fewer GPUs");
      }
    }
  }

  /**
   * Makes what the agent runs agree with what the leader stored: attempts the leader knows are
   * adopted; others are stopped (a job never runs twice); attempts the agent no longer runs resume
   * elsewhere.
   */
  private void reconcile(
      LeaderTerm term, NodeSession session, List<RunningAttempt> running, Instant now) {
    Set<String> reported = new HashSet<>();
    for (RunningAttempt attempt : running) {
      JobEntry entry = term.jobs.get(attempt.getJobId());
      boolean known =
          entry != null
              && !term.foreign(attempt.getClusterId())
              && entry.holdsGpus()
              && entry.attemptNumber() == attempt.getAttempt()
              && entry.currentAttempt().orElseThrow().getNodeIdsList().contains(session.id());
      if (known) {
        reported.add(entry.id());
        started(term, entry, attempt.hasRestore() ? attempt.getRestore() : null, now);
        if (term.cancelling.contains(entry.id()) || term.finishedEarlier.contains(entry.id())) {
          // Told to stop under an earlier leader, perhaps never delivered: tell it again.
          session.channel.send(
              term.stopCommand(
                  attempt.getJobId(),
                  attempt.getAttempt(),
                  term.cancelling.contains(entry.id())
                      ? "cancelled"
                      : "an earlier attempt already finished the job"));
        } else if (entry.state() == JobState.JOB_STATE_CHECKPOINTING) {
          commands.checkpointAgain(term, entry, session, now);
        }
      } else {
        session.channel.send(
            term.stopCommand(
                attempt.getJobId(), attempt.getAttempt(), "the leader does not know this attempt"));
      }
    }
    // An attempt the agent does not list may just have ended while it was away, or (one still
    // STARTING) be starting from a StartJob it got just before the stream broke: its status follows
    // the registration. Only what is still unaccounted for after a grace is lost; a StartJob lost
    // with the old stream would otherwise leave its job STARTING for ever.
    Map<String, JobState> missing = new HashMap<>();
    for (JobEntry entry : term.jobsOn(session.id())) {
      if (!reported.contains(entry.id())) {
        missing.put(entry.id() + "#" + entry.attemptNumber(), entry.state());
      }
    }
    if (!missing.isEmpty()) {
      String nodeId = session.id();
      loop.schedule(() -> requeueMissing(term, nodeId, missing), REPORT_GRACE);
    }
  }

  private void requeueMissing(LeaderTerm term, String nodeId, Map<String, JobState> missing) {
    if (loop.term() != term) {
      return;
    }
    Instant now = clock.instant();
    for (JobEntry entry : term.jobsOn(nodeId)) {
      JobState then = missing.get(entry.id() + "#" + entry.attemptNumber());
      if (then == JobState.JOB_STATE_STARTING && entry.state() == JobState.JOB_STATE_STARTING) {
        requeue(term, entry, now, "lost: its start never reached the agent (the stream broke)");
      } else if (then != null && then != JobState.JOB_STATE_STARTING) {
        requeue(term, entry, now, "lost: its agent came back without it");
      }
    }
  }

  /**
   * The checkpoint store failed an attempt's start. The store is usually the same for every node,
   * so the job waits {@link #STORE_FAULT_PAUSE} and no node is blamed; but when another node's
   * agent used the store within {@link #STORE_WORKED_ELSEWHERE}, the fault is this node's (the
   * wrong volume mounted there, say): it rests as for a node fault, and the job goes elsewhere now.
   */
  private void onStoreFault(
      LeaderTerm term,
      NodeSession session,
      JobEntry entry,
      JobStatus status,
      Instant at,
      Instant now) {
    String why = printable(status.getMessage(), MAX_REASON_CHARS);
    // A full store is full for every node (another may just have made room by pruning its own
    // job's checkpoints): no node is blamed for it.
    boolean full = CheckpointStoreFullException.saysFull(status.getMessage());
    NodeSession worked = full ? null : storeWorkedElsewhere(term, session, now);
    session.storeFailedAt = now;
    String reason;
    if (worked != null || (session.storeMismatch != null && !full)) {
      // Each fault of its own in a row doubles the node's rest, up to 16 times the first: a host
      // with the wrong volume mounted is tried less and less often until its store works.
      Duration rest = NODE_FAULT_PAUSE.multipliedBy(1L << Math.min(session.ownStoreFaults, 4));
      session.ownStoreFaults++;
      String evidence =
          worked != null
              ? "while node "
                  + worked.id()
                  + "'s worked "
                  + Duration.between(worked.storeWorkedAt, now).toSeconds()
                  + " s before"
              : "which its agent reported as another store";
      log.warn(
          "the checkpoint store failed the start of {} on node {}, {}: {}; placing it elsewhere,"
              + " and nothing on {} for {} s",
          entry.id(),
          session.id(),
          evidence,
          printable(status.getMessage(), 200),
          session.id(),
          rest.toSeconds());
      session.rest(now.plus(rest), why);
      writes.saveNode(session);
      String detail = why.startsWith(STORE_FAILED) ? why.substring(STORE_FAILED.length()) : why;
      reason =
          "not started: node "
              + session.id()
              + "'s checkpoint store failed, "
              + evidence
              + " ("
              + detail
              + "); no retry counted";
    } else {
      log.warn(
          "the checkpoint store failed the start of {} on node {}: {}; trying it again in {} s",
          entry.id(),
          session.id(),
          printable(status.getMessage(), 200),
          STORE_FAULT_PAUSE.toSeconds());
      entry.storeFaultUntil = now.plus(STORE_FAULT_PAUSE);
      entry.storeFault = why;
      reason = "not started: " + why + " (no retry counted)";
    }
    endAttempt(term, entry, new JobEvent.Refused(status.getAttempt()), at, reason, null);
  }

  /**
   * Another connected node whose agent reported the checkpoint store working within {@link
   * #STORE_WORKED_ELSEWHERE}, after {@code session}'s last report of it working and after its own
   * last report of it failing (a store gone for every node fails there too), or null.
   */
  private static NodeSession storeWorkedElsewhere(
      LeaderTerm term, NodeSession session, Instant now) {
    Instant since = now.minus(STORE_WORKED_ELSEWHERE);
    NodeSession latest = null;
    for (NodeSession other : term.nodes.values()) {
      if (other != session
          && other.connected()
          && other.storeWorkedAt.isAfter(since)
          && other.storeWorkedAt.isAfter(session.storeWorkedAt)
          && other.storeWorkedAt.isAfter(other.storeFailedAt)
          && (latest == null || other.storeWorkedAt.isAfter(latest.storeWorkedAt))) {
        latest = other;
      }
    }
    return latest;
  }

  private void onJobStatus(LeaderTerm term, NodeSession session, JobStatus status, Instant now) {
    if (term.foreign(status.getClusterId())) {
      // An attempt another cluster started on this node (its agent outlived that cluster's
      // ZooKeeper): job ids start again in every cluster, so it may share an id with one of ours.
      log.warn(
          "ignoring status {} for {} attempt {} from {}: started by another cluster ({})",
          status.getPhase(),
          status.getJobId(),
          status.getAttempt(),
          session.id(),
          status.getClusterId());
      return;
    }
    JobEntry entry = term.jobs.get(status.getJobId());
    if (entry == null) {
      return;
    }
    if (entry.attemptNumber() != status.getAttempt() || !entry.holdsGpus()) {
      if (ran(status) && runsOrRanOn(entry, status.getAttempt(), session.id())) {
        io.tern.api.v1.Job counted = JobChanges.ranUnreported(entry.job, status.getAttempt());
        if (counted != entry.job) {
          entry.job = counted;
          writes.saveJob(entry, () -> {});
        }
      }
      lateStatus(term, session, entry, status);
      return;
    }
    if (!runsOn(entry, session.id())) {
      log.warn(
          "ignoring status {} for {} attempt {} from {}: the attempt does not run there",
          status.getPhase(),
          entry.id(),
          status.getAttempt(),
          session.id());
      return;
    }
    int n = status.getAttempt();
    if (ran(status)) {
      entry.job = JobChanges.ranUnreported(entry.job, n);
    }
    Instant at = reportedAt(entry, status, now);
    if (status.hasRestore()
        && status.getPhase() != JobStatus.Phase.PHASE_STARTED
        && !entry.currentAttempt().orElseThrow().hasRestore()) {
      // Its STARTED status was lost (sent as a stream broke, a leader stepped down): the status
      // that ends the attempt repeats what it restored.
      entry.job = JobChanges.restored(entry.job, status.getRestore());
    }
    switch (status.getPhase()) {
      case PHASE_STARTED -> {
        session.nodeFaults = 0;
        if (entry.job.getSpec().hasCheckpoint()) {
          session.storeWorked(now); // its start began the attempt in the store
        }
        started(term, entry, status.hasRestore() ? status.getRestore() : null, now);
      }
      case PHASE_EXITED -> {
        int code = status.getExitCode();
        endAttempt(term, entry, new JobEvent.Exited(n, code), at, "exit " + code, code);
      }
      case PHASE_START_FAILED ->
          endAttempt(
              term,
              entry,
              new JobEvent.StartFailed(n),
              at,
              "start failed: " + printable(status.getMessage(), MAX_REASON_CHARS),
              null);
      case PHASE_NODE_FAULT -> {
        // Each in a row doubles the rest, up to 16 times the first, as for a store's faults: a
        // node whose disk stays full is tried less and less often.
        Duration rest = NODE_FAULT_PAUSE.multipliedBy(1L << Math.min(session.nodeFaults, 4));
        session.nodeFaults++;
        log.warn(
            "node {} could not prepare {}: {}; placing it elsewhere, and nothing here for {} s",
            session.id(),
            entry.id(),
            printable(status.getMessage(), 200),
            rest.toSeconds());
        session.rest(
            now.plus(rest),
            "its agent could not prepare a job (" + printable(status.getMessage(), 200) + ")");
        writes.saveNode(session);
        endAttempt(
            term,
            entry,
            new JobEvent.Refused(n),
            at,
            "not started: node "
                + session.id()
                + " could not prepare it ("
                + printable(status.getMessage(), MAX_REASON_CHARS)
                + "); no retry counted",
            null);
      }
      case PHASE_STORE_FAULT -> onStoreFault(term, session, entry, status, at, now);
      case PHASE_REFUSED -> {
        log.info("node {} is shutting down: it refused {}", session.id(), entry.id());
        session.shuttingDown = true;
        endAttempt(
            term,
            entry,
            new JobEvent.Refused(n),
            at,
            "refused by node " + session.id() + ": " + printable(status.getMessage(), 200),
            null);
      }
      case PHASE_CHECKPOINTED ->
          endAttempt(
              term,
              entry,
              new JobEvent.Checkpointed(n),
              at,
              (requeuedAfter(term, entry) ? "checkpointed and requeued" : "checkpointed")
                  + checkpointedFor(term, session, entry, status),
              null);
      case PHASE_STOPPED -> {
        boolean requeued = requeuedAfter(term, entry);
        // "Without a checkpoint" only when the attempt committed none: a job with no checkpoint
        // signal in its spec may still write one on SIGTERM, and then resumes from it.
        boolean checkpointed = entry.currentAttempt().orElseThrow().hasLastCheckpoint();
        String stopped =
            !requeued
                ? "stopped"
                : checkpointed
                    ? "stopped and requeued (it resumes from its last checkpoint)"
                    : "stopped without a checkpoint and requeued";
        endAttempt(
            term,
            entry,
            new JobEvent.Stopped(n),
            at,
            status.getMessage().isBlank()
                ? stopped
                : stopped + ": " + printable(status.getMessage(), MAX_REASON_CHARS),
            null);
      }
      case PHASE_SUCCEEDED_EARLIER -> succeededEarlier(term, entry, status, now);
      default -> log.debug("ignoring phase {} for {}", status.getPhase(), status.getJobId());
    }
  }

  /**
   * Whether a job goes back to the queue when its current attempt checkpoints or stops: not when it
   * was cancelled, nor when another attempt already finished it.
   */
  private static boolean requeuedAfter(LeaderTerm term, JobEntry entry) {
    var before = JobLifecycle.status(term, entry);
    return !before.cancelRequested() && !before.finishedEarlier();
  }

  /**
   * Why a checkpointed attempt was interrupted, after a colon: a spot reclaim of its node, a move
   * back to spot, else the reason the checkpoint was asked for as the agent reports it (e.g. {@code
   * requeued by alice: new data}, {@code node n1 drained}); empty when it gives none.
   */
  private static String checkpointedFor(
      LeaderTerm term, NodeSession session, JobEntry entry, JobStatus status) {
    if (session.node.hasReclaimAt()) {
      return ": spot reclaim";
    }
    if (term.returningToSpot.contains(entry.id())) {
      return ": " + CoreSnapshots.RETURNING_TO_SPOT;
    }
    return status.getMessage().isBlank()
        ? ""
        : ": " + printable(status.getMessage(), MAX_REASON_CHARS);
  }

  /**
   * When the agent says the attempt ended (its clock, taken when the job exited, and kept with the
   * status through an outage), within what the leader knows: not before the attempt started (or was
   * placed) nor after now. Run time, cost and the work lost are counted to it, not to when the
   * leader heard.
   */
  private static Instant reportedAt(JobEntry entry, JobStatus status, Instant now) {
    if (!status.hasAt()) {
      return now;
    }
    Instant at = CoreSnapshots.instant(status.getAt());
    var attempt = entry.currentAttempt();
    if (attempt.isPresent()) {
      var a = attempt.get();
      if (a.hasStartedAt() || a.hasPlacedAt()) {
        Instant began =
            CoreSnapshots.instant(a.hasStartedAt() ? a.getStartedAt() : a.getPlacedAt());
        if (at.isBefore(began)) {
          return began.isAfter(now) ? now : began;
        }
      }
    }
    return at.isAfter(now) ? now : at;
  }

  /**
   * A status of an attempt that is no longer running as far as the leader knows. One kind matters:
   * an attempt whose node was declared lost reports that its job exited 0 meanwhile (it finished
   * while its agent was cut off past the node lease, so nobody heard it). The record takes the late
   * exit, and the state machine finishes the job (stopping a rerun first). Anything else is stale:
   * a repeated status, or one of an attempt that ended for a known reason.
   */
  private void lateStatus(LeaderTerm term, NodeSession session, JobEntry entry, JobStatus status) {
    if (status.getPhase() != JobStatus.Phase.PHASE_EXITED || status.getExitCode() != 0) {
      return;
    }
    var earlier =
        entry.job.getAttemptsList().stream()
            .filter(a -> a.getNumber() == status.getAttempt())
            .findFirst();
    boolean lostThere =
        earlier.isPresent()
            && earlier.get().hasEndedAt()
            && !earlier.get().hasExitCode()
            && earlier.get().getNodeIdsList().contains(session.id());
    if (!lostThere) {
      return;
    }
    var rerun = entry.currentAttempt().orElseThrow();
    String endedAs = earlier.get().getEndReason();
    Transition t = JobLifecycle.on(term, entry, new JobEvent.Exited(status.getAttempt(), 0, true));
    if (t.ignored()) {
      return;
    }
    String why =
        printable(
            "exit 0, reported late by node "
                + session.id()
                + " (the job finished while its agent was cut off; the attempt had ended as "
                + endedAs
                + ")",
            MAX_REASON_CHARS);
    log.warn("{} attempt {}: {}", entry.id(), status.getAttempt(), why);
    entry.job = JobChanges.lateExit(entry.job, status.getAttempt(), 0, why);
    if (entry.finished()) {
      entry.job = entry.job.toBuilder().setPendingReason("").build();
    }
    writes.saveJob(
        entry,
        () -> {
          for (Effect effect : t.effects()) {
            if (effect instanceof Effect.SendStop stop) {
              commands.sendStop(term, stop.jobId(), rerun, stop.reason());
            }
          }
        });
  }

  /**
   * The agent did not start the current attempt because the checkpoint store records that an
   * earlier attempt exited 0 by itself: it finished while its node was cut off past the lease, and
   * the leader, not having heard, placed the job again. When the record shows that attempt lost (it
   * ended without an exit code), it takes the exit 0 and the job ends SUCCEEDED by it; otherwise
   * the start counts as failed.
   */
  private void succeededEarlier(LeaderTerm term, JobEntry entry, JobStatus status, Instant now) {
    int n = status.getAttempt();
    int earlier = status.getSucceededAttempt();
    var lost =
        entry.job.getAttemptsList().stream()
            .filter(a -> a.getNumber() == earlier && a.hasEndedAt() && !a.hasExitCode())
            .findFirst();
    String message = printable(status.getMessage(), MAX_REASON_CHARS);
    if (lost.isEmpty()
        || JobLifecycle.on(term, entry, new JobEvent.Exited(earlier, 0, true)).ignored()) {
      endAttempt(term, entry, new JobEvent.StartFailed(n), now, "start failed: " + message, null);
      return;
    }
    log.warn("{} attempt {}: not started, attempt {} finished the job", entry.id(), n, earlier);
    entry.job =
        JobChanges.lateExit(
            entry.job,
            earlier,
            0,
            printable(
                "exit 0, recorded in the checkpoint store (the job finished while its agent was"
                    + " cut off; the attempt had ended as "
                    + lost.get().getEndReason()
                    + ")",
                MAX_REASON_CHARS));
    endAttempt(term, entry, new JobEvent.Stopped(n), now, "not started: " + message, null);
  }

  /**
   * The current attempt runs: a STARTING job becomes RUNNING, and what the agent restored (if it
   * says) is recorded once.
   */
  private void started(LeaderTerm term, JobEntry entry, RestoreReport restore, Instant now) {
    boolean changed = false;
    if (!JobLifecycle.on(term, entry, new JobEvent.Started(entry.attemptNumber())).ignored()) {
      entry.job = JobChanges.started(entry.job, now);
      changed = true;
    }
    if (restore != null && !entry.currentAttempt().orElseThrow().hasRestore()) {
      entry.job = JobChanges.restored(entry.job, restore);
      events.get().restoreReported(restore.hasRestored(), restore.getFailedVerificationCount());
      changed = true;
    }
    if (changed) {
      writes.saveJob(entry, () -> {});
    }
  }

  /**
   * Feeds an event that may end the current attempt to the state machine and, if it did, records
   * the end and executes the transition's effects.
   */
  private void endAttempt(
      LeaderTerm term, JobEntry entry, JobEvent event, Instant now, String why, Integer exitCode) {
    var attempt = entry.currentAttempt().orElseThrow();
    boolean finishedEarlier = term.finishedEarlier.contains(entry.id());
    if (JobLifecycle.on(term, entry, event).ignored()) {
      return;
    }
    if (finishedEarlier) {
      why =
          why
              + "; attempt "
              + JobChanges.finishedEarlier(entry.job)
              + " had already finished the job (exit 0 reported late)";
    }
    entry.job = JobChanges.attemptEnded(entry.job, now, why, exitCode);
    if (attempt.getNodeIdsList().stream()
        .map(term.nodes::get)
        .anyMatch(n -> n != null && n.node.hasReclaimAt())) {
      entry.job = JobChanges.markReclaimed(entry.job);
    }
    term.returningToSpot.remove(entry.id());
    writes.saveJob(entry, () -> {});
    if (attempt.getNodeIdsCount() > 1) {
      // A gang ends as a whole: stop its other members.
      commands.sendStop(term, entry.id(), attempt, "another member of the gang ended: " + why);
    }
    plans.requestPlan();
  }

  private void onSpotNotice(LeaderTerm term, NodeSession session, SpotNotice notice, Instant now) {
    events
        .get()
        .spotNotice(
            notice.getKind() == SpotNotice.Kind.KIND_INSTANCE_ACTION
                ? "instance_action"
                : "rebalance");
    if (notice.getKind() != SpotNotice.Kind.KIND_INSTANCE_ACTION) {
      log.info("rebalance recommendation for {}", session.id());
      return;
    }
    Instant reclaimAt = reclaimAt(notice, now);
    // An agent sends a notice until a leader has stored it, so one may come again (its
    // acknowledgement lost in a failover): the same reclaim, counted once against its pool.
    Instant known =
        session.node.hasReclaimAt() ? CoreSnapshots.instant(session.node.getReclaimAt()) : null;
    boolean heard = notice.equals(session.spotNotice);
    session.spotNotice = notice;
    if (known != null && (heard || !known.isBefore(now))) {
      reclaimAt = known.isBefore(reclaimAt) ? known : reclaimAt;
      log.info("node {}: reclaim at {} already known", session.id(), reclaimAt);
    } else {
      log.warn("node {} will be reclaimed at {}: draining", session.id(), reclaimAt);
      term.spotPools.reclaimed(session.node.getPool(), now);
    }
    session.node =
        session.node.toBuilder()
            .setState(NodeState.NODE_STATE_DRAINING)
            .setReclaimAt(CoreSnapshots.timestamp(reclaimAt))
            .build();
    writes.saveNode(session);
    for (JobEntry entry : term.jobsOn(session.id())) {
      // Leave the agent time to commit the checkpoint before the node goes.
      commands.interrupt(
          term,
          entry.id(),
          entry.attemptNumber(),
          true,
          "spot reclaim of " + session.id(),
          now,
          reclaimAt.minus(io.tern.scheduler.spec.CheckpointDeadline.RECLAIM_MARGIN));
    }
    plans.requestPlan();
  }

  /**
   * Records a checkpoint of the current attempt, reported by a node it ran on. The report may come
   * after the attempt ended (the agent commits while the job exits), so a requeued job takes it; a
   * finished job stays as it ended.
   */
  private void onCheckpoint(
      LeaderTerm term, NodeSession session, CheckpointCommitted committed, Instant now) {
    events.get().checkpointCommitted(committed.getSaveMillis());
    session.storeWorked(now);
    JobEntry entry = term.jobs.get(committed.getJobId());
    if (entry != null
        && !entry.finished()
        && entry.attemptNumber() == committed.getCheckpoint().getAttempt()
        && runsOn(entry, session.id())) {
      entry.job = JobChanges.checkpointCommitted(entry.job, committed.getCheckpoint());
      writes.saveJob(entry, () -> {});
    }
  }

  /**
   * Records that the current attempt's checkpoints fail to commit, for `tern status` and `tern
   * explain`. The agent reports every failed try (backing off between them); the job is written
   * again only when something a user reads changes, or every {@link #COMMIT_FAILURE_REWRITE}.
   */
  private void onCheckpointFailed(
      LeaderTerm term, NodeSession session, CheckpointCommitFailed failed, Instant now) {
    commitFailures.accept(failed.getFenced() ? "fenced" : failureKind(failed.getError()));
    if (!failed.getFenced()) {
      session.storeFailedAt = now;
    }
    JobEntry entry = term.jobs.get(failed.getJobId());
    if (entry == null
        || entry.finished()
        || entry.attemptNumber() != failed.getAttempt()
        || !runsOn(entry, session.id())) {
      return;
    }
    var attempt = entry.currentAttempt().orElseThrow();
    var before = attempt.getCheckpointCommitFailure();
    String error =
        printable(
            failed.getFenced()
                ? "fenced: " + failed.getError()
                : failed.getError().isEmpty() ? "unknown error" : failed.getError(),
            MAX_REASON_CHARS);
    boolean news =
        !attempt.hasCheckpointCommitFailure()
            || !before.getError().equals(error)
            || CoreSnapshots.instant(before.getLastFailedAt())
                .plus(COMMIT_FAILURE_REWRITE)
                .isBefore(now);
    if (!news) {
      return;
    }
    var since =
        attempt.hasCheckpointCommitFailure()
            ? before.getSince()
            : failed.hasFailingSince() ? failed.getFailingSince() : CoreSnapshots.timestamp(now);
    entry.job =
        JobChanges.checkpointCommitFailed(
            entry.job,
            io.tern.api.v1.CheckpointCommitFailure.newBuilder()
                .setSince(since)
                .setLastFailedAt(CoreSnapshots.timestamp(now))
                .setError(error)
                .setCheckpoint(printable(failed.getCheckpoint(), MAX_REASON_CHARS))
                .setFailures(Math.max(1, failed.getFailures()))
                .build());
    writes.saveJob(entry, () -> {});
  }

  /** Hears of every failed checkpoint commit an agent reports, by kind ("full", "fenced", ...). */
  public void onCheckpointCommitFailed(java.util.function.Consumer<String> counter) {
    this.commitFailures = counter;
  }

  /** "full" for an error that says the store is out of space or quota, else "other". */
  static String failureKind(String error) {
    String e = error.toLowerCase(java.util.Locale.ROOT);
    return e.contains("full") || e.contains("no space") || e.contains("quota") ? "full" : "other";
  }

  /**
   * Marks nodes whose heartbeats stopped as lost and requeues their jobs; requeues attempts that
   * were placed but never reported started (a StartJob lost in a failover, say).
   */
  void expireLeases() {
    LeaderTerm term = loop.term();
    absorbTelemetry(term);
    Instant now = clock.instant();
    for (JobEntry entry : term.unfinishedJobs()) {
      if (entry.state() == JobState.JOB_STATE_STARTING) {
        // Counted from this term's start at the earliest: its agent may run it and not have told
        // this leader yet (it re-registers, listing it, within a lease).
        Instant placed = CoreSnapshots.instant(entry.currentAttempt().orElseThrow().getPlacedAt());
        if (placed.isBefore(term.startedAt)) {
          placed = term.startedAt;
        }
        if (placed.plus(settings.startTimeout()).isBefore(now)) {
          requeue(
              term,
              entry,
              now,
              "did not start within " + settings.startTimeout().toSeconds() + "s");
        }
      }
    }
    for (NodeSession session : new ArrayList<>(term.nodes.values())) {
      boolean expired = session.lastHeartbeat.plus(settings.nodeLease()).isBefore(now);
      if (!expired || session.state() == NodeState.NODE_STATE_LOST) {
        continue;
      }
      log.warn("node {} missed its lease: marking it lost", session.id());
      // Under a reclaim notice, silence is the reclaim itself: the jobs there are lost to it (their
      // checkpoints, if any, did not finish in time), and say so as a checkpointed one would.
      String why =
          session.node.hasReclaimAt()
              ? "spot reclaim of node " + session.id() + " (it stopped answering)"
              : "node " + session.id() + " stopped answering";
      lose(term, session, "lease expired", "lost: " + why);
    }
  }

  /**
   * {@code text} as it may be stored and shown: at most {@code max} characters (code points, so
   * that a cut never splits one), control characters (which could forge lines or terminal escapes
   * in `tern status`) replaced by spaces.
   */
  static String printable(String text, int max) {
    String cut =
        text.codePointCount(0, text.length()) <= max
            ? text
            : text.substring(0, text.offsetByCodePoints(0, max - 3)) + "...";
    StringBuilder out = new StringBuilder(cut.length());
    cut.codePoints().forEach(c -> out.appendCodePoint(Character.isISOControl(c) ? ' ' : c));
    return out.toString();
  }

  /**
   * When a notice says its node goes: a time in the past means now, and none is believed to be more
   * than an hour ahead (the jobs' checkpoint deadlines follow from it); two minutes from now when
   * it gives no time.
   */
  private static Instant reclaimAt(SpotNotice notice, Instant now) {
    return notice.hasActionAt()
        ? clamp(CoreSnapshots.instant(notice.getActionAt()), now, now.plus(MAX_NOTICE_AHEAD))
        : now.plus(Duration.ofMinutes(2));
  }

  private static Instant clamp(Instant at, Instant min, Instant max) {
    return at.isBefore(min) ? min : at.isAfter(max) ? max : at;
  }

  /** The current attempt of {@code entry} includes {@code nodeId}. */
  private static boolean runsOn(JobEntry entry, String nodeId) {
    return entry.currentAttempt().map(a -> a.getNodeIdsList().contains(nodeId)).orElse(false);
  }

  /** Whether attempt {@code number} of the job was placed on {@code nodeId}. */
  private static boolean runsOrRanOn(JobEntry entry, int number, String nodeId) {
    return entry.job.getAttemptsList().stream()
        .anyMatch(a -> a.getNumber() == number && a.getNodeIdsList().contains(nodeId));
  }

  /** A status that ends an attempt whose processes ran (not one that was never started). */
  private static boolean ran(JobStatus status) {
    return switch (status.getPhase()) {
      case PHASE_EXITED, PHASE_CHECKPOINTED, PHASE_STOPPED -> true;
      default -> false;
    };
  }

  /** Marks a node lost now (its instance is gone) and requeues its jobs. */
  @Override
  public void markLost(LeaderTerm term, NodeSession session, String why) {
    log.info("node {} is lost: {}", session.id(), why);
    lose(term, session, why, "lost: node " + session.id() + " " + why);
  }

  private void lose(LeaderTerm term, NodeSession session, String closeReason, String jobReason) {
    Instant now = clock.instant();
    // When it was last heard is kept with it: a later leader, which never heard it, shows that.
    session.node =
        session.node.toBuilder()
            .setState(NodeState.NODE_STATE_LOST)
            .setLastHeartbeat(CoreSnapshots.timestamp(session.lastHeartbeat))
            .build();
    if (session.channel != null) {
      session.channel.close(closeReason, "");
      session.channel = null;
    }
    writes.saveNode(session);
    for (JobEntry entry : term.jobsOn(session.id())) {
      requeue(term, entry, now, jobReason);
    }
  }

  private void requeue(LeaderTerm term, JobEntry entry, Instant now, String why) {
    endAttempt(term, entry, new JobEvent.Lost(entry.attemptNumber()), now, why, null);
  }

  void closeAll(String why, String leader) {
    LeaderTerm term = loop.term();
    if (term == null) {
      return;
    }
    for (NodeSession session : term.nodes.values()) {
      if (session.channel != null) {
        session.channel.close(why, leader);
        session.channel = null;
      }
    }
  }
}
