package io.tern.simulator.spot;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Seeded synthetic spot traces: a two-state Markov chain per slot (spot up, spot down) with given
 * mean lengths of up and down runs, so availability is {@code up / (up + down)}. For checking a
 * policy on traces nobody tuned it on. Deterministic for a seed.
 */
public final class SyntheticSpotTraces {
  private SyntheticSpotTraces() {}

  /**
   * One trace.
   *
   * @param meanUpHours mean length of a run of slots with spot capacity
   * @param meanDownHours mean length of a run without
   */
  public static SpotTrace markov(
      String pool,
      int slots,
      int slotSeconds,
      double meanUpHours,
      double meanDownHours,
      long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    double slotHours = slotSeconds / 3600.0;
    // Per-slot probabilities of leaving each state, so runs are geometric with these means.
    double leaveUp = Math.min(1, slotHours / meanUpHours);
    double leaveDown = Math.min(1, slotHours / meanDownHours);
    boolean[] up = new boolean[slots];
    boolean state = random.nextDouble() < meanUpHours / (meanUpHours + meanDownHours);
    for (int i = 0; i < slots; i++) {
      up[i] = state;
      if (random.nextDouble() < (state ? leaveUp : leaveDown)) {
        state = !state;
      }
    }
    return new SpotTrace(pool, Instant.parse("2025-01-01T00:00:00Z"), slotSeconds, up);
  }

  /**
   * A held-out set: for each (mean up, mean down) pair in hours, {@code perKind} traces of {@code
   * slots} 10-minute slots, pools named like {@code markov-up3.0-down1.0-s7_v100_1} (so prices
   * follow the V100 row).
   */
  public static List<SpotTrace> heldOut(double[][] kinds, int perKind, int slots, long seed) {
    return set(
        "markov",
        kinds,
        perKind,
        seed,
        (pool, kind, s) -> markov(pool, slots, 600, kind[0], kind[1], s));
  }

  /**
   * One trace whose up and down runs have log-normal lengths (a heavy tail: most outages short, a
   * few long), unlike the memoryless runs of {@link #markov}: run lengths are {@code mean ×
   * exp(sigma Z - sigma² / 2)} hours with Z standard normal, rounded to whole slots (at least one).
   */
  public static SpotTrace lognormal(
      String pool,
      int slots,
      int slotSeconds,
      double meanUpHours,
      double meanDownHours,
      double sigma,
      long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    double slotHours = slotSeconds / 3600.0;
    boolean[] up = new boolean[slots];
    boolean state = random.nextDouble() < meanUpHours / (meanUpHours + meanDownHours);
    int i = 0;
    while (i < slots) {
      double mean = state ? meanUpHours : meanDownHours;
      double hours = mean * Math.exp(sigma * gaussian(random) - sigma * sigma / 2);
      int run = (int) Math.max(1, Math.round(hours / slotHours));
      for (int k = 0; k < run && i < slots; k++, i++) {
        up[i] = state;
      }
      state = !state;
    }
    return new SpotTrace(pool, Instant.parse("2025-01-01T00:00:00Z"), slotSeconds, up);
  }

  /**
   * A second held-out set, of another model than {@link #heldOut}: for each (mean up, mean down)
   * pair in hours, {@code perKind} {@link #lognormal} traces with sigma 1 of {@code slots}
   * 10-minute slots, pools named like {@code lognormal-up3.0-down1.0-0_v100_1}.
   */
  public static List<SpotTrace> heldOutHeavyTailed(
      double[][] kinds, int perKind, int slots, long seed) {
    return set(
        "lognormal",
        kinds,
        perKind,
        seed,
        (pool, kind, s) -> lognormal(pool, slots, 600, kind[0], kind[1], 1.0, s));
  }

  /** Makes one trace of a set: its pool name, its (mean up, mean down) hours, its seed. */
  private interface TraceMaker {
    SpotTrace make(String pool, double[] kind, long seed);
  }

  /**
   * For each (mean up, mean down) kind, {@code perKind} traces seeded from {@code seed}, pools
   * named {@code MODEL-upU-downD-K_GPU_1} alternating V100 and K80 prices.
   */
  private static List<SpotTrace> set(
      String model, double[][] kinds, int perKind, long seed, TraceMaker maker) {
    List<SpotTrace> out = new ArrayList<>();
    SplittableRandom seeds = new SplittableRandom(seed);
    for (double[] kind : kinds) {
      for (int k = 0; k < perKind; k++) {
        long s = seeds.nextLong();
        String gpu = k % 2 == 0 ? "v100" : "k80";
        String pool =
            String.format(
                Locale.ROOT, "%s-up%.1f-down%.1f-%d_%s_1", model, kind[0], kind[1], k, gpu);
        out.add(maker.make(pool, kind, s));
      }
    }
    return out;
  }

  /** A standard normal draw (Box-Muller), from {@code random} alone so traces stay seeded. */
  private static double gaussian(SplittableRandom random) {
    double u = 1 - random.nextDouble(); // (0, 1]
    double v = random.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
}
