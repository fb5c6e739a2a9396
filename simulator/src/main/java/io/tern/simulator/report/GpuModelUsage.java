package io.tern.simulator.report;

/**
 * What one policy ran on one GPU price class (e.g. {@code V100}, {@code T4}).
 *
 * @param spotGpuHours GPU-hours billed on spot
 * @param onDemandGpuHours GPU-hours billed on on-demand
 * @param spotUsd money spent on spot
 * @param onDemandUsd money spent on on-demand
 */
public record GpuModelUsage(
    double spotGpuHours, double onDemandGpuHours, double spotUsd, double onDemandUsd) {}
