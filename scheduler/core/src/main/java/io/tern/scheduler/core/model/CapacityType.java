package io.tern.scheduler.core.model;

/** How a node is bought: spot (cheap, reclaimable with a short notice) or on-demand. */
public enum CapacityType {
  SPOT,
  ON_DEMAND;

  /** The lower-case name users see ({@code spot}, {@code on-demand}). */
  public String label() {
    return this == SPOT ? "spot" : "on-demand";
  }
}
