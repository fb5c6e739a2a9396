package io.tern.scheduler.core.state;

import java.util.List;

/**
 * The outcome of one event: the new status and the effects to execute, in order.
 *
 * @param status the job's status after the event
 * @param effects what the caller must do, in order
 * @param ignored true when the event was stale (an older attempt) or redundant and changed nothing
 */
public record Transition(JobStatus status, List<Effect> effects, boolean ignored) {

  public Transition {
    effects = List.copyOf(effects);
  }

  static Transition to(JobStatus status, Effect... effects) {
    return new Transition(status, List.of(effects), false);
  }

  static Transition ignore(JobStatus status) {
    return new Transition(status, List.of(), true);
  }

  public JobState state() {
    return status.state();
  }
}
