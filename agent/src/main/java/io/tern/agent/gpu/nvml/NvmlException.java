package io.tern.agent.gpu.nvml;

/**
 * An NVML call failed. {@link #error()} is the code; the message names the call, the GPU where
 * there is one, and the code by its {@code nvml.h} name, e.g. {@code nvmlDeviceGetPowerUsage (GPU
 * 1): NVML_ERROR_GPU_IS_LOST (15): GPU is lost}.
 */
public final class NvmlException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** What a user sees when the library itself cannot be loaded. */
  public static final String LIBRARY_MISSING =
      "libnvidia-ml.so.1 not found: is the NVIDIA driver installed? use --nvml-lib PATH";

  private final NvmlError error;

  NvmlException(NvmlError error, String message, Throwable cause) {
    super(message, cause);
    this.error = error;
  }

  static NvmlException of(String call, int gpu, int code, String description) {
    NvmlError error = NvmlError.of(code);
    String where = gpu < 0 ? call : call + " (GPU " + gpu + ")";
    String text = description == null || description.isBlank() ? "" : ": " + description;
    return new NvmlException(
        error, where + ": " + error.nvmlName() + " (" + code + ")" + text, null);
  }

  static NvmlException libraryMissing(String tried, Throwable cause) {
    return new NvmlException(
        NvmlError.LIBRARY_NOT_FOUND, LIBRARY_MISSING + " (tried " + tried + ")", cause);
  }

  /** The NVML return code. */
  public NvmlError error() {
    return error;
  }

  /** True when the GPU fell off the bus or NVML lost it. */
  public boolean gpuLost() {
    return error == NvmlError.GPU_IS_LOST;
  }

  /** True when this GPU or driver does not offer the query. */
  public boolean notSupported() {
    return error == NvmlError.NOT_SUPPORTED;
  }
}
