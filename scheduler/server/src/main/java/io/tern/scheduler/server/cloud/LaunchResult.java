package io.tern.scheduler.server.cloud;

import java.util.List;

/**
 * What a launch did: the instances it started and, for the part it could not start, why.
 *
 * @param request what was asked
 * @param launched instances started, in launch order
 * @param failures why the rest could not be launched, one per attempt that failed (an
 *     implementation that tries several instance types or zones reports each)
 */
public record LaunchResult(
    LaunchRequest request, List<CloudInstance> launched, List<LaunchFailure> failures) {

  public LaunchResult {
    launched = List.copyOf(launched);
    failures = List.copyOf(failures);
  }

  /** How many of the requested instances are missing. */
  public int shortfall() {
    return Math.max(0, request.count() - launched.size());
  }

  /**
   * The reason to act on when something is missing: the last failure's reason (the one that ended
   * the attempts), or null when nothing is missing or nothing failed.
   */
  public LaunchFailure.Reason finalReason() {
    return shortfall() == 0 || failures.isEmpty() ? null : failures.getLast().reason();
  }
}
