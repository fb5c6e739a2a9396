package io.tern.scheduler.server.loop;

/** Asks the loop for a plan soon; requests close together are served by one plan. Loop only. */
@FunctionalInterface
interface PlanTrigger {
  void requestPlan();
}
