package io.tern.agent.gpu;

import io.tern.api.v1.Gpu;
import java.util.List;
import java.util.Set;

/**
 * The GPUs of this node and their live state: NVML on a GPU host ({@link
 * io.tern.agent.gpu.nvml.NvmlGpuProbe}), or simulated ({@link SimulatedGpuProbe}) for local
 * clusters, the demo and tests. Make one with {@link GpuProbeSpec#open}.
 *
 * <p>Not thread-safe: one thread reads (the agent's loop). {@link #read()} reports a failing GPU in
 * its reading (health, problems) rather than throwing; it throws only when the probe as a whole
 * fails (for NVML: the library or driver went away).
 */
public interface GpuProbe extends AutoCloseable {
  /** The driver version, or {@code simulated}. */
  String driverVersion();

  /** Every GPU's current state, by index. */
  List<GpuReading> read();

  /** {@link #read()} as the scheduler's telemetry. */
  default List<Gpu> sample() {
    return read().stream().map(GpuReading::toProto).toList();
  }

  /**
   * Which GPU indices the node's jobs hold now. NVML sees real load by itself and ignores this;
   * simulated GPUs follow it (busy ones report high utilization and memory in use).
   */
  default void assignmentsChanged(Set<Integer> busyIndices) {}

  /** Releases the probe (NVML: shuts the session down). Once; later calls do nothing. */
  @Override
  void close();
}
