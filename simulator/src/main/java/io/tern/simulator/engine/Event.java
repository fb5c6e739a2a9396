package io.tern.simulator.engine;

/**
 * One scheduled event. Ordered by time, then type (see {@link EventType}), then insertion sequence,
 * which makes the replay deterministic.
 *
 * @param time trace second at which it happens
 * @param seq insertion sequence number (total tie-break)
 * @param type what happens
 * @param subject index of the job, node or pool it concerns
 * @param attempt the job attempt it concerns (stale events of older attempts are dropped)
 */
record Event(long time, long seq, EventType type, int subject, int attempt)
    implements Comparable<Event> {
  @Override
  public int compareTo(Event other) {
    int c = Long.compare(time, other.time);
    if (c != 0) {
      return c;
    }
    c = type.compareTo(other.type);
    return c != 0 ? c : Long.compare(seq, other.seq);
  }
}
