package io.tern.simulator.report;

/**
 * One team under one policy.
 *
 * @param jobs jobs of the team
 * @param finished jobs that finished within the simulated horizon
 * @param costUsd money spent on the team's jobs
 * @param deadlineMisses jobs that finished after their deadline or never
 * @param jctP50Hours median job completion time (submit to finish) of finished jobs
 * @param gpuHoursLost GPU-hours of work thrown away by reclaims and preemptions
 */
public record TeamResult(
    int jobs,
    int finished,
    double costUsd,
    int deadlineMisses,
    double jctP50Hours,
    double gpuHoursLost) {}
