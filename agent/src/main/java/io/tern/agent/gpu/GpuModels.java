package io.tern.agent.gpu;

import java.util.Locale;

/** Turns driver names into the short model names jobs ask for ({@code gpuModels: [H100]}). */
public final class GpuModels {
  private GpuModels() {}

  /**
   * The model in a driver's device name: {@code NVIDIA H100 80GB HBM3} → {@code H100}, {@code Tesla
   * V100-SXM2-16GB} → {@code V100}, {@code NVIDIA GeForce RTX 4090} → {@code RTX4090}, {@code
   * NVIDIA RTX A6000} → {@code A6000}. Blank in, blank out.
   */
  public static String normalize(String deviceName) {
    String name =
        deviceName
            .trim()
            .replaceFirst("(?i)^NVIDIA\\s+", "")
            .replaceFirst("(?i)^(Tesla|GeForce|Quadro)\\s+", "");
    if (name.isEmpty()) {
      return "";
    }
    String[] tokens = name.split("[\\s-]+");
    String first = tokens[0].toUpperCase(Locale.ROOT);
    if ((first.equals("RTX") || first.equals("GTX")) && tokens.length > 1) {
      String second = tokens[1].toUpperCase(Locale.ROOT);
      return second.matches("A\\d+") ? second : first + second;
    }
    return first;
  }
}
