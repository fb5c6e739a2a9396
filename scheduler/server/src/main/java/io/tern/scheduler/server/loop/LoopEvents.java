package io.tern.scheduler.server.loop;

import java.time.Duration;

/**
 * What the scheduler loop reports as it works, for metrics. Every method has a no-op default; calls
 * come from the loop thread, the planning thread or ZooKeeper's callback thread, and must not
 * block.
 */
public interface LoopEvents {
  /** A plan was computed by the core in {@code nanos}. */
  default void planned(long nanos) {}

  /** A job was placed {@code waited} after it was queued (submitted, or its last attempt ended). */
  default void placed(Duration waited) {}

  /** A batch of ZooKeeper writes committed (or failed) {@code nanos} after it was sent. */
  default void zkCommitted(long nanos, boolean ok) {}

  /** An agent reported a spot notice: {@code instance_action} (a reclaim) or {@code rebalance}. */
  default void spotNotice(String kind) {}

  /** An agent committed a checkpoint that took the job {@code saveMillis} to write. */
  default void checkpointCommitted(long saveMillis) {}

  /**
   * An attempt started and reported its restore: {@code restored} (from a checkpoint) or {@code
   * fresh}, with {@code failedVerification} checkpoints passed over.
   */
  default void restoreReported(boolean restored, int failedVerification) {}

  /** A round of checkpoint retirement deleted the checkpoints of {@code jobs} finished jobs. */
  default void checkpointsRetired(int jobs, int checkpoints) {}

  /** A round of checkpoint retirement deleted {@code archives} unused shipped code archives. */
  default void codeArchivesDeleted(int archives) {}

  LoopEvents NONE = new LoopEvents() {};
}
