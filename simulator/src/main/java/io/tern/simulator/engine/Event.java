package io.tern.simulator.engine;

/**
 * One scheduled event; {@link EventQueue} orders events by time, then type, then the order they
 * were scheduled in.
 *
 * @param time trace second at which it happens
 * @param type what happens
 * @param subject index of the job, node or pool it concerns
 * @param attempt the job attempt it concerns (stale events of older attempts are dropped)
 */
record Event(long time, EventType type, int subject, int attempt) {}
