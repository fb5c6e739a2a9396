package io.tern.scheduler.core.plan;

/**
 * What the spot and deadline policy did in one plan, counted for metrics and reports (each job's
 * own reason is in the plan's explanations and checkpoint requests).
 *
 * @param waitingForSpot queued jobs left pending because they chose to wait for spot (ahead of
 *     uniform progress, inside a spot wait, or moving back to spot)
 * @param deadlineOnDemand queued jobs whose deadline slack forced them onto on-demand
 * @param deadlineMigrations running spot attempts asked to move to on-demand for their deadline
 * @param returnsToSpot running on-demand attempts asked to move back to spot
 */
public record SpotActivity(
    int waitingForSpot, int deadlineOnDemand, int deadlineMigrations, int returnsToSpot) {
  public static final SpotActivity NONE = new SpotActivity(0, 0, 0, 0);
}
