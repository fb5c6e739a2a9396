package io.tern.agent.gpu.nvml;

import com.sun.jna.Library;
import com.sun.jna.Pointer;
import com.sun.jna.Structure;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.LongByReference;
import com.sun.jna.ptr.PointerByReference;

/**
 * The slice of {@code libnvidia-ml} Tern calls, mapped one to one by JNA. Signatures follow {@code
 * nvml.h}; every function returns an {@code nvmlReturn_t} ({@link NvmlError}). Unsigned C integers
 * are Java {@code int}/{@code long}: read them with {@link Integer#toUnsignedLong}. Use it through
 * {@link Nvml}, which turns codes into {@link NvmlException}s.
 */
public interface NvmlLibrary extends Library {
  /** {@code NVML_DEVICE_NAME_V2_BUFFER_SIZE}. */
  int NAME_BUFFER = 96;

  /** {@code NVML_DEVICE_UUID_V2_BUFFER_SIZE}. */
  int UUID_BUFFER = 96;

  /** {@code NVML_SYSTEM_DRIVER_VERSION_BUFFER_SIZE}. */
  int DRIVER_VERSION_BUFFER = 80;

  /** {@code NVML_TEMPERATURE_GPU}: the GPU die sensor. */
  int TEMPERATURE_GPU = 0;

  /** {@code NVML_MEMORY_ERROR_TYPE_UNCORRECTED}. */
  int MEMORY_ERROR_TYPE_UNCORRECTED = 1;

  /** {@code NVML_VOLATILE_ECC}: counts since the last driver load. */
  int VOLATILE_ECC = 0;

  /** {@code nvmlEventTypeXidCriticalError}. */
  long EVENT_TYPE_XID_CRITICAL_ERROR = 0x8L;

  int nvmlInit_v2();

  int nvmlShutdown();

  String nvmlErrorString(int result);

  int nvmlSystemGetDriverVersion(byte[] version, int length);

  int nvmlDeviceGetCount_v2(IntByReference count);

  int nvmlDeviceGetHandleByIndex_v2(int index, PointerByReference device);

  int nvmlDeviceGetName(Pointer device, byte[] name, int length);

  int nvmlDeviceGetUUID(Pointer device, byte[] uuid, int length);

  int nvmlDeviceGetMemoryInfo(Pointer device, Memory memory);

  int nvmlDeviceGetUtilizationRates(Pointer device, Utilization utilization);

  int nvmlDeviceGetTemperature(Pointer device, int sensor, IntByReference temperature);

  int nvmlDeviceGetPowerUsage(Pointer device, IntByReference milliwatts);

  /** {@code infos} is the first element of a contiguous array ({@link Structure#toArray}). */
  int nvmlDeviceGetComputeRunningProcesses_v3(
      Pointer device, IntByReference count, ProcessInfo infos);

  int nvmlDeviceGetTotalEccErrors(
      Pointer device, int errorType, int counterType, LongByReference count);

  int nvmlEventSetCreate(PointerByReference set);

  int nvmlDeviceRegisterEvents(Pointer device, long eventTypes, Pointer set);

  int nvmlEventSetWait_v2(Pointer set, EventData data, int timeoutMillis);

  int nvmlEventSetFree(Pointer set);

  /** {@code nvmlMemory_t}: bytes. */
  @Structure.FieldOrder({"total", "free", "used"})
  class Memory extends Structure {
    public long total;
    public long free;
    public long used;
  }

  /** {@code nvmlUtilization_t}: percent over the driver's last sample period. */
  @Structure.FieldOrder({"gpu", "memory"})
  class Utilization extends Structure {
    public int gpu;
    public int memory;
  }

  /** {@code nvmlProcessInfo_t} (v2/v3 layout). */
  @Structure.FieldOrder({"pid", "usedGpuMemory", "gpuInstanceId", "computeInstanceId"})
  class ProcessInfo extends Structure {
    public int pid;
    public long usedGpuMemory;
    public int gpuInstanceId;
    public int computeInstanceId;
  }

  /** {@code nvmlEventData_t}. */
  @Structure.FieldOrder({"device", "eventType", "eventData", "gpuInstanceId", "computeInstanceId"})
  class EventData extends Structure {
    public Pointer device;
    public long eventType;
    public long eventData;
    public int gpuInstanceId;
    public int computeInstanceId;
  }
}
