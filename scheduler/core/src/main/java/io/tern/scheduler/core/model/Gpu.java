package io.tern.scheduler.core.model;

import java.util.Objects;

/**
 * One GPU of a node with its latest NVML telemetry.
 *
 * @param index the device index on its node (what {@code CUDA_VISIBLE_DEVICES} names)
 * @param uuid the NVML UUID
 * @param model the model name, e.g. {@code H100}
 * @param memoryTotalMiB total device memory
 * @param memoryUsedMiB memory in use right now, by anything (our jobs or strays)
 * @param utilizationPercent SM utilization 0..100
 * @param health NVML health
 */
public record Gpu(
    int index,
    String uuid,
    String model,
    long memoryTotalMiB,
    long memoryUsedMiB,
    int utilizationPercent,
    GpuHealth health) {

  public Gpu {
    Objects.requireNonNull(uuid, "uuid");
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(health, "health");
    if (index < 0) {
      throw new IllegalArgumentException("GPU index must be >= 0: " + index);
    }
    if (memoryTotalMiB < 0 || memoryUsedMiB < 0) {
      throw new IllegalArgumentException("GPU memory must be >= 0");
    }
    if (utilizationPercent < 0 || utilizationPercent > 100) {
      throw new IllegalArgumentException("utilization must be 0..100: " + utilizationPercent);
    }
  }

  /** A healthy, idle GPU with all of its memory free. */
  public static Gpu idle(int index, String uuid, String model, long memoryTotalMiB) {
    return new Gpu(index, uuid, model, memoryTotalMiB, 0, 0, GpuHealth.OK);
  }

  public long memoryFreeMiB() {
    return Math.max(0, memoryTotalMiB - memoryUsedMiB);
  }

  public Gpu withTelemetry(long memoryUsedMiB, int utilizationPercent) {
    return new Gpu(index, uuid, model, memoryTotalMiB, memoryUsedMiB, utilizationPercent, health);
  }

  public Gpu withHealth(GpuHealth health) {
    return new Gpu(index, uuid, model, memoryTotalMiB, memoryUsedMiB, utilizationPercent, health);
  }
}
