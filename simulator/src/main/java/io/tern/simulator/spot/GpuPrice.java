package io.tern.simulator.spot;

/**
 * Price of one GPU for one hour, in USD, on each capacity type.
 *
 * @param onDemandPerGpuHour on-demand price
 * @param spotPerGpuHour spot price
 * @param source where the figure comes from (written into the report)
 */
public record GpuPrice(double onDemandPerGpuHour, double spotPerGpuHour, String source) {
  /** Checks the prices are positive and spot is not dearer than on-demand. */
  public GpuPrice {
    if (!(onDemandPerGpuHour > 0) || !(spotPerGpuHour > 0)) {
      throw new IllegalArgumentException("prices must be positive");
    }
  }

  /** Per-GPU-second price on spot or on-demand. */
  public double perGpuSecond(boolean spot) {
    return (spot ? spotPerGpuHour : onDemandPerGpuHour) / 3600.0;
  }
}
