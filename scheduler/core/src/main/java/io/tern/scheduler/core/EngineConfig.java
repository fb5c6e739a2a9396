package io.tern.scheduler.core;

import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Tuning of the {@link PlacementEngine}. Immutable; start from {@link #defaults()} and change what
 * you need with the {@code with...} methods.
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
    Duration spotSettle) {

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
    if (candidatesPerJob < 1) {
      throw new IllegalArgumentException("candidatesPerJob must be >= 1");
    }
    if (reservations < 0 || preemptionCandidateNodes < 0 || detailedExplanations < 0) {
      throw new IllegalArgumentException("limits must be >= 0");
    }
  }

  /** Sensible defaults for a production cluster. */
  public static EngineConfig defaults() {
    SortedMap<String, Double> weights = new TreeMap<>();
    weights.put("bin-packing", 1.0);
    weights.put("price", 0.5);
    weights.put("reclaimed-pool", 0.5);
    weights.put("reclaim-risk", 0.3);
    weights.put("gpu-utilization", 0.2);
    weights.put("shared-packing", 0.5);
    return new EngineConfig(
        weights,
        8,
        1,
        Duration.ofHours(12),
        Duration.ofMinutes(10),
        Duration.ofMinutes(30),
        50,
        1024,
        4,
        Duration.ofMinutes(10),
        true,
        64,
        256,
        2_000,
        200,
        Duration.ofMinutes(10));
  }

  public EngineConfig withScorerWeight(String scorer, double weight) {
    SortedMap<String, Double> copy = new TreeMap<>(scorerWeights);
    copy.put(scorer, weight);
    return new EngineConfig(
        copy,
        candidatesPerJob,
        reservations,
        agingStep,
        restartOverhead,
        deadlineSafetyMargin,
        shareMaxUtilizationPercent,
        shareMemoryMarginMiB,
        maxJobsPerSharedGpu,
        nodeIdleGrace,
        preemptionEnabled,
        preemptionCandidateNodes,
        detailedExplanations,
        explainNodesPerShape,
        capacityRequestNodesPerPlan,
        spotSettle);
  }

  public EngineConfig withCandidatesPerJob(int n) {
    return new EngineConfig(
        scorerWeights,
        n,
        reservations,
        agingStep,
        restartOverhead,
        deadlineSafetyMargin,
        shareMaxUtilizationPercent,
        shareMemoryMarginMiB,
        maxJobsPerSharedGpu,
        nodeIdleGrace,
        preemptionEnabled,
        preemptionCandidateNodes,
        detailedExplanations,
        explainNodesPerShape,
        capacityRequestNodesPerPlan,
        spotSettle);
  }

  public EngineConfig withReservations(int n) {
    return new EngineConfig(
        scorerWeights,
        candidatesPerJob,
        n,
        agingStep,
        restartOverhead,
        deadlineSafetyMargin,
        shareMaxUtilizationPercent,
        shareMemoryMarginMiB,
        maxJobsPerSharedGpu,
        nodeIdleGrace,
        preemptionEnabled,
        preemptionCandidateNodes,
        detailedExplanations,
        explainNodesPerShape,
        capacityRequestNodesPerPlan,
        spotSettle);
  }

  public EngineConfig withAgingStep(Duration step) {
    return new EngineConfig(
        scorerWeights,
        candidatesPerJob,
        reservations,
        step,
        restartOverhead,
        deadlineSafetyMargin,
        shareMaxUtilizationPercent,
        shareMemoryMarginMiB,
        maxJobsPerSharedGpu,
        nodeIdleGrace,
        preemptionEnabled,
        preemptionCandidateNodes,
        detailedExplanations,
        explainNodesPerShape,
        capacityRequestNodesPerPlan,
        spotSettle);
  }

  public EngineConfig withPreemption(boolean enabled) {
    return new EngineConfig(
        scorerWeights,
        candidatesPerJob,
        reservations,
        agingStep,
        restartOverhead,
        deadlineSafetyMargin,
        shareMaxUtilizationPercent,
        shareMemoryMarginMiB,
        maxJobsPerSharedGpu,
        nodeIdleGrace,
        enabled,
        preemptionCandidateNodes,
        detailedExplanations,
        explainNodesPerShape,
        capacityRequestNodesPerPlan,
        spotSettle);
  }

  public EngineConfig withNodeIdleGrace(Duration grace) {
    return new EngineConfig(
        scorerWeights,
        candidatesPerJob,
        reservations,
        agingStep,
        restartOverhead,
        deadlineSafetyMargin,
        shareMaxUtilizationPercent,
        shareMemoryMarginMiB,
        maxJobsPerSharedGpu,
        grace,
        preemptionEnabled,
        preemptionCandidateNodes,
        detailedExplanations,
        explainNodesPerShape,
        capacityRequestNodesPerPlan,
        spotSettle);
  }

  /** The deadline rule's restart overhead and safety margin replaced. */
  public EngineConfig withDeadlineRule(Duration overhead, Duration margin) {
    return new EngineConfig(
        scorerWeights,
        candidatesPerJob,
        reservations,
        agingStep,
        overhead,
        margin,
        shareMaxUtilizationPercent,
        shareMemoryMarginMiB,
        maxJobsPerSharedGpu,
        nodeIdleGrace,
        preemptionEnabled,
        preemptionCandidateNodes,
        detailedExplanations,
        explainNodesPerShape,
        capacityRequestNodesPerPlan,
        spotSettle);
  }

  public EngineConfig withSpotSettle(Duration settle) {
    return new EngineConfig(
        scorerWeights,
        candidatesPerJob,
        reservations,
        agingStep,
        restartOverhead,
        deadlineSafetyMargin,
        shareMaxUtilizationPercent,
        shareMemoryMarginMiB,
        maxJobsPerSharedGpu,
        nodeIdleGrace,
        preemptionEnabled,
        preemptionCandidateNodes,
        detailedExplanations,
        explainNodesPerShape,
        capacityRequestNodesPerPlan,
        settle);
  }

  public double weight(String scorer) {
    Double w = scorerWeights.get(scorer);
    return w == null ? 0 : w;
  }
}
