package io.tern.agent.gpu;

import io.tern.api.v1.Gpu;
import io.tern.api.v1.GpuHealth;
import java.util.List;

/**
 * What a probe read from one GPU. A {@code null} number means the GPU or driver does not offer it
 * (NVML's {@code NOT_SUPPORTED}) or the query failed; {@link #problems()} says which failed and
 * why. A lost GPU has {@link GpuHealth#GPU_HEALTH_LOST} and little else.
 *
 * @param name the name the driver reports, e.g. {@code NVIDIA H100 80GB HBM3}
 * @param model the normalized model, e.g. {@code H100} ({@link GpuModels#normalize})
 * @param xids XID critical errors seen since the previous reading
 * @param uncorrectedEccErrors uncorrected ECC errors since the driver loaded
 */
public record GpuReading(
    int index,
    String name,
    String model,
    String uuid,
    Long memoryTotalMib,
    Long memoryUsedMib,
    Integer utilizationPercent,
    Integer temperatureC,
    Double powerW,
    List<GpuProcess> processes,
    List<Long> xids,
    Long uncorrectedEccErrors,
    GpuHealth health,
    List<String> problems) {

  public GpuReading {
    processes = List.copyOf(processes);
    xids = List.copyOf(xids);
    problems = List.copyOf(problems);
  }

  /** The reading as the scheduler sees it; what is not known is 0. */
  public Gpu toProto() {
    return Gpu.newBuilder()
        .setIndex(index)
        .setUuid(uuid == null ? "" : uuid)
        .setModel(model == null ? "" : model)
        .setMemoryTotalMib(memoryTotalMib == null ? 0 : memoryTotalMib)
        .setMemoryUsedMib(memoryUsedMib == null ? 0 : memoryUsedMib)
        .setUtilizationPercent(utilizationPercent == null ? 0 : utilizationPercent)
        .setTemperatureC(temperatureC == null ? 0 : temperatureC)
        .setPowerW(powerW == null ? 0 : powerW)
        .setHealth(health)
        .build();
  }

  /** A process using the GPU; {@code usedMib} is null where the driver cannot tell. */
  public record GpuProcess(long pid, Long usedMib) {}
}
