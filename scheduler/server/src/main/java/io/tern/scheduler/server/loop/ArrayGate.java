package io.tern.scheduler.server.loop;

import io.tern.api.v1.ArraySpec;
import java.util.HashMap;
import java.util.Map;

/**
 * Keeps an array's queued tasks out of the plan while {@code parallel} of its tasks already hold
 * capacity (STARTING, RUNNING, CHECKPOINTING or LOST), so that no more than that many ever run at
 * once: each plan lets through at most the free slots, in task id order. Loop-confined.
 */
final class ArrayGate {
  /** Slots left in the plan being built, by array id; filled on each array's first task. */
  private final Map<String, Integer> slots = new HashMap<>();

  /** Forgets the last plan's counts: call before each walk over the jobs. */
  void beginPlan() {
    slots.clear();
  }

  /**
   * Whether the queued {@code entry} must stay out of this plan because its array already runs as
   * many tasks as it may; if not, it takes one of the array's slots for this plan.
   */
  boolean holdsBack(LeaderTerm term, JobEntry entry) {
    ArraySpec array = entry.job.getSpec().getArray();
    if (array.getParallel() <= 0 || array.getArrayId().isEmpty()) {
      return false;
    }
    int left =
        slots.computeIfAbsent(array.getArrayId(), id -> array.getParallel() - running(term, id));
    if (left <= 0) {
      String reason =
          "array " + array.getArrayId() + " runs at most " + array.getParallel() + " tasks at once";
      entry.waitingFor = reason;
      if (!entry.job.getPendingReason().equals(reason)) {
        // Derived, not worth a write: persisted with the job's next real change.
        entry.job = entry.job.toBuilder().setPendingReason(reason).build();
      }
      return true;
    }
    slots.put(array.getArrayId(), left - 1);
    entry.waitingFor = null;
    return false;
  }

  /** Tasks of {@code arrayId} that hold, or may still hold, capacity. */
  private static int running(LeaderTerm term, String arrayId) {
    int n = 0;
    for (JobEntry task : JobRequests.tasks(term, arrayId)) {
      if (!task.queued() && !task.finished()) {
        n++;
      }
    }
    return n;
  }
}
