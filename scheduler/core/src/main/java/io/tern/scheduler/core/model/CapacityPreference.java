package io.tern.scheduler.core.model;

/** What kind of capacity a job accepts, as written in its spec ({@code capacity:}). */
public enum CapacityPreference {
  /** Spot or on-demand; spot preferred inside off-peak windows. */
  SPOT_OK,
  /** Spot capacity only, even if that means waiting. */
  SPOT_ONLY,
  /** On-demand capacity only. */
  ON_DEMAND
}
