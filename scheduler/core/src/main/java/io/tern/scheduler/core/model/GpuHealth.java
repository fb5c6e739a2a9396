package io.tern.scheduler.core.model;

/** GPU health as reported by NVML. Only {@link #OK} GPUs receive placements. */
public enum GpuHealth {
  OK,
  /** An XID error was reported (driver or hardware fault). */
  XID_ERROR,
  /** Uncorrectable ECC errors were reported. */
  ECC_ERROR
}
