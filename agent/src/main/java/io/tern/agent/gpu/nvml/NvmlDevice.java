package io.tern.agent.gpu.nvml;

import com.sun.jna.Pointer;
import com.sun.jna.Structure;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.LongByReference;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * One GPU of an {@link Nvml} session. Each query is one NVML call and throws an {@link
 * NvmlException} on failure ({@link NvmlException#gpuLost()}, {@link NvmlException#notSupported()}
 * are the common ones). Thread-safe as NVML is; valid until the session closes.
 */
public final class NvmlDevice {
  private static final long MIB = 1024L * 1024L;

  /** {@code NVML_VALUE_NOT_AVAILABLE} for unsigned long long fields. */
  private static final long VALUE_NOT_AVAILABLE = -1L;

  private final Nvml nvml;
  private final int index;
  private final Pointer handle;

  NvmlDevice(Nvml nvml, int index, Pointer handle) {
    this.nvml = nvml;
    this.index = index;
    this.handle = handle;
  }

  /** The NVML index. */
  public int index() {
    return index;
  }

  Pointer handle() {
    return handle;
  }

  /** The marketing name, e.g. {@code NVIDIA H100 80GB HBM3}. */
  public String name() {
    byte[] buffer = new byte[NvmlLibrary.NAME_BUFFER];
    run("nvmlDeviceGetName", lib -> lib.nvmlDeviceGetName(handle, buffer, buffer.length));
    return Nvml.cString(buffer);
  }

  /** The UUID, e.g. {@code GPU-5f3c...}. */
  public String uuid() {
    byte[] buffer = new byte[NvmlLibrary.UUID_BUFFER];
    run("nvmlDeviceGetUUID", lib -> lib.nvmlDeviceGetUUID(handle, buffer, buffer.length));
    return Nvml.cString(buffer);
  }

  /** Framebuffer memory. */
  public Memory memory() {
    NvmlLibrary.Memory memory = new NvmlLibrary.Memory();
    run("nvmlDeviceGetMemoryInfo", lib -> lib.nvmlDeviceGetMemoryInfo(handle, memory));
    return new Memory(memory.total / MIB, memory.used / MIB);
  }

  /** GPU utilization over the driver's last sample period, 0-100. */
  public int utilizationPercent() {
    NvmlLibrary.Utilization utilization = new NvmlLibrary.Utilization();
    run(
        "nvmlDeviceGetUtilizationRates",
        lib -> lib.nvmlDeviceGetUtilizationRates(handle, utilization));
    return utilization.gpu;
  }

  /** The GPU die temperature in degrees Celsius. */
  public int temperatureC() {
    IntByReference value = new IntByReference();
    run(
        "nvmlDeviceGetTemperature",
        lib -> lib.nvmlDeviceGetTemperature(handle, NvmlLibrary.TEMPERATURE_GPU, value));
    return value.getValue();
  }

  /** Power draw of the board in watts. */
  public double powerWatts() {
    IntByReference milliwatts = new IntByReference();
    run("nvmlDeviceGetPowerUsage", lib -> lib.nvmlDeviceGetPowerUsage(handle, milliwatts));
    return Integer.toUnsignedLong(milliwatts.getValue()) / 1000.0;
  }

  /** Processes with a compute context on this GPU. */
  public List<ComputeProcess> computeProcesses() {
    String call = "nvmlDeviceGetComputeRunningProcesses_v3";
    IntByReference count = new IntByReference(0);
    int rc =
        nvml.call(
            call, () -> nvml.lib().nvmlDeviceGetComputeRunningProcesses_v3(handle, count, null));
    if (rc == NvmlError.SUCCESS.code()) {
      return List.of();
    }
    // Processes may come and go between the two calls: ask for some room to spare.
    for (int tries = 0; tries < 3 && rc == NvmlError.INSUFFICIENT_SIZE.code(); tries++) {
      int room = count.getValue() + 4;
      NvmlLibrary.ProcessInfo first = new NvmlLibrary.ProcessInfo();
      Structure[] infos = first.toArray(room);
      count.setValue(room);
      rc =
          nvml.call(
              call, () -> nvml.lib().nvmlDeviceGetComputeRunningProcesses_v3(handle, count, first));
      if (rc == NvmlError.SUCCESS.code()) {
        List<ComputeProcess> processes = new ArrayList<>(count.getValue());
        for (int i = 0; i < count.getValue(); i++) {
          NvmlLibrary.ProcessInfo info = (NvmlLibrary.ProcessInfo) infos[i];
          info.read();
          OptionalLong used =
              info.usedGpuMemory == VALUE_NOT_AVAILABLE
                  ? OptionalLong.empty()
                  : OptionalLong.of(info.usedGpuMemory / MIB);
          processes.add(new ComputeProcess(Integer.toUnsignedLong(info.pid), used));
        }
        return List.copyOf(processes);
      }
    }
    nvml.check(call, index, rc);
    throw new IllegalStateException("unreachable: " + call + " returned " + rc);
  }

  /** Uncorrected ECC errors since the driver loaded (volatile counter). */
  public long uncorrectedEccErrors() {
    LongByReference count = new LongByReference();
    run(
        "nvmlDeviceGetTotalEccErrors",
        lib ->
            lib.nvmlDeviceGetTotalEccErrors(
                handle,
                NvmlLibrary.MEMORY_ERROR_TYPE_UNCORRECTED,
                NvmlLibrary.VOLATILE_ECC,
                count));
    return count.getValue();
  }

  private void run(String function, java.util.function.ToIntFunction<NvmlLibrary> nativeCall) {
    nvml.check(function, index, nvml.call(function, () -> nativeCall.applyAsInt(nvml.lib())));
  }

  /** Framebuffer memory in MiB. */
  public record Memory(long totalMib, long usedMib) {}

  /** A process with a compute context; {@code usedMib} is empty where NVML cannot tell. */
  public record ComputeProcess(long pid, OptionalLong usedMib) {}
}
