package io.tern.scheduler.core.explain;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Why one job is still pending after a plan, reasons grouped and counted, most important first. Its
 * {@link #toString()} is what {@code tern explain} prints, e.g. {@code 31 nodes: not enough free
 * GPU memory; 4 nodes: draining}.
 *
 * @param jobId the job
 * @param reasons at least one reason
 * @param holdUntil for a held job, when the hold is next re-evaluated with a different outcome
 *     (e.g. the next off-peak window), or null
 */
public record Explanation(String jobId, List<PendingReason> reasons, Instant holdUntil) {

  public Explanation {
    Objects.requireNonNull(jobId, "jobId");
    reasons = List.copyOf(reasons);
    if (reasons.isEmpty()) {
      throw new IllegalArgumentException("a pending job needs at least one reason: " + jobId);
    }
  }

  public Explanation(String jobId, List<PendingReason> reasons) {
    this(jobId, reasons, null);
  }

  /** True when the job should be HELD rather than PENDING (off-peak wait or hard budget). */
  public boolean held() {
    for (PendingReason r : reasons) {
      if (r.kind().isHold()) {
        return true;
      }
    }
    return false;
  }

  /** The first (most important) reason's kind. */
  public ReasonKind primaryKind() {
    return reasons.get(0).kind();
  }

  public boolean has(ReasonKind kind) {
    for (PendingReason r : reasons) {
      if (r.kind() == kind) {
        return true;
      }
    }
    return false;
  }

  @Override
  public String toString() {
    return reasons.stream().map(PendingReason::toString).collect(Collectors.joining("; "));
  }
}
