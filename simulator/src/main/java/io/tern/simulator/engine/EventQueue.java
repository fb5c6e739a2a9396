package io.tern.simulator.engine;

import java.util.PriorityQueue;

/**
 * The future event list with the virtual clock: {@link #next()} advances {@link #now()} to the
 * popped event's time. Time never goes backwards; scheduling in the past is a bug and throws. Not
 * thread-safe (one simulation, one thread).
 */
final class EventQueue {
  private final PriorityQueue<Event> heap = new PriorityQueue<>();
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
    heap.add(new Event(time, seq++, type, subject, attempt));
  }

  boolean isEmpty() {
    return heap.isEmpty();
  }

  /** The time of the next event, or {@code Long.MAX_VALUE}. */
  long peekTime() {
    Event e = heap.peek();
    return e == null ? Long.MAX_VALUE : e.time();
  }

  /** Pops the next event and moves the clock to it. */
  Event next() {
    Event e = heap.poll();
    if (e == null) {
      throw new IllegalStateException("no events left");
    }
    now = e.time();
    processed++;
    return e;
  }
}
