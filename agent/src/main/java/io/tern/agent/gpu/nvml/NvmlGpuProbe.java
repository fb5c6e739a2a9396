package io.tern.agent.gpu.nvml;

import io.tern.agent.gpu.GpuModels;
import io.tern.agent.gpu.GpuProbe;
import io.tern.agent.gpu.GpuReading;
import io.tern.api.v1.GpuHealth;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * GPUs as NVML sees them.
 *
 * <p>Health covers: GPUs NVML lost ({@code NVML_ERROR_GPU_IS_LOST} from any call), uncorrected
 * volatile ECC errors ({@code nvmlDeviceGetTotalEccErrors}; GPUs without ECC report none), and XID
 * critical errors delivered to an NVML event set while this probe is open ({@code
 * nvmlEventSetWait_v2}, polled without blocking on every read). It does not cover XIDs from before
 * the probe opened, retired or remapped memory pages, NVLink errors or thermal throttling.
 *
 * <p>Not thread-safe: one thread reads.
 */
public final class NvmlGpuProbe implements GpuProbe {
  private final Nvml nvml;
  private final String driverVersion;
  private final NvmlDevice[] devices; // null where the handle itself was lost
  private final String[] names;
  private final String[] uuids;
  private final XidEventSet xids; // null where events are not available at all
  private final AtomicBoolean closed = new AtomicBoolean();

  private NvmlGpuProbe(Nvml nvml, boolean watchXids) {
    this.nvml = nvml;
    this.driverVersion = nvml.driverVersion();
    int count = nvml.deviceCount();
    this.devices = new NvmlDevice[count];
    this.names = new String[count];
    this.uuids = new String[count];
    List<NvmlDevice> found = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      try {
        devices[i] = nvml.device(i);
        found.add(devices[i]);
      } catch (NvmlException e) {
        if (!e.gpuLost()) {
          throw e;
        }
      }
    }
    this.xids = watchXids ? openXidEvents(found) : null;
  }

  /**
   * Opens NVML from {@code library}, or from the default places when empty.
   *
   * @param watchXids register for XID events; a one-shot reader gains nothing from it
   * @throws NvmlException when NVML cannot be loaded or initialized
   */
  public static NvmlGpuProbe open(Optional<Path> library, boolean watchXids) {
    Nvml nvml = library.map(Nvml::open).orElseGet(Nvml::open);
    try {
      return new NvmlGpuProbe(nvml, watchXids);
    } catch (RuntimeException e) {
      nvml.close();
      throw e;
    }
  }

  private XidEventSet openXidEvents(List<NvmlDevice> found) {
    try {
      return nvml.xidEvents(found);
    } catch (NvmlException e) {
      if (e.notSupported() || e.error() == NvmlError.FUNCTION_NOT_FOUND) {
        return null;
      }
      throw e;
    }
  }

  @Override
  public String driverVersion() {
    return driverVersion;
  }

  /** GPU indices whose XIDs this probe cannot see. */
  public List<Integer> xidBlind() {
    if (xids == null) {
      return java.util.stream.IntStream.range(0, devices.length).boxed().toList();
    }
    return xids.unsupported();
  }

  @Override
  public List<GpuReading> read() {
    Map<Integer, List<Long>> xidsByGpu = new HashMap<>();
    if (xids != null) {
      for (XidEventSet.XidEvent event : xids.drain()) {
        xidsByGpu.computeIfAbsent(event.gpuIndex(), i -> new ArrayList<>()).add(event.xid());
      }
    }
    List<GpuReading> readings = new ArrayList<>(devices.length);
    for (int i = 0; i < devices.length; i++) {
      readings.add(read(i, xidsByGpu.getOrDefault(i, List.of())));
    }
    return readings;
  }

  private GpuReading read(int index, List<Long> xidsSeen) {
    NvmlDevice device = devices[index];
    if (device == null) {
      return new GpuReading(
          index,
          null,
          null,
          null,
          null,
          null,
          null,
          null,
          null,
          List.of(),
          xidsSeen,
          null,
          GpuHealth.GPU_HEALTH_LOST,
          List.of("nvmlDeviceGetHandleByIndex_v2: " + NvmlError.GPU_IS_LOST.nvmlName()));
    }
    Query query = new Query();
    if (names[index] == null) {
      names[index] = query.get(device::name);
    }
    if (uuids[index] == null) {
      uuids[index] = query.get(device::uuid);
    }
    NvmlDevice.Memory memory = query.get(device::memory);
    Integer utilization = query.get(device::utilizationPercent);
    Integer temperature = query.get(device::temperatureC);
    Double power = query.get(device::powerWatts);
    List<NvmlDevice.ComputeProcess> processes = query.get(device::computeProcesses);
    Long ecc = query.get(device::uncorrectedEccErrors);
    String name = names[index];
    return new GpuReading(
        index,
        name,
        name == null ? null : GpuModels.normalize(name),
        uuids[index],
        memory == null ? null : memory.totalMib(),
        memory == null ? null : memory.usedMib(),
        utilization,
        temperature,
        power,
        processes == null
            ? List.of()
            : processes.stream()
                .map(
                    p ->
                        new GpuReading.GpuProcess(
                            p.pid(), p.usedMib().isPresent() ? p.usedMib().getAsLong() : null))
                .toList(),
        xidsSeen,
        ecc,
        healthOf(query.lost, ecc, xidsSeen),
        query.problems);
  }

  private static GpuHealth healthOf(boolean lost, Long ecc, List<Long> xidsSeen) {
    if (lost) {
      return GpuHealth.GPU_HEALTH_LOST;
    }
    if (ecc != null && ecc > 0) {
      return GpuHealth.GPU_HEALTH_ECC_ERROR;
    }
    return xidsSeen.isEmpty() ? GpuHealth.GPU_HEALTH_OK : GpuHealth.GPU_HEALTH_XID_ERROR;
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      try {
        if (xids != null) {
          xids.close();
        }
      } finally {
        nvml.close();
      }
    }
  }

  /**
   * The queries of one GPU reading: a query the GPU does not support gives null; a lost GPU stops
   * the rest; any other failure gives null and a problem in words.
   */
  private static final class Query {
    boolean lost;
    final List<String> problems = new ArrayList<>();

    <T> T get(Supplier<T> call) {
      if (lost) {
        return null;
      }
      try {
        return call.get();
      } catch (NvmlException e) {
        if (e.gpuLost()) {
          lost = true;
          problems.add(e.getMessage());
        } else if (!e.notSupported()) {
          problems.add(e.getMessage());
        }
        return null;
      }
    }
  }
}
