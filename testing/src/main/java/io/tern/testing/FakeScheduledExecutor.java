package io.tern.testing;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.Delayed;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A {@link ScheduledExecutorService} that runs nothing by itself: tasks wait until the test runs
 * them, on the test's thread, with {@link #runDue} (what is due now) or {@link #advance} (moves a
 * {@link TestClock} forward, running each task when the clock reaches its time). Delays count on
 * that clock, so code that schedules a timer and reads the clock sees one time. Modelled on
 * Aurora's {@code FakeScheduledExecutor}.
 *
 * <p>Tasks run in order of due time, then of submission. Other threads may submit tasks (a
 * committer's callbacks, say); {@link #awaitDue} waits for one. A task that throws is reported by
 * its future, as with a real executor, and the next tasks still run. After {@link #shutdown}, new
 * tasks are rejected, and the ones already queued still run when the test asks.
 */
public final class FakeScheduledExecutor extends AbstractExecutorService
    implements ScheduledExecutorService {
  private final TestClock clock;
  private final PriorityQueue<Task<?>> queue = new PriorityQueue<>();
  private long submitted;
  private boolean shutdown;

  public FakeScheduledExecutor(TestClock clock) {
    this.clock = clock;
  }

  /** The clock delays count on. */
  public TestClock clock() {
    return clock;
  }

  // ---- driving it --------------------------------------------------------------------------

  /**
   * Runs every task due at the clock's time, including the ones those tasks queue for now, in
   * order; returns how many ran.
   */
  public int runDue() {
    int ran = 0;
    Task<?> next;
    while ((next = pollDue(clock.instant())) != null) {
      next.runOnce();
      ran++;
    }
    return ran;
  }

  /**
   * Moves the clock forward by {@code by}, stopping at each task's due time to run what is due then
   * (so a task sees the clock at its own time); runs what is due at the end too.
   */
  public void advance(Duration by) {
    Instant end = clock.instant().plus(by);
    runDue();
    while (true) {
      Instant at = nextDueAt();
      if (at == null || at.isAfter(end)) {
        break;
      }
      if (at.isAfter(clock.instant())) {
        clock.set(at);
      }
      runDue();
    }
    clock.set(end);
    runDue();
  }

  /**
   * Waits (on the real clock, at most {@code timeout}) until a task is due now, e.g. one another
   * thread hands over; does not run it.
   *
   * @throws TimeoutException if none came
   */
  public synchronized void awaitDue(Duration timeout)
      throws InterruptedException, TimeoutException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!hasDue()) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new TimeoutException("no task became due within " + timeout);
      }
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
  }

  /** Whether a task is due at the clock's time. */
  public synchronized boolean hasDue() {
    Task<?> head = queue.peek();
    return head != null && !head.at.isAfter(clock.instant());
  }

  /** When the next task is due, or null when none is queued. */
  public synchronized Instant nextDueAt() {
    Task<?> head = queue.peek();
    return head == null ? null : head.at;
  }

  /** How many tasks are queued, due or not (periodic ones count once). */
  public synchronized int queued() {
    return queue.size();
  }

  /** The delays from now of every queued task, soonest first. */
  public synchronized List<Duration> delays() {
    List<Task<?>> tasks = new ArrayList<>(queue);
    tasks.sort(null);
    return tasks.stream().map(t -> Duration.between(clock.instant(), t.at)).toList();
  }

  private synchronized Task<?> pollDue(Instant now) {
    Task<?> head = queue.peek();
    if (head == null || head.at.isAfter(now)) {
      return null;
    }
    return queue.poll();
  }

  private synchronized <V> Task<V> enqueue(Task<V> task) {
    if (shutdown) {
      throw new RejectedExecutionException("the executor is shut down");
    }
    queue.add(task);
    notifyAll();
    return task;
  }

  private synchronized void requeue(Task<?> task) {
    queue.add(task);
    notifyAll();
  }

  private synchronized void cancelled(Task<?> task) {
    queue.remove(task);
  }

  // ---- ScheduledExecutorService -------------------------------------------------------------

  @Override
  public void execute(Runnable command) {
    schedule(command, 0, TimeUnit.NANOSECONDS);
  }

  @Override
  public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
    return enqueue(new Task<Void>(command, null, after(delay, unit), 0, false));
  }

  @Override
  public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
    return enqueue(new Task<>(callable, after(delay, unit)));
  }

  @Override
  public ScheduledFuture<?> scheduleAtFixedRate(
      Runnable command, long initialDelay, long period, TimeUnit unit) {
    return enqueue(
        new Task<Void>(command, null, after(initialDelay, unit), unit.toNanos(period), true));
  }

  @Override
  public ScheduledFuture<?> scheduleWithFixedDelay(
      Runnable command, long initialDelay, long delay, TimeUnit unit) {
    return enqueue(
        new Task<Void>(command, null, after(initialDelay, unit), unit.toNanos(delay), false));
  }

  private synchronized Instant after(long delay, TimeUnit unit) {
    return clock.instant().plusNanos(Math.max(0, unit.toNanos(delay)));
  }

  @Override
  public synchronized void shutdown() {
    shutdown = true;
  }

  /** Shuts down and drops every queued task without running it; returns none of them. */
  @Override
  public synchronized List<Runnable> shutdownNow() {
    shutdown = true;
    queue.clear();
    return List.of();
  }

  @Override
  public synchronized boolean isShutdown() {
    return shutdown;
  }

  @Override
  public synchronized boolean isTerminated() {
    return shutdown && queue.isEmpty();
  }

  /** Never waits: nothing runs unless the test runs it. */
  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) {
    return isTerminated();
  }

  /** A queued task; periodic ones go back in the queue after each run. */
  private final class Task<V> extends FutureTask<V> implements ScheduledFuture<V> {
    private final long sequence;
    private final long periodNanos;
    private final boolean fixedRate;
    private Instant at;

    Task(Runnable command, V result, Instant at, long periodNanos, boolean fixedRate) {
      super(command, result);
      this.at = at;
      this.periodNanos = periodNanos;
      this.fixedRate = fixedRate;
      this.sequence = nextSequence();
    }

    Task(Callable<V> callable, Instant at) {
      super(callable);
      this.at = at;
      this.periodNanos = 0;
      this.fixedRate = false;
      this.sequence = nextSequence();
    }

    void runOnce() {
      if (periodNanos == 0) {
        run();
      } else if (runAndReset()) {
        at = (fixedRate ? at : clock.instant()).plusNanos(periodNanos);
        requeue(this);
      }
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      boolean cancelled = super.cancel(mayInterruptIfRunning);
      if (cancelled) {
        cancelled(this);
      }
      return cancelled;
    }

    @Override
    public long getDelay(TimeUnit unit) {
      return unit.convert(Duration.between(clock.instant(), at));
    }

    @Override
    public int compareTo(Delayed other) {
      Task<?> o = (Task<?>) other;
      int c = at.compareTo(o.at);
      return c != 0 ? c : Long.compare(sequence, o.sequence);
    }
  }

  private synchronized long nextSequence() {
    return submitted++;
  }
}
