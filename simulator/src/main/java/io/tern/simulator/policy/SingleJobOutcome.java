package io.tern.simulator.policy;

/**
 * How one single-job run went.
 *
 * @param policy the policy name
 * @param costUsd money spent (spot and on-demand, overhead included)
 * @param finishHours hours from start to completion ({@code Double.POSITIVE_INFINITY} if never)
 * @param deadlineMet whether it finished by the deadline
 * @param spotHours billed hours on spot
 * @param onDemandHours billed hours on on-demand
 * @param restarts times the job started on a new instance
 */
public record SingleJobOutcome(
    String policy,
    double costUsd,
    double finishHours,
    boolean deadlineMet,
    double spotHours,
    double onDemandHours,
    int restarts) {}
