package io.tern.scheduler.server.loop;

import io.tern.scheduler.server.zk.ZkWrite;
import java.util.List;
import java.util.function.Consumer;

/**
 * Where the loop's writes go: {@link SchedulerLoop} batches them to the {@link Committer}; tests
 * keep them and commit them by hand. Called on the loop thread only.
 */
interface LoopWrites {
  /**
   * Queues {@code writes}; on the loop, runs {@code onCommitted} once ZooKeeper has them, or {@code
   * onFailed} if they never will (the term ends).
   */
  void write(List<ZkWrite> writes, Runnable onCommitted, Consumer<Exception> onFailed);
}
