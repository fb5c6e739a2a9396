package io.tern.simulator.policy;

/**
 * Decides, slot by slot, where a single deadline-bound job runs (the Can't Be Late setting). An
 * implementation may keep state across the slots of one run and must be deterministic; a new run
 * gets a new instance from {@link SingleJobPolicies}.
 */
public interface SingleJobPolicy {
  /** Short stable name used in tables and JSON, e.g. {@code greedy}. */
  String name();

  /** The mode for this slot; {@code SPOT} is only honoured when {@code state.spotAvailable()}. */
  SlotMode decide(SlotState state);
}
