package io.tern.agent.gpu;

import io.tern.api.v1.GpuHealth;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * Simulated GPUs whose load follows the jobs the agent placed on them: a GPU a job holds reports
 * 88-97% utilization, about 70% of its memory in use, warm temperatures and most of its board
 * power; an idle one reports 0%, a few MiB, and idle power. Values vary a little from reading to
 * reading, deterministically. Health is always OK. UUIDs are derived from the node id, so they are
 * stable across restarts and unique across nodes.
 *
 * <p>Not thread-safe for reads (one thread reads); {@link #assignmentsChanged} may come from any
 * thread.
 */
public final class SimulatedGpuProbe implements GpuProbe {
  private final GpuProbeSpec.Simulated spec;
  private final List<String> uuids;
  private volatile Set<Integer> busy = Set.of();
  private long readings;

  public SimulatedGpuProbe(GpuProbeSpec.Simulated spec, String nodeId) {
    this.spec = spec;
    List<String> ids = new ArrayList<>(spec.count());
    for (int i = 0; i < spec.count(); i++) {
      byte[] seed = (nodeId + "/gpu/" + i).getBytes(StandardCharsets.UTF_8);
      ids.add("GPU-" + UUID.nameUUIDFromBytes(seed));
    }
    this.uuids = List.copyOf(ids);
  }

  @Override
  public String driverVersion() {
    return "simulated";
  }

  @Override
  public List<GpuReading> read() {
    long tick = readings++;
    long totalMib = spec.memoryGib() * 1024L;
    List<GpuReading> out = new ArrayList<>(spec.count());
    for (int i = 0; i < spec.count(); i++) {
      boolean loaded = busy.contains(i);
      int wobble = (int) Math.floorMod(i * 7L + tick * 3L, 10L); // 0..9
      long usedMib = loaded ? totalMib * 7 / 10 + wobble * 64L : 3;
      out.add(
          new GpuReading(
              i,
              "Simulated " + spec.model(),
              spec.model(),
              uuids.get(i),
              totalMib,
              usedMib,
              loaded ? 88 + wobble : 0,
              loaded ? 66 + wobble / 2 : 33 + i % 3,
              loaded ? spec.boardPowerW() * (0.75 + wobble / 100.0) : spec.boardPowerW() * 0.1,
              List.of(),
              List.of(),
              0L,
              GpuHealth.GPU_HEALTH_OK,
              List.of()));
    }
    return out;
  }

  @Override
  public void assignmentsChanged(Set<Integer> busyIndices) {
    busy = Set.copyOf(busyIndices);
  }

  @Override
  public void close() {}
}
