package io.tern.simulator.report;

/**
 * Where a policy's saving against the on-demand baseline comes from, so that a replay compares like
 * with like: the three parts add up to the saving (to the cent, up to rounding). Each part is
 * negative where the policy lost money on it.
 *
 * <p>With {@code B} the baseline's cost, {@code C} this policy's cost, {@code E} this policy's
 * billed GPU time priced at the on-demand rate of the GPU models it ran on, and {@code Bw}, {@code
 * Ew} the parts of {@code B} and {@code E} that were lost work and checkpoint save/restore time:
 *
 * <ul>
 *   <li>{@code fromSpotPricesUsd = E - C}: the spot discount on the GPU time it bought as spot (the
 *       same models, bought on-demand, would have cost {@code E});
 *   <li>{@code fromGpuModelsUsd = (B - Bw) - (E - Ew)}: the useful GPU time of the baseline and of
 *       this policy, both priced on-demand; it differs when the policy ran its work on cheaper (or
 *       dearer) GPU models than the baseline, or left work unfinished;
 *   <li>{@code fromLostWorkUsd = Bw - Ew}: work lost to reclaims and preemptions and checkpoint
 *       overhead, priced on-demand, against the baseline's (usually negative for spot policies).
 * </ul>
 *
 * @param fromSpotPricesUsd the spot discount on this policy's spot GPU time
 * @param fromGpuModelsUsd the difference from running the useful work on other GPU models
 * @param fromLostWorkUsd the difference in lost work and checkpoint overhead
 */
public record SavingsSplit(
    double fromSpotPricesUsd, double fromGpuModelsUsd, double fromLostWorkUsd) {
  /** Nothing saved anywhere (a result before it is compared with the baseline). */
  public static final SavingsSplit NONE = new SavingsSplit(0, 0, 0);

  /** The split of {@code policy}'s saving against {@code baseline}. */
  public static SavingsSplit between(PolicyResult baseline, PolicyResult policy) {
    double baselineUseful =
        baseline.costAtOnDemandPricesUsd() - baseline.wasteAtOnDemandPricesUsd();
    double useful = policy.costAtOnDemandPricesUsd() - policy.wasteAtOnDemandPricesUsd();
    return new SavingsSplit(
        Rounding.round2(policy.costAtOnDemandPricesUsd() - policy.costUsd()),
        Rounding.round2(baselineUseful - useful),
        Rounding.round2(baseline.wasteAtOnDemandPricesUsd() - policy.wasteAtOnDemandPricesUsd()));
  }
}
