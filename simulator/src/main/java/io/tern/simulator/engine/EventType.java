package io.tern.simulator.engine;

/** Kinds of discrete events, in the order they are handled when they share a timestamp. */
enum EventType {
  /** A spot pool's capacity is about to go: two-minute notice. */
  SPOT_NOTICE,
  /** A spot pool's capacity is gone: its nodes and what still runs on them are lost. */
  SPOT_RECLAIM,
  /** A spot pool has capacity again: its nodes are launched. */
  SPOT_RETURN,
  /** A launched node (spot or on-demand) registers and takes work. */
  NODE_UP,
  /** A checkpoint-and-stop finished: the job returns to the queue with its progress. */
  ATTEMPT_STOPPED,
  /** An attempt ran its remaining work to the end. */
  ATTEMPT_FINISHED,
  /** A job is submitted. */
  ARRIVAL,
  /** An off-peak window opens or closes. */
  OFF_PEAK_CHANGE,
  /** A scheduling round: snapshot, {@code PlacementEngine.plan}, apply. */
  PLAN
}
