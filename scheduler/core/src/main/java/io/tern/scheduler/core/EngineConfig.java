package io.tern.scheduler.core;

import io.tern.scheduler.core.policy.DeadlineRule;
import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Tuning of the {@link PlacementEngine}. Immutable; {@link #defaults()}, or {@link #builder()} to
 * change some of them.
 *
 * @param scorerWeights weight per scorer name (see each scorer's {@code NAME}); a scorer missing
 *     from the map has weight 0 and is not evaluated
 * @param candidatesPerJob how many feasible nodes are scored per job before choosing (more is
 *     better packing, slower); at least the gang size is always collected
 * @param reservations how many blocked jobs may hold a reservation per plan (head-of-line
 *     protection against backfill)
 * @param agingStep a job waiting this long is considered one priority class higher for ordering
 *     (LOW to NORMAL at most; aging never grants preemption); zero disables aging
 * @param restartOverhead time a resumed attempt loses (start + restore), used by the deadline rule
 * @param deadlineSafetyMargin slack below which a deadline job must run on-demand
 * @param shareMaxUtilizationPercent a shared GPU must be at most this busy to take another job
 * @param shareMemoryMarginMiB free GPU memory left over when packing a shareable job
 * @param maxJobsPerSharedGpu most shareable jobs on one GPU
 * @param nodeIdleGrace an idle cloud node is released after this long
 * @param preemptionEnabled whether the engine proposes preemptions
 * @param preemptionCandidateNodes most nodes examined per job when looking for victims
 * @param detailedExplanations most distinct job shapes whose node vetoes are counted per plan (the
 *     rest get a shorter, shape-level reason)
 * @param explainNodesPerShape most nodes whose filters are run when explaining one shape
 * @param capacityRequestNodesPerPlan most nodes requested from the cloud per plan
 * @param spotSettle how long a spot pool's capacity must have been back before a job on on-demand
 *     moves to it (hysteresis: a blip of spot does not cost two changeovers); never less than two
 *     restart overheads, what the move there and back would cost
 * @param slackReserve the share of its work a deadline job's slack keeps for after it starts; a job
 *     with more slack than that may wait for spot past its submission by the rest (see {@code
 *     DeadlineRule#lineStart}); infinite for none
 */
public record EngineConfig(
    SortedMap<String, Double> scorerWeights,
    int candidatesPerJob,
    int reservations,
    Duration agingStep,
    Duration restartOverhead,
    Duration deadlineSafetyMargin,
    int shareMaxUtilizationPercent,
    long shareMemoryMarginMiB,
    int maxJobsPerSharedGpu,
    Duration nodeIdleGrace,
    boolean preemptionEnabled,
    int preemptionCandidateNodes,
    int detailedExplanations,
    int explainNodesPerShape,
    int capacityRequestNodesPerPlan,
    Duration spotSettle,
    double slackReserve) {

  public EngineConfig {
    scorerWeights = Collections.unmodifiableSortedMap(new TreeMap<>(scorerWeights));
    for (Map.Entry<String, Double> e : scorerWeights.entrySet()) {
      if (!(e.getValue() >= 0)) {
        throw new IllegalArgumentException("scorer weight must be >= 0: " + e.getKey());
      }
    }
    Objects.requireNonNull(agingStep, "agingStep");
    Objects.requireNonNull(restartOverhead, "restartOverhead");
    Objects.requireNonNull(deadlineSafetyMargin, "deadlineSafetyMargin");
    Objects.requireNonNull(nodeIdleGrace, "nodeIdleGrace");
    Objects.requireNonNull(spotSettle, "spotSettle");
    if (!(slackReserve >= 0)) {
      throw new IllegalArgumentException("slackReserve must be >= 0");
    }
    if (candidatesPerJob < 1) {
      throw new IllegalArgumentException("candidatesPerJob must be >= 1");
    }
    if (reservations < 0 || preemptionCandidateNodes < 0 || detailedExplanations < 0) {
      throw new IllegalArgumentException("limits must be >= 0");
    }
  }

  /** Sensible defaults for a production cluster. */
  public static EngineConfig defaults() {
    return builder().build();
  }

  /** A builder that starts from the {@link #defaults()}. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Changes the defaults field by field; only the fields some caller tunes have a setter. Not
   * thread-safe; {@link #build()} may be called more than once.
   */
  public static final class Builder {
    private final SortedMap<String, Double> scorerWeights = new TreeMap<>();
    private int candidatesPerJob = 8;
    private int reservations = 1;
    private Duration agingStep = Duration.ofHours(12);
    private Duration restartOverhead = Duration.ofMinutes(10);
    private Duration deadlineSafetyMargin = Duration.ofMinutes(30);
    private double slackReserve = DeadlineRule.RESERVE;

    private Builder() {
      scorerWeights.put("bin-packing", 1.0);
      scorerWeights.put("price", 0.5);
      scorerWeights.put("reclaimed-pool", 0.5);
      scorerWeights.put("reclaim-risk", 0.3);
      scorerWeights.put("gpu-utilization", 0.2);
      scorerWeights.put("shared-packing", 0.5);
    }

    /** Weight 0 turns the scorer off. */
    public Builder scorerWeight(String scorer, double weight) {
      scorerWeights.put(scorer, weight);
      return this;
    }

    public Builder candidatesPerJob(int n) {
      candidatesPerJob = n;
      return this;
    }

    public Builder reservations(int n) {
      reservations = n;
      return this;
    }

    public Builder agingStep(Duration step) {
      agingStep = step;
      return this;
    }

    /** The deadline rule's restart overhead and safety margin. */
    public Builder deadlineRule(Duration overhead, Duration margin) {
      restartOverhead = overhead;
      deadlineSafetyMargin = margin;
      return this;
    }

    /** The deadline rule's slack reserve, as a share of a job's work. */
    public Builder slackReserve(double share) {
      slackReserve = share;
      return this;
    }

    public EngineConfig build() {
      return new EngineConfig(
          scorerWeights,
          candidatesPerJob,
          reservations,
          agingStep,
          restartOverhead,
          deadlineSafetyMargin,
          /* shareMaxUtilizationPercent= */ 50,
          /* shareMemoryMarginMiB= */ 1024,
          /* maxJobsPerSharedGpu= */ 4,
          /* nodeIdleGrace= */ Duration.ofMinutes(10),
          /* preemptionEnabled= */ true,
          /* preemptionCandidateNodes= */ 64,
          /* detailedExplanations= */ 256,
          /* explainNodesPerShape= */ 2_000,
          /* capacityRequestNodesPerPlan= */ 200,
          /* spotSettle= */ Duration.ofMinutes(10),
          slackReserve);
    }
  }

  public double weight(String scorer) {
    Double w = scorerWeights.get(scorer);
    return w == null ? 0 : w;
  }
}
