package io.tern.scheduler.server.loop;

/**
 * Rebuilds the term's off-peak calendar from its windows and re-arms the triggers that open and
 * close them (after a window changed). Loop thread only.
 */
@FunctionalInterface
interface OffPeakArming {
  void rearm(LeaderTerm term);
}
