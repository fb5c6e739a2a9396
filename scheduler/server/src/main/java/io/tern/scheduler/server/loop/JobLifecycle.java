package io.tern.scheduler.server.loop;

import io.tern.api.v1.Job;
import io.tern.scheduler.core.state.JobEvent;
import io.tern.scheduler.core.state.JobState;
import io.tern.scheduler.core.state.JobStateMachine;
import io.tern.scheduler.core.state.JobStatus;
import io.tern.scheduler.core.state.Transition;

/**
 * The live scheduler's side of {@link JobStateMachine}: reads a stored job as the core's {@link
 * JobStatus}, feeds it an event, and writes the state the transition names back into the job (and
 * the term's in-memory marks of stops, cancels and late successes). The only code in the scheduler
 * that sets a job's state; callers execute the transition's effects. Loop-confined.
 */
final class JobLifecycle {
  private static final JobStateMachine MACHINE = new JobStateMachine();

  private JobLifecycle() {}

  /** A new job as it is first stored: pending. */
  static Job submitted(Job.Builder job) {
    return job.setState(io.tern.api.v1.JobState.JOB_STATE_PENDING).build();
  }

  /** The job as the state machine sees it. */
  static JobStatus status(LeaderTerm term, JobEntry entry) {
    Job job = entry.job;
    int retriesLeft = Math.max(0, job.getSpec().getRetries() - JobChanges.failedAttempts(job));
    return new JobStatus(
        job.getId(),
        core(job.getState()),
        entry.attemptNumber(),
        retriesLeft,
        job.getSpec().hasCheckpoint(),
        term.stopping.contains(job.getId()),
        term.cancelling.contains(job.getId()),
        term.finishedEarlier.contains(job.getId()),
        job.getHeldByUser());
  }

  /**
   * Feeds {@code event} to the state machine and, unless it is ignored, writes the new state into
   * {@code entry.job} (not saved: the caller saves once it has recorded the rest of the change).
   */
  static Transition on(LeaderTerm term, JobEntry entry, JobEvent event) {
    JobStatus before = status(term, entry);
    Transition t = MACHINE.on(before, event);
    if (t.ignored()) {
      return t;
    }
    JobStatus after = t.status();
    Job.Builder job =
        entry.job.toBuilder().setState(proto(after.state())).setHeldByUser(after.heldByUser());
    if (after.cancelRequested() && !before.cancelRequested()) {
      job.setCancelRequested(true);
    }
    entry.job = job.build();
    term.track(entry);
    String id = entry.id();
    if (after.stopping()) {
      term.stopping.add(id);
    } else {
      term.stopping.remove(id);
    }
    if (after.cancelRequested() && !after.state().terminal()) {
      term.cancelling.add(id);
    } else {
      term.cancelling.remove(id);
    }
    if (after.finishedEarlier()) {
      term.finishedEarlier.add(id);
    } else {
      term.finishedEarlier.remove(id);
    }
    return t;
  }

  static JobState core(io.tern.api.v1.JobState state) {
    return switch (state) {
      case JOB_STATE_HELD -> JobState.HELD;
      case JOB_STATE_STARTING -> JobState.STARTING;
      case JOB_STATE_RUNNING -> JobState.RUNNING;
      case JOB_STATE_CHECKPOINTING -> JobState.CHECKPOINTING;
      case JOB_STATE_SUCCEEDED -> JobState.SUCCEEDED;
      case JOB_STATE_FAILED -> JobState.FAILED;
      case JOB_STATE_CANCELLED -> JobState.CANCELLED;
      // LOST is never stored any more: a lost attempt's job goes straight back to the queue.
      case JOB_STATE_PENDING, JOB_STATE_LOST, JOB_STATE_UNSPECIFIED, UNRECOGNIZED ->
          JobState.PENDING;
    };
  }

  static io.tern.api.v1.JobState proto(JobState state) {
    return switch (state) {
      case PENDING -> io.tern.api.v1.JobState.JOB_STATE_PENDING;
      case HELD -> io.tern.api.v1.JobState.JOB_STATE_HELD;
      case STARTING -> io.tern.api.v1.JobState.JOB_STATE_STARTING;
      case RUNNING -> io.tern.api.v1.JobState.JOB_STATE_RUNNING;
      case CHECKPOINTING -> io.tern.api.v1.JobState.JOB_STATE_CHECKPOINTING;
      case SUCCEEDED -> io.tern.api.v1.JobState.JOB_STATE_SUCCEEDED;
      case FAILED -> io.tern.api.v1.JobState.JOB_STATE_FAILED;
      case CANCELLED -> io.tern.api.v1.JobState.JOB_STATE_CANCELLED;
    };
  }
}
