package io.tern.scheduler.server.loop;

import io.tern.scheduler.server.zk.Epoch;
import io.tern.scheduler.server.zk.ZkStateStore;
import io.tern.scheduler.server.zk.ZkWrite;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the leader's changes to ZooKeeper in order, grouping whatever has queued up into one
 * fenced multi (group commit): under load, hundreds of submits share one round trip. Up to {@link
 * #PIPELINE} multis are in flight at once; ZooKeeper applies them in the order sent.
 *
 * <p>Each {@link Unit} is atomic. Callbacks run on the scheduler loop's executor, in commit order.
 * Once a failure is known, every later unit fails too, until {@link #begin} starts a new term: the
 * loop steps down on the first failure and the next leader rebuilds from what did commit. A unit
 * already in flight beside the failed one is a multi of its own and may still commit; its callback
 * then reports the commit, as it happened.
 *
 * <p>The loop hands over units in lists (all it wrote in one turn), so that a burst of submits
 * costs one hand-off to this thread rather than one each.
 */
final class Committer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Committer.class);

  /** Writes that commit together or not at all, and what to do after. */
  record Unit(List<ZkWrite> writes, Runnable onCommitted, Consumer<Exception> onFailed) {
    int size() {
      int size = 0;
      for (ZkWrite write : writes) {
        size += write.size();
      }
      return size;
    }
  }

  /** Multis in flight at once. */
  static final int PIPELINE = 4;

  private final Semaphore inFlight = new Semaphore(PIPELINE);
  private final ZkStateStore store;
  private final Executor loop;

  /** Lists of units and {@link Begin}s, in the order the loop handed them over. */
  private final BlockingQueue<Object> queue = new LinkedBlockingQueue<>();

  /** Committer-thread only: units and terms taken from {@link #queue}, not yet committed. */
  private final ArrayDeque<Object> taken = new ArrayDeque<>();

  private final Thread thread;
  private volatile Epoch epoch;
  private volatile Exception failure;
  private volatile boolean closed;
  private volatile LoopEvents events = LoopEvents.NONE;

  Committer(ZkStateStore store, Executor loop) {
    this.store = store;
    this.loop = loop;
    this.thread = Thread.ofPlatform().name("tern-committer").daemon().unstarted(this::run);
    thread.start();
  }

  /** Hears how long each multi took; set before the first commit. */
  void observe(LoopEvents listener) {
    this.events = listener;
  }

  /** Starts a term: later units commit fenced by {@code newEpoch}. */
  void begin(Epoch newEpoch) {
    queue.add(new Begin(newEpoch));
  }

  /** Queues {@code units}, in order, after everything queued before. */
  void submit(List<Unit> units) {
    if (closed) {
      Exception e = new NotLeaderException("this replica is shutting down", Optional.empty());
      units.forEach(u -> u.onFailed().accept(e));
      return;
    }
    queue.add(units);
  }

  private record Begin(Epoch epoch) {}

  private void run() {
    List<Unit> batch = new ArrayList<>();
    while (!closed) {
      try {
        // A free pipeline slot first: while all are busy, units pile up into one bigger batch.
        inFlight.acquire();
        if (taken.isEmpty()) {
          take(queue.take());
        }
        for (Object more = queue.poll(); more != null; more = queue.poll()) {
          take(more);
        }
        if (taken.peekFirst() instanceof Begin begin) {
          taken.pollFirst();
          inFlight.release();
          epoch = begin.epoch();
          failure = null;
          continue;
        }
        // Group commit: the units taken, up to the batch size, stopping at a new term.
        int bytes = 0;
        while (taken.peekFirst() instanceof Unit next
            && (batch.isEmpty() || bytes + next.size() <= ZkStateStore.MAX_BATCH_BYTES)) {
          batch.add(next);
          taken.pollFirst();
          bytes += next.size();
        }
        commit(batch);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } finally {
        batch.clear();
      }
    }
  }

  private void take(Object item) {
    if (item instanceof List<?> units) {
      taken.addAll(units);
    } else {
      taken.add(item);
    }
  }

  private void commit(List<Unit> batch) {
    List<Unit> units = List.copyOf(batch);
    // Units behind a failed batch, or with no term, are never sent: not taken, and may be sent
    // again.
    Exception error = null;
    if (failure != null) {
      error =
          new NotLeaderException(
              "the term ended before the change was written (" + failure.getMessage() + ")",
              Optional.empty());
    } else if (epoch == null) {
      error = new NotLeaderException("no leader term", Optional.empty());
    }
    if (error != null) {
      inFlight.release();
      report(units, error);
      return;
    }
    List<ZkWrite> writes = new ArrayList<>();
    units.forEach(u -> writes.addAll(u.writes()));
    long sent = System.nanoTime();
    try {
      store.commitAsync(
          epoch,
          writes,
          e -> {
            events.zkCommitted(System.nanoTime() - sent, e == null);
            inFlight.release();
            if (e != null) {
              log.warn("commit of {} writes failed: {}", writes.size(), e.toString());
              failure = e;
            }
            report(units, e == null ? null : UnknownOutcomeException.unconfirmed(e));
          });
    } catch (Exception e) {
      inFlight.release();
      failure = e;
      report(units, UnknownOutcomeException.unconfirmed(e));
    }
  }

  /** Runs the units' callbacks on the loop; ZooKeeper's callbacks arrive in commit order. */
  private void report(List<Unit> units, Exception error) {
    loop.execute(
        () -> {
          for (Unit unit : units) {
            if (error == null) {
              unit.onCommitted().run();
            } else {
              unit.onFailed().accept(error);
            }
          }
        });
  }

  @Override
  public void close() {
    closed = true;
    thread.interrupt();
  }
}
