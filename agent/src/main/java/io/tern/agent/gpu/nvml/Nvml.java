package io.tern.agent.gpu.nvml;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.PointerByReference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntSupplier;

/**
 * One initialized NVML session: {@code nvmlInit_v2} on {@link #open}, {@code nvmlShutdown} on
 * {@link #close} (once; later calls do nothing). Every failed call throws an {@link NvmlException}
 * naming the call and the NVML code.
 *
 * <p>Thread-safe: NVML is thread-safe, and this class keeps no mutable state besides the closed
 * flag. Devices and event sets from a closed session must not be used.
 */
public final class Nvml implements AutoCloseable {
  /**
   * Where NVML is looked for by default: {@code libnvidia-ml.so} on {@code jna.library.path} and
   * the system paths, then the driver's {@code libnvidia-ml.so.1} (GPU hosts often have only that).
   */
  static final List<String> DEFAULT_LIBRARIES = List.of("nvidia-ml", "libnvidia-ml.so.1");

  private final NvmlLibrary lib;
  private final AtomicBoolean closed = new AtomicBoolean();

  private Nvml(NvmlLibrary lib) {
    this.lib = lib;
  }

  /** Loads NVML from the default places and initializes it. */
  public static Nvml open() {
    return open(DEFAULT_LIBRARIES);
  }

  /** Loads NVML from {@code library} (a file) and initializes it. */
  public static Nvml open(Path library) {
    String path = library.toAbsolutePath().toString();
    NvmlLibrary lib;
    try {
      lib = Native.load(path, NvmlLibrary.class);
    } catch (UnsatisfiedLinkError e) {
      throw new NvmlException(
          NvmlError.LIBRARY_NOT_FOUND, "cannot load NVML from " + path + ": " + e.getMessage(), e);
    }
    return init(lib);
  }

  /** Loads the first of {@code candidates} (JNA library names or paths) that loads. */
  static Nvml open(List<String> candidates) {
    return init(load(candidates));
  }

  private static Nvml init(NvmlLibrary lib) {
    Nvml nvml = new Nvml(lib);
    nvml.check("nvmlInit_v2", -1, nvml.call("nvmlInit_v2", () -> lib.nvmlInit_v2()));
    return nvml;
  }

  private static NvmlLibrary load(List<String> candidates) {
    UnsatisfiedLinkError last = null;
    for (String name : candidates) {
      try {
        return Native.load(name, NvmlLibrary.class);
      } catch (UnsatisfiedLinkError e) {
        last = e;
      }
    }
    throw NvmlException.libraryMissing(String.join(", ", candidates), last);
  }

  /** The driver version, e.g. {@code 550.54.15}. */
  public String driverVersion() {
    byte[] buffer = new byte[NvmlLibrary.DRIVER_VERSION_BUFFER];
    check(
        "nvmlSystemGetDriverVersion",
        -1,
        call(
            "nvmlSystemGetDriverVersion",
            () -> lib().nvmlSystemGetDriverVersion(buffer, buffer.length)));
    return cString(buffer);
  }

  /** How many GPUs NVML sees. */
  public int deviceCount() {
    IntByReference count = new IntByReference();
    check(
        "nvmlDeviceGetCount_v2",
        -1,
        call("nvmlDeviceGetCount_v2", () -> lib().nvmlDeviceGetCount_v2(count)));
    return count.getValue();
  }

  /** The GPU at NVML index {@code index} (PCI bus order). */
  public NvmlDevice device(int index) {
    PointerByReference handle = new PointerByReference();
    check(
        "nvmlDeviceGetHandleByIndex_v2",
        index,
        call(
            "nvmlDeviceGetHandleByIndex_v2",
            () -> lib().nvmlDeviceGetHandleByIndex_v2(index, handle)));
    return new NvmlDevice(this, index, handle.getValue());
  }

  /**
   * An event set receiving XID critical errors from {@code devices}. Devices that do not offer
   * events are listed in {@link XidEventSet#unsupported()}.
   */
  public XidEventSet xidEvents(List<NvmlDevice> devices) {
    PointerByReference set = new PointerByReference();
    check(
        "nvmlEventSetCreate", -1, call("nvmlEventSetCreate", () -> lib().nvmlEventSetCreate(set)));
    return XidEventSet.register(this, set.getValue(), devices);
  }

  /** Shuts NVML down once; later calls do nothing. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      check("nvmlShutdown", -1, call("nvmlShutdown", lib::nvmlShutdown));
    }
  }

  NvmlLibrary lib() {
    if (closed.get()) {
      throw new IllegalStateException("NVML session is closed");
    }
    return lib;
  }

  /** Runs one NVML function; a function the loaded library lacks becomes FUNCTION_NOT_FOUND. */
  int call(String function, IntSupplier nativeCall) {
    try {
      return nativeCall.getAsInt();
    } catch (UnsatisfiedLinkError e) {
      throw new NvmlException(
          NvmlError.FUNCTION_NOT_FOUND,
          function + ": not in this libnvidia-ml (is the driver older than this call?)",
          e);
    }
  }

  void check(String function, int gpu, int rc) {
    if (rc != NvmlError.SUCCESS.code()) {
      throw NvmlException.of(function, gpu, rc, errorString(rc));
    }
  }

  private String errorString(int rc) {
    try {
      return lib.nvmlErrorString(rc);
    } catch (UnsatisfiedLinkError e) {
      return null;
    }
  }

  static String cString(byte[] buffer) {
    int end = 0;
    while (end < buffer.length && buffer[end] != 0) {
      end++;
    }
    return new String(buffer, 0, end, StandardCharsets.UTF_8);
  }

  static boolean same(Pointer a, Pointer b) {
    return a != null && b != null && Pointer.nativeValue(a) == Pointer.nativeValue(b);
  }
}
