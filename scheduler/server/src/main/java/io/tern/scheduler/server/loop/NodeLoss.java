package io.tern.scheduler.server.loop;

/**
 * Gives up a node whose instance is gone: marks it lost and requeues its jobs. {@link
 * AgentSessions} provides it. Loop thread only.
 */
@FunctionalInterface
interface NodeLoss {
  void markLost(LeaderTerm term, NodeSession session, String why);
}
