package io.tern.scheduler.core.model;

/** Whether a node takes new work. Only {@link #READY} nodes receive placements. */
public enum NodeState {
  READY,
  /** Finishing its jobs (for example after a spot notice); takes no new work. */
  DRAINING,
  /** Its agent stopped reporting; its jobs are presumed lost. */
  LOST,
  /** Taken out of scheduling by an operator. */
  CORDONED,
  /**
   * Takes no job for a short while after a fault of its own (its agent could not prepare an attempt
   * on its disk, or its checkpoint store failed while another node's worked).
   */
  RESTING,
  /**
   * Known to the cluster, but its agent is not connected to the leader now: after a failover or a
   * ZooKeeper outage, until it registers again.
   */
  UNREACHABLE
}
