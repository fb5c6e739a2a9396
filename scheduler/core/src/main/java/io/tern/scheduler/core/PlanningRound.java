package io.tern.scheduler.core;

import io.tern.scheduler.core.explain.Explanation;
import io.tern.scheduler.core.explain.PendingReason;
import io.tern.scheduler.core.explain.ReasonKind;
import io.tern.scheduler.core.model.ClusterSnapshot;
import io.tern.scheduler.core.model.Job;
import io.tern.scheduler.core.model.QueueSnapshot;
import io.tern.scheduler.core.plan.Plan;
import io.tern.scheduler.core.policy.PolicySnapshot;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** One plan call's working state. Not thread-safe; used once. */
final class PlanningRound {
  private final QueueSnapshot queue;

  PlanningRound(
      EngineConfig config,
      ClusterSnapshot cluster,
      QueueSnapshot queue,
      PolicySnapshot policy,
      Instant now) {
    this.queue = queue;
  }

  Plan run() {
    List<Explanation> pending = new ArrayList<>();
    for (Job j : queue.jobs()) {
      pending.add(
          new Explanation(j.id(), List.of(PendingReason.of(ReasonKind.NO_NODES, "not planned"))));
    }
    return new Plan(List.of(), List.of(), List.of(), List.of(), List.of(), pending);
  }
}
