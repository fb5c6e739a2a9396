package io.tern.scheduler.server.offpeak;

import java.time.Instant;

/**
 * Hears off-peak windows open and close. Called on a Quartz thread (or the caller of {@link
 * OffPeakTriggers#arm}): implementations only enqueue an event for the scheduler loop and return.
 */
public interface OffPeakListener {
  /** Window {@code name} is open now and closes at {@code closesAt}. */
  void opened(String name, Instant closesAt);

  /** Window {@code name} has closed. */
  void closed(String name);
}
