package io.tern.scheduler.server.loop;

import io.grpc.Status;
import io.tern.api.v1.Job;
import io.tern.api.v1.JobSpec;
import io.tern.api.v1.JobState;
import io.tern.api.v1.UpdateJobRequest;
import io.tern.scheduler.core.state.JobEvent;
import io.tern.scheduler.core.state.Transition;
import io.tern.scheduler.spec.DeadlineFit;
import io.tern.scheduler.spec.JobSpecDefaults;
import io.tern.scheduler.spec.JobSpecValidator;
import io.tern.scheduler.spec.SpecError;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;

/**
 * What a user does to a job besides submitting and cancelling it, run on the loop: hold, release,
 * requeue and update, of one job or of every task of an array its id names. State changes go
 * through {@link JobLifecycle}; replies that report a change complete once it is in ZooKeeper,
 * except a requeue's, which completes when the checkpoint (or stop) has been asked for.
 */
public final class JobControls {
  private final LoopThread loop;
  private final Clock clock;
  private final StateWrites writes;
  private final JobCommands commands;
  private final PlanTrigger plans;

  JobControls(
      LoopThread loop, Clock clock, StateWrites writes, JobCommands commands, PlanTrigger plans) {
    this.loop = loop;
    this.clock = clock;
    this.writes = writes;
    this.commands = commands;
    this.plans = plans;
  }

  /**
   * Holds a queued job until {@link #release}; a job a user already held is returned unchanged, or
   * with the new reason if one is given.
   *
   * @param who the caller, named in the job's pending reason
   */
  public CompletableFuture<Job> hold(String jobId, String who, String reason) {
    return loop.callAsync(
        term -> forJobOrTasks(term, jobId, "held", e -> hold(term, e, who, reason)));
  }

  private CompletableFuture<Job> hold(LeaderTerm term, JobEntry entry, String who, String reason) {
    if (entry.job.getHeldByUser() && entry.state() == JobState.JOB_STATE_HELD) {
      String again = "held by " + who + ": " + reason;
      if (reason.isEmpty() || entry.job.getPendingReason().equals(again)) {
        return CompletableFuture.completedFuture(entry.job);
      }
      // Held already: a new reason replaces the old one.
      entry.job = entry.job.toBuilder().setPendingReason(again).build();
      return saved(entry);
    }
    Transition t = JobLifecycle.on(term, entry, new JobEvent.UserHold());
    if (t.ignored()) {
      throw refused(entry, "held", "only a queued job can be held; requeue a running one");
    }
    String why = "held by " + who + (reason.isEmpty() ? "" : ": " + reason);
    entry.job = entry.job.toBuilder().setPendingReason(why).build();
    return saved(entry);
  }

  /**
   * Releases a job a user held (HELD): it queues again. A job that is not held is returned
   * unchanged; one that has ended, or that a policy holds (off-peak, budget), is refused; for an
   * array's id, only its tasks a user holds are released.
   */
  public CompletableFuture<Job> release(String jobId, String who) {
    return loop.callAsync(
        term -> forJobOrTasks(term, jobId, "released", e -> release(term, e, who)));
  }

  private CompletableFuture<Job> release(LeaderTerm term, JobEntry entry, String who) {
    if (!entry.job.getHeldByUser()
        && !entry.finished()
        && entry.state() != JobState.JOB_STATE_HELD) {
      // Not held, and no policy holds it: released already, as a hold of a held job is held.
      return CompletableFuture.completedFuture(entry.job);
    }
    Transition t = JobLifecycle.on(term, entry, new JobEvent.UserRelease());
    if (t.ignored()) {
      throw refused(
          entry,
          "released",
          entry.finished()
              ? "it has ended; only a job a user held (tern hold) can be released"
              : "only a job a user held (tern hold) can be released");
    }
    entry.job = entry.job.toBuilder().setPendingReason("released by " + who).build();
    return saved(entry);
  }

  /**
   * Puts a running job back in the queue: it checkpoints (or, unable to, is stopped) and resumes at
   * its next placement, without using a retry.
   */
  public CompletableFuture<Job> requeue(String jobId, String who, String reason) {
    return loop.callAsync(
        term -> forJobOrTasks(term, jobId, "requeued", e -> requeue(term, e, who, reason)));
  }

  private CompletableFuture<Job> requeue(
      LeaderTerm term, JobEntry entry, String who, String reason) {
    if (term.cancelling.contains(entry.id())) {
      throw refused(entry, "requeued", "it is being cancelled");
    }
    if (entry.state() != JobState.JOB_STATE_RUNNING || term.stopping.contains(entry.id())) {
      throw refused(entry, "requeued", "only a running job can be requeued");
    }
    String why = "requeued by " + who + (reason.isEmpty() ? "" : ": " + reason);
    CompletableFuture<Void> stored =
        commands.interrupt(term, entry.id(), entry.attemptNumber(), true, why, clock.instant());
    Job snapshot = entry.job;
    // Answered once the change is in ZooKeeper, as every other change is.
    return stored.thenApply(v -> snapshot);
  }

