package io.tern.scheduler.core.model;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The jobs waiting to run: PENDING and HELD jobs alike (a held job is re-evaluated every plan and
 * placed as soon as its hold no longer applies). The order of the list carries no meaning; the
 * engine orders jobs itself (priority class, fair share, FIFO by submit time, then id). Passing the
 * list in submit order makes that ordering cheapest.
 */
public record QueueSnapshot(List<Job> jobs) {

  public QueueSnapshot {
    jobs = List.copyOf(jobs);
    Set<String> ids = new HashSet<>();
    for (Job j : jobs) {
      if (!ids.add(j.id())) {
        throw new IllegalArgumentException("job " + j.id() + " is queued twice");
      }
    }
  }

  public static QueueSnapshot of(List<Job> jobs) {
    return new QueueSnapshot(jobs);
  }
}
