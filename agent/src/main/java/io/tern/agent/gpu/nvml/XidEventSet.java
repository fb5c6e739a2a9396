package io.tern.agent.gpu.nvml;

import com.sun.jna.Pointer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An NVML event set registered for XID critical errors ({@code nvmlEventTypeXidCriticalError}).
 * {@link #drain()} collects the events that arrived since the last drain without blocking. XIDs are
 * only seen while a set is open: a one-shot reader (like {@code tern gpus}) sees none from before
 * it started.
 *
 * <p>Not thread-safe: one thread drains. Close it before its {@link Nvml} session.
 */
public final class XidEventSet implements AutoCloseable {
  /** Enough for any burst between two telemetry samples; the rest waits for the next drain. */
  private static final int MAX_EVENTS_PER_DRAIN = 256;

  private final Nvml nvml;
  private final Pointer set;
  private final List<NvmlDevice> registered;
  private final List<Integer> unsupported;
  private final AtomicBoolean closed = new AtomicBoolean();

  private XidEventSet(
      Nvml nvml, Pointer set, List<NvmlDevice> registered, List<Integer> unsupported) {
    this.nvml = nvml;
    this.set = set;
    this.registered = registered;
    this.unsupported = unsupported;
  }

  static XidEventSet register(Nvml nvml, Pointer set, List<NvmlDevice> devices) {
    List<NvmlDevice> registered = new ArrayList<>();
    List<Integer> unsupported = new ArrayList<>();
    for (NvmlDevice device : devices) {
      String call = "nvmlDeviceRegisterEvents";
      int rc =
          nvml.call(
              call,
              () ->
                  nvml.lib()
                      .nvmlDeviceRegisterEvents(
                          device.handle(), NvmlLibrary.EVENT_TYPE_XID_CRITICAL_ERROR, set));
      if (rc == NvmlError.SUCCESS.code()) {
        registered.add(device);
      } else if (rc == NvmlError.NOT_SUPPORTED.code() || rc == NvmlError.GPU_IS_LOST.code()) {
        unsupported.add(device.index());
      } else {
        nvml.lib().nvmlEventSetFree(set);
        nvml.check(call, device.index(), rc);
      }
    }
    return new XidEventSet(nvml, set, List.copyOf(registered), List.copyOf(unsupported));
  }

  /** Indices of GPUs that could not be registered (events not supported, or lost). */
  public List<Integer> unsupported() {
    return unsupported;
  }

  /** The XID events that arrived since the last drain, oldest first; never blocks. */
  public List<XidEvent> drain() {
    List<XidEvent> events = new ArrayList<>();
    for (int i = 0; i < MAX_EVENTS_PER_DRAIN; i++) {
      NvmlLibrary.EventData data = new NvmlLibrary.EventData();
      int rc = nvml.call("nvmlEventSetWait_v2", () -> nvml.lib().nvmlEventSetWait_v2(set, data, 0));
      if (rc == NvmlError.TIMEOUT.code()) {
        break;
      }
      nvml.check("nvmlEventSetWait_v2", -1, rc);
      if ((data.eventType & NvmlLibrary.EVENT_TYPE_XID_CRITICAL_ERROR) != 0) {
        events.add(new XidEvent(indexOf(data.device), data.eventData));
      }
    }
    return events;
  }

  private int indexOf(Pointer device) {
    for (NvmlDevice d : registered) {
      if (Nvml.same(d.handle(), device)) {
        return d.index();
      }
    }
    return -1; // NVML reports some XIDs without a device
  }

  /** Frees the event set once. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      nvml.call("nvmlEventSetFree", () -> nvml.lib().nvmlEventSetFree(set));
    }
  }

  /** One XID critical error; {@code gpuIndex} is -1 when NVML did not name the GPU. */
  public record XidEvent(int gpuIndex, long xid) {}
}
