package io.tern.simulator.engine;

/** Kinds of discrete events, in the order they are handled when they share a timestamp. */
enum EventType {
  /**
   * An attempt ran its remaining work to the end. First: a job whose work ends as its spot capacity
   * gets its notice or goes has finished.
   */
  ATTEMPT_FINISHED,
  /** A spot pool's capacity is about to go: two-minute notice. */
  SPOT_NOTICE,
  /**
   * A checkpoint-and-stop finished: the job returns to the queue with its progress. Before a
   * reclaim of the same instant, so a save that ends as the capacity goes is kept.
   */
  ATTEMPT_STOPPED,
  /** A spot pool's capacity is gone: its nodes and what still runs on them are lost. */
  SPOT_RECLAIM,
  /** A spot pool has capacity again: its nodes are launched. */
  SPOT_RETURN,
  /** A launched node (spot or on-demand) registers and takes work. */
  NODE_UP,
  /** A job is submitted. */
  ARRIVAL,
  /** An off-peak window opens or closes. */
  OFF_PEAK_CHANGE,
  /** A scheduling round: snapshot, {@code PlacementEngine.plan}, apply. */
  PLAN
}
