package io.tern.scheduler.server.loop;

/**
 * The agents' heartbeats, which arrive off the loop: whoever reads nodes' GPUs or heartbeats first
 * moves the newest samples into the term. {@link AgentSessions} provides it. Loop thread only.
 */
@FunctionalInterface
interface Heartbeats {
  /** Moves the newest telemetry of every node into {@code term}. */
  void absorbTelemetry(LeaderTerm term);
}