  /**
   * Changes the priority, deadline or retries of a queued job. The changed spec is checked as at
   * submission (a new deadline by the scheduler's clock). The values are checked first, on the job
   * or on an array's first task, so a bad one is INVALID_ARGUMENT whatever the states.
   */
  public CompletableFuture<Job> update(UpdateJobRequest request) {
    return loop.callAsync(
        term -> {
          String id = request.getJobId();
          List<JobEntry> tasks = term.entry(id) == null ? JobRequests.tasks(term, id) : List.of();
          JobEntry first = tasks.isEmpty() ? JobRequests.find(term, id) : tasks.get(0);
          updated(first.job.getSpec(), request, clock.instant());
          return forJobOrTasks(term, id, "updated", e -> update(e, request));
        });
  }

  private CompletableFuture<Job> update(JobEntry entry, UpdateJobRequest request) {
    if (!entry.queued()) {
      throw refused(entry, "updated", "only a queued job can be updated");
    }
    JobSpec spec = updated(entry.job.getSpec(), request, clock.instant());
    entry.job = entry.job.toBuilder().setSpec(spec).build();
    return saved(entry);
  }

  /**
   * Applies {@code verb} to the job {@code id}, or, for an array's id, to each of its tasks whose
   * state allows it (as CancelJob does), skipping the others; answers with the first task changed.
   * An array none of whose tasks allows it is refused as a job would be, naming the array.
   */
  private CompletableFuture<Job> forJobOrTasks(
      LeaderTerm term,
      String id,
      String verb,
      java.util.function.Function<JobEntry, CompletableFuture<Job>> verbOnOne) {
    List<JobEntry> tasks = term.entry(id) == null ? JobRequests.tasks(term, id) : List.of();
    if (tasks.isEmpty()) {
      return verbOnOne.apply(JobRequests.find(term, id));
    }
    List<CompletableFuture<Job>> changed = new java.util.ArrayList<>();
    for (JobEntry task : tasks) {
      try {
        changed.add(verbOnOne.apply(task));
      } catch (io.grpc.StatusRuntimeException e) {
        if (e.getStatus().getCode() != Status.Code.FAILED_PRECONDITION) {
          throw e;
        }
      }
    }
    if (changed.isEmpty()) {
      throw Status.FAILED_PRECONDITION
          .withDescription(
              "array "
                  + id
                  + (verb.equals("released")
                      ? " has no task a user held, so none can be released"
                      : " has no task that can be " + verb)
                  + " (tern status "
                  + id
                  + ")")
          .asRuntimeException();
    }
    return CompletableFuture.allOf(changed.toArray(CompletableFuture[]::new))
        .thenApply(v -> changed.get(0).join());
  }

  /**
   * {@code spec} with the request's changes; INVALID_ARGUMENT naming the field when the result
   * would not be accepted at submission. Both a deadline and clear_deadline is an error.
   */
  static JobSpec updated(JobSpec spec, UpdateJobRequest request, Instant now) {
    if (request.hasDeadline() && request.getClearDeadline()) {
      throw Status.INVALID_ARGUMENT
          .withDescription("clear_deadline: not together with deadline")
          .asRuntimeException();
    }
    if (!request.hasPriority()
        && !request.hasDeadline()
        && !request.getClearDeadline()
        && !request.hasRetries()) {
      throw Status.INVALID_ARGUMENT
          .withDescription("priority, deadline, clear_deadline or retries: nothing to change")
          .asRuntimeException();
    }
    JobSpec.Builder out = spec.toBuilder();
    if (request.hasPriority()) {
      out.setPriority(request.getPriority());
    }
    if (request.hasDeadline()) {
      out.setDeadline(request.getDeadline());
    } else if (request.getClearDeadline()) {
      out.clearDeadline();
    }
    if (request.hasRetries()) {
      out.setRetries(request.getRetries());
    }
    JobSpec changed = JobSpecDefaults.normalize(out.build());
    // A deadline the job already had may have passed while it waited: only a new one must lie
    // ahead.
    List<SpecError> errors =
        request.hasDeadline()
            ? JobSpecValidator.validate(changed, now)
            : JobSpecValidator.validate(changed);
    if (!errors.isEmpty()) {
      throw Status.INVALID_ARGUMENT
          .withDescription(
              errors.stream().map(SpecError::toString).collect(Collectors.joining("; ")))
          .asRuntimeException();
    }
    if (request.hasDeadline()) {
      // As at submission: a deadline the job cannot make if it started now.
      DeadlineFit.problem(changed, now)
          .ifPresent(
              p -> {
                throw Status.INVALID_ARGUMENT
                    .withDescription("deadline: " + p)
                    .asRuntimeException();
              });
    }
    return changed;
  }

  private CompletableFuture<Job> saved(JobEntry entry) {
    CompletableFuture<Job> done = new CompletableFuture<>();
    Job snapshot = entry.job;
    writes.saveJob(
        entry,
        () -> {
          done.complete(snapshot);
          plans.requestPlan();
        },
        done::completeExceptionally);
    return done;
  }

  private static RuntimeException refused(JobEntry entry, String verb, String rule) {
    return Status.FAILED_PRECONDITION
        .withDescription(
            entry.id()
                + " is "
                + entry.state().name().substring("JOB_STATE_".length())
                + " and cannot be "
                + verb
                + ": "
                + rule)
        .asRuntimeException();
  }
}
