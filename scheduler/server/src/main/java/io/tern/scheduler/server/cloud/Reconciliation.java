package io.tern.scheduler.server.cloud;

import java.util.List;

/**
 * Differences between what the cloud runs and what the scheduler knows.
 *
 * @param terminate instances to terminate: launched but never registered within the timeout
 * @param lostNodes registered nodes whose instance is gone or going: mark them lost now rather than
 *     wait for their lease
 */
public record Reconciliation(List<String> terminate, List<String> lostNodes) {
  public Reconciliation {
    terminate = List.copyOf(terminate);
    lostNodes = List.copyOf(lostNodes);
  }
}
