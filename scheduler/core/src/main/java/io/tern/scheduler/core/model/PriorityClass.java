package io.tern.scheduler.core.model;

/** A job's priority class. Higher classes are considered first and may preempt lower ones. */
public enum PriorityClass {
  HIGH,
  NORMAL,
  LOW;

  /** True when this class outranks {@code other}, i.e. may preempt it. */
  public boolean outranks(PriorityClass other) {
    return ordinal() < other.ordinal();
  }
}
