package io.tern.scheduler.server.loop;

import io.tern.api.v1.Gpu;
import io.tern.api.v1.Node;
import io.tern.api.v1.NodeState;
import java.time.Instant;
import java.util.List;

/**
 * A node as the leader knows it: its registration, latest telemetry, and the agent stream if one is
 * open. Confined to the scheduler loop thread.
 */
final class NodeSession {
  Node node;
  int version;
  AgentChannel channel;

  /**
   * The agent process behind {@link #channel} (Register.agent_instance as it registered; empty from
   * older agents, and while no stream is open since this leader loaded the node).
   */
  String agentInstance = "";

  Instant lastHeartbeat;
  List<Gpu> gpus;

  /**
   * Its agent refused a start because it is shutting down: nothing more is placed here until an
   * agent registers again. In memory only (a new leader learns it from the next refusal).
   */
  boolean shuttingDown;

  /**
   * The spot reclaim notice (instance-action) its agent process has seen, from its Register or its
   * notice message; null when it has told of none. While set the node is going: it drains and is
   * not undrained. In memory only (every Register of that agent names it again).
   */
  io.tern.api.v1.SpotNotice spotNotice;

  /**
   * It rests after a fault of its own (its agent could not prepare an attempt on its own disk, its
   * checkpoint store failed while others' worked): nothing is placed here before this instant.
   * Stored with the node ({@code resting_until}), so a new leader keeps the rest.
   */
  Instant faultedUntil = Instant.MIN;

  /** Why, with {@link #faultedUntil}: the agent's words. Stored ({@code resting_reason}). */
  String faultReason = "";

  /**
   * When its agent last reported the checkpoint store working (a checkpoint committed, an attempt
   * of a checkpointing job started). In memory only.
   */
  Instant storeWorkedAt = Instant.MIN;

  /**
   * When its agent last reported the checkpoint store failing (a start refused as a store fault, a
   * commit that failed). In memory only.
   */
  Instant storeFailedAt = Instant.MIN;

  /** Store faults blamed on this node since its store last worked. In memory only. */
  int ownStoreFaults;

  /**
   * Starts its agent could not prepare (a full disk, say) since a job last started on it. In memory
   * only.
   */
  int nodeFaults;

  /**
   * Set when its agent registered naming another store than the cluster's: why, until its store
   * works. In memory only.
   */
  String storeMismatch;

  NodeSession(Node node, int version, Instant lastHeartbeat) {
    this.node = node;
    this.version = version;
    this.lastHeartbeat = lastHeartbeat;
    this.gpus = node.getGpusList();
    if (node.hasRestingUntil()) {
      faultedUntil = CoreSnapshots.instant(node.getRestingUntil());
      faultReason = node.getRestingReason();
    }
  }

  /**
   * Rests the node until {@code until} for {@code reason}, in memory and in {@link #node}: the
   * caller saves the node, so that a new leader keeps the rest.
   */
  void rest(Instant until, String reason) {
    faultedUntil = until;
    faultReason = reason;
    node = withRest(node);
  }

  /**
   * {@code registered} with this session's rest, if it has one that has not ended by {@code now}.
   */
  Node withRestFrom(Node registered, Instant now) {
    return now.isBefore(faultedUntil) ? withRest(registered) : registered;
  }

  private Node withRest(Node n) {
    return n.toBuilder()
        .setRestingUntil(CoreSnapshots.timestamp(faultedUntil))
        .setRestingReason(faultReason)
        .build();
  }

  /** Its agent reported the checkpoint store working at {@code now}. */
  void storeWorked(Instant now) {
    storeWorkedAt = now;
    ownStoreFaults = 0;
    storeMismatch = null;
  }

  String id() {
    return node.getId();
  }

  NodeState state() {
    return node.getState();
  }

  boolean connected() {
    return channel != null;
  }
}
