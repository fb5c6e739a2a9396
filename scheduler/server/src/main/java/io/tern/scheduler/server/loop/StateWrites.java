package io.tern.scheduler.server.loop;

import io.tern.api.v1.Job;
import io.tern.scheduler.server.zk.ZkPaths;
import io.tern.scheduler.server.zk.ZkWrite;
import java.time.Clock;
import java.util.List;
import java.util.function.Consumer;

/**
 * The writes the loop's helpers make: a job or node as it now is in memory, or any other change,
 * each queued to {@link LoopWrites} with what runs once it commits. Saving a job also keeps the
 * term's indexes and ledger current and tells its watchers once committed. Loop thread only.
 */
final class StateWrites {
  private final LoopThread loop;
  private final LoopWrites sink;
  private final ZkPaths paths;
  private final Watchers watchers;
  private final Clock clock;

  StateWrites(LoopThread loop, LoopWrites sink, ZkPaths paths, Watchers watchers, Clock clock) {
    this.loop = loop;
    this.sink = sink;
    this.paths = paths;
    this.watchers = watchers;
    this.clock = clock;
  }

  /** Where the state lives in ZooKeeper. */
  ZkPaths paths() {
    return paths;
  }

  /** Queues {@code writes}; runs {@code onCommitted} on the loop once ZooKeeper has them. */
  void write(List<ZkWrite> writes, Runnable onCommitted) {
    sink.write(writes, onCommitted, e -> {});
  }

  /** See {@link LoopWrites#write}. */
  void write(List<ZkWrite> writes, Runnable onCommitted, Consumer<Exception> onFailed) {
    sink.write(writes, onCommitted, onFailed);
  }

  /** Writes {@code entry}'s job as it now is in memory, then runs {@code onCommitted}. */
  void saveJob(JobEntry entry, Runnable onCommitted) {
    saveJob(entry, onCommitted, e -> {});
  }

  /**
   * Like {@link #saveJob(JobEntry, Runnable)}, running {@code onFailed} instead if the write never
   * commits in this term (a client waiting for it then hears that, rather than nothing).
   */
  void saveJob(JobEntry entry, Runnable onCommitted, Consumer<Exception> onFailed) {
    LeaderTerm term = loop.term();
    ZkWrite write =
        new ZkWrite.Update(paths.job(entry.id()), entry.job.toByteArray(), entry.version);
    entry.version++;
    term.reindex(entry);
    Job snapshot = entry.job;
    term.costs.observe(snapshot, term::node, clock.instant());
    write(
        List.of(write),
        () -> {
          watchers.changed(snapshot);
          onCommitted.run();
        },
        onFailed);
  }

  /** Writes {@code session}'s node as it now is in memory (creating it the first time). */
  void saveNode(NodeSession session) {
    String path = paths.node(session.id());
    byte[] data = session.node.toByteArray();
    ZkWrite write =
        session.version < 0
            ? new ZkWrite.Create(path, data)
            : new ZkWrite.Update(path, data, session.version);
    session.version++;
    write(List.of(write), () -> {});
  }
}
