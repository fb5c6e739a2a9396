package io.tern.simulator.engine;

import java.util.PriorityQueue;

/**
 * The future event list with the virtual clock: {@link #next()} advances {@link #now()} to the
 * popped event's time. Events come out by time, then type (see {@link EventType}), then in the
 * order they were scheduled, which makes the replay deterministic. Time never goes backwards;
 * scheduling in the past is a bug and throws. Not thread-safe (one simulation, one thread).
 *
 * <p>Events of the same time and type scheduled one after another (a spot pool's capacity returning
 * brings every node of the pool up at once) share one heap entry, a run, so a flood of them costs
 * one heap operation instead of one each.
 */
final class EventQueue {
  private final PriorityQueue<Run> heap = new PriorityQueue<>();
  // The run the last event went into: the next event joins it when it has the same time and type
  // (no other event was scheduled in between, so the run's events stay consecutive in order).
  private Run last;
  private long seq;
  private long now;
  private long processed;

  /** The current virtual time in trace seconds. */
  long now() {
    return now;
  }

  /** Events popped so far. */
  long processed() {
    return processed;
  }

  void schedule(long time, EventType type, int subject, int attempt) {
    if (time < now) {
      throw new IllegalStateException("event " + type + " at " + time + " is before now " + now);
    }
    Event e = new Event(time, type, subject, attempt);
    if (last != null && last.time == time && last.type == type && !last.isEmpty()) {
      last.add(e);
    } else {
      last = new Run(time, type, seq, e);
      heap.add(last);
    }
    seq++;
  }

  boolean isEmpty() {
    return heap.isEmpty();
  }

  /** The time of the next event, or {@code Long.MAX_VALUE}. */
  long peekTime() {
    Run r = heap.peek();
    return r == null ? Long.MAX_VALUE : r.time;
  }

  /** Pops the next event and moves the clock to it. */
  Event next() {
    Run r = heap.peek();
    if (r == null) {
      throw new IllegalStateException("no events left");
    }
    Event e = r.poll();
    if (r.isEmpty()) {
      heap.poll();
    }
    now = e.time();
    processed++;
    return e;
  }

  /**
   * Events of one time and type with consecutive sequence numbers, ordered among runs by (time,
   * type, first sequence number) — the same order the events would have one by one.
   */
  private static final class Run implements Comparable<Run> {
    final long time;
    final EventType type;
    final long firstSeq;
    private Event[] events;
    private int head;
    private int size;

    Run(long time, EventType type, long firstSeq, Event first) {
      this.time = time;
      this.type = type;
      this.firstSeq = firstSeq;
      this.events = new Event[] {first};
      this.size = 1;
    }

    void add(Event e) {
      if (head + size == events.length) {
        Event[] grown = new Event[Math.max(4, size * 2)];
        System.arraycopy(events, head, grown, 0, size);
        events = grown;
        head = 0;
      }
      events[head + size++] = e;
    }

    Event poll() {
      Event e = events[head];
      events[head++] = null;
      size--;
      return e;
    }

    boolean isEmpty() {
      return size == 0;
    }

    @Override
    public int compareTo(Run other) {
      int c = Long.compare(time, other.time);
      if (c != 0) {
        return c;
      }
      c = type.compareTo(other.type);
      return c != 0 ? c : Long.compare(firstSeq, other.firstSeq);
    }
  }
}
