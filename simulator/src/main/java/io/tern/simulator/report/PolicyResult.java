package io.tern.simulator.report;

import java.util.SortedMap;

/**
 * What one policy did with the whole workload.
 *
 * @param policy policy name
 * @param description what the policy does, in a sentence
 * @param costUsd total money spent
 * @param spotCostUsd the part of {@code costUsd} spent on spot capacity
 * @param onDemandCostUsd the part of {@code costUsd} spent on on-demand capacity
 * @param spotShareOfGpuHours spot GPU-hours ÷ all billed GPU-hours (0 when nothing was billed)
 * @param savingsVsOnDemandUsd on-demand-only cost minus this cost (0 for on-demand itself)
 * @param savingsVsOnDemandPercent the same as a percentage of the on-demand-only cost
 * @param savingsSplit where the saving comes from: spot prices, GPU models, lost work
 * @param costAtOnDemandPricesUsd the billed GPU time priced at the on-demand rate of the GPU models
 *     it ran on: what the same placements would have cost bought on-demand
 * @param wasteAtOnDemandPricesUsd the part of {@code costAtOnDemandPricesUsd} that was work thrown
 *     away and checkpoint save/restore time
 * @param gpuModels GPU-hours and money by GPU price class
 * @param jobsFinished jobs finished within the horizon
 * @param jobsUnfinished jobs still queued or running at the horizon
 * @param deadlineJobs jobs with a deadline
 * @param deadlineMisses deadline jobs that finished late or never
 * @param jctHours job completion time (submit to finish) of finished jobs
 * @param queueWaitHours time from submit to first start of started jobs
 * @param gpuHoursLostToPreemption GPU-hours of work thrown away by reclaims and preemptions
 * @param gpuHoursCheckpointOverhead GPU-hours spent saving and restoring checkpoints
 * @param reclaims attempts ended by a spot reclaim
 * @param preemptions attempts ended by a preemption or a deadline migration
 * @param utilization GPU-time allocated ÷ GPU-time available over the whole run
 * @param spotGpuHours GPU-hours billed on spot
 * @param onDemandGpuHours GPU-hours billed on on-demand
 * @param plans calls of {@code PlacementEngine.plan}
 * @param events discrete events processed
 * @param teams per-team results, by team
 * @param series samples over time for charts
 */
public record PolicyResult(
    String policy,
    String description,
    double costUsd,
    double spotCostUsd,
    double onDemandCostUsd,
    double spotShareOfGpuHours,
    double savingsVsOnDemandUsd,
    double savingsVsOnDemandPercent,
    SavingsSplit savingsSplit,
    double costAtOnDemandPricesUsd,
    double wasteAtOnDemandPricesUsd,
    SortedMap<String, GpuModelUsage> gpuModels,
    int jobsFinished,
    int jobsUnfinished,
    int deadlineJobs,
    int deadlineMisses,
    Percentiles jctHours,
    Percentiles queueWaitHours,
    double gpuHoursLostToPreemption,
    double gpuHoursCheckpointOverhead,
    int reclaims,
    int preemptions,
    double utilization,
    double spotGpuHours,
    double onDemandGpuHours,
    long plans,
    long events,
    SortedMap<String, TeamResult> teams,
    TimeSeries series) {

  /** A copy with the savings, and where they come from, filled in against the baseline. */
  public PolicyResult withSavingsAgainst(PolicyResult baseline) {
    double saved = baseline.costUsd() - costUsd;
    double percent = baseline.costUsd() > 0 ? 100.0 * saved / baseline.costUsd() : 0;
    return new PolicyResult(
        policy,
        description,
        costUsd,
        spotCostUsd,
        onDemandCostUsd,
        spotShareOfGpuHours,
        Rounding.round2(saved),
        Rounding.round2(percent),
        SavingsSplit.between(baseline, this),
        costAtOnDemandPricesUsd,
        wasteAtOnDemandPricesUsd,
        gpuModels,
        jobsFinished,
        jobsUnfinished,
        deadlineJobs,
        deadlineMisses,
        jctHours,
        queueWaitHours,
        gpuHoursLostToPreemption,
        gpuHoursCheckpointOverhead,
        reclaims,
        preemptions,
        utilization,
        spotGpuHours,
        onDemandGpuHours,
        plans,
        events,
        teams,
        series);
  }
}
