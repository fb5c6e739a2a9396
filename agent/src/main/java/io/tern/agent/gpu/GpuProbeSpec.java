package io.tern.agent.gpu;

import io.tern.agent.gpu.nvml.NvmlGpuProbe;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which GPUs an agent has: {@code nvml} (the real ones) or {@code sim:COUNTxMODEL[:MEMGiB]}
 * (simulated, e.g. {@code sim:8xH100} or {@code sim:2xRTX4090:24}). The value of {@code tern agent
 * --gpus}.
 */
public sealed interface GpuProbeSpec {
  /** The most simulated GPUs one agent offers. */
  int MAX_SIMULATED = 64;

  /** What {@code --gpus} accepts, for messages. */
  String FORMAT = "nvml or sim:COUNTxMODEL[:MEMGiB], e.g. sim:8xH100 or sim:2xL4:24";

  /** Opens the probe; {@code nodeId} seeds simulated UUIDs. */
  GpuProbe open(String nodeId, Optional<Path> nvmlLibrary);

  /**
   * Parses a {@code --gpus} value.
   *
   * @throws IllegalArgumentException with a message that says what is wrong and what is expected
   */
  static GpuProbeSpec parse(String value) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException("empty; expected " + FORMAT);
    }
    String v = value.trim();
    if (v.equalsIgnoreCase("nvml")) {
      return new Nvml();
    }
    if (!v.regionMatches(true, 0, "sim:", 0, 4)) {
      throw new IllegalArgumentException("'" + value + "' is neither; expected " + FORMAT);
    }
    Matcher m = Simulated.SYNTAX.matcher(v.substring(4));
    if (!m.matches()) {
      throw new IllegalArgumentException("'" + value + "' is malformed; expected " + FORMAT);
    }
    int count = parseInt(m.group(1), "GPU count");
    if (count < 1 || count > MAX_SIMULATED) {
      throw new IllegalArgumentException(
          "GPU count must be 1 to " + MAX_SIMULATED + ", got " + m.group(1));
    }
    String model = m.group(2).toUpperCase(Locale.ROOT);
    Simulated.Known known = Simulated.KNOWN.get(model);
    int memoryGib;
    if (m.group(3) != null) {
      memoryGib = parseInt(m.group(3), "memory");
      if (memoryGib < 1 || memoryGib > 4096) {
        throw new IllegalArgumentException("memory must be 1 to 4096 GiB, got " + m.group(3));
      }
    } else if (known != null) {
      memoryGib = known.memoryGib();
    } else {
      throw new IllegalArgumentException(
          "unknown model "
              + model
              + ": give its memory in GiB, e.g. sim:"
              + count
              + "x"
              + model
              + ":24 (known: "
              + String.join(", ", new java.util.TreeSet<>(Simulated.KNOWN.keySet()))
              + ")");
    }
    return new Simulated(count, model, memoryGib);
  }

  private static int parseInt(String digits, String what) {
    try {
      return Integer.parseInt(digits);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(what + " '" + digits + "' is too large");
    }
  }

  /** The GPUs NVML sees. */
  record Nvml() implements GpuProbeSpec {
    @Override
    public GpuProbe open(String nodeId, Optional<Path> nvmlLibrary) {
      return NvmlGpuProbe.open(nvmlLibrary, true);
    }

    @Override
    public String toString() {
      return "nvml";
    }
  }

  /** {@code count} simulated GPUs of one model with {@code memoryGib} each. */
  record Simulated(int count, String model, int memoryGib) implements GpuProbeSpec {
    private static final Pattern SYNTAX = Pattern.compile("(\\d+)[xX]([A-Za-z0-9]+)(?::(\\d+))?");

    /** Memory and board power of models one may simulate without giving the memory. */
    private static final Map<String, Known> KNOWN =
        Map.ofEntries(
            Map.entry("B200", new Known(180, 1000)),
            Map.entry("H200", new Known(141, 700)),
            Map.entry("H100", new Known(80, 700)),
            Map.entry("A100", new Known(80, 400)),
            Map.entry("L40S", new Known(48, 350)),
            Map.entry("A10G", new Known(24, 300)),
            Map.entry("L4", new Known(24, 72)),
            Map.entry("V100", new Known(16, 300)),
            Map.entry("T4", new Known(16, 70)));

    /** Board power at full load in watts; 300 W for models not in the table. */
    public double boardPowerW() {
      Known known = KNOWN.get(model);
      return known == null ? 300 : known.boardPowerW();
    }

    @Override
    public GpuProbe open(String nodeId, Optional<Path> nvmlLibrary) {
      return new SimulatedGpuProbe(this, nodeId);
    }

    @Override
    public String toString() {
      return "sim:" + count + "x" + model + ":" + memoryGib;
    }

    private record Known(int memoryGib, int boardPowerW) {}
  }
}
