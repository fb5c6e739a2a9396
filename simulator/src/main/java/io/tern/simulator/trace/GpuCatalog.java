package io.tern.simulator.trace;

import java.util.Locale;

/**
 * What the simulator knows about GPU model names that appear in traces: memory per GPU and the
 * price class used to look up prices. Unknown models get 16 GiB and their own name as price class.
 */
public final class GpuCatalog {
  private GpuCatalog() {}

  /** Memory per GPU in GiB for a model name; 16 when unknown (e.g. Alibaba's G2/G3). */
  public static int memoryGib(String model) {
    String m = model.toUpperCase(Locale.ROOT);
    if (m.endsWith("M32")) {
      return 32;
    }
    return switch (m) {
      case "K80" -> 12;
      case "A10", "A10G", "L4" -> 24;
      case "L40S" -> 48;
      case "A100" -> 40;
      case "H100", "H200", "A100-80" -> 80;
      default -> 16;
    };
  }

  /**
   * The price class of a model: V100 variants are {@code V100}, AWS's A10G is {@code A10};
   * everything else is the upper-cased model name.
   */
  public static String priceClass(String model) {
    String m = model.toUpperCase(Locale.ROOT);
    if (m.startsWith("V100")) {
      return "V100";
    }
    return m.equals("A10G") ? "A10" : m;
  }
}
