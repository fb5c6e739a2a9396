package io.tern.simulator.policy;

/** What a single job does during one spot-trace slot. */
public enum SlotMode {
  /** Not running; costs nothing. */
  IDLE,
  /** Running on a spot instance (only where the slot has spot capacity). */
  SPOT,
  /** Running on an on-demand instance. */
  ON_DEMAND
}
