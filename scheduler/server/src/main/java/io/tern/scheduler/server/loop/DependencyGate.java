package io.tern.scheduler.server.loop;

import io.grpc.Status;
import io.tern.api.v1.Dependency;
import io.tern.api.v1.DependencyType;
import io.tern.api.v1.JobSpec;
import io.tern.scheduler.core.state.JobDependencies;
import io.tern.scheduler.core.state.JobDependencies.Never;
import io.tern.scheduler.core.state.JobDependencies.Ready;
import io.tern.scheduler.core.state.JobDependencies.Verdict;
import io.tern.scheduler.core.state.JobDependencies.Waiting;
import io.tern.scheduler.core.state.JobEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Keeps jobs that depend on others out of the plan until their parents have ended as needed ({@link
 * JobDependencies}), and cancels, through the state machine, those whose dependencies can no longer
 * be met. Loop-confined.
 */
final class DependencyGate {
  private final StateWrites writes;
  private final PlanTrigger plans;

  /** Queued jobs found doomed while the planner walked the jobs, cancelled after the walk. */
  private final List<JobEntry> doomed = new ArrayList<>();

  DependencyGate(StateWrites writes, PlanTrigger plans) {
    this.writes = writes;
    this.plans = plans;
  }

  /**
   * Whether the queued {@code entry} must stay out of this plan: it waits for a parent (its reason
   * says which), or it can never run (it is cancelled by {@link #cancelDoomed}).
   */
  boolean holdsBack(LeaderTerm term, JobEntry entry) {
    if (entry.job.getSpec().getDependsOnCount() == 0) {
      return false;
    }
    Verdict verdict = verdict(term, entry.job.getSpec());
    switch (verdict) {
      case Ready r -> {
        entry.waitingFor = null;
        return false;
      }
      case Waiting w -> {
        String reason = w.toString();
        entry.waitingFor = reason;
        if (!entry.job.getPendingReason().equals(reason)) {
          // Derived, not worth a write: persisted with the job's next real change.
          entry.job = entry.job.toBuilder().setPendingReason(reason).build();
        }
        return true;
      }
      case Never n -> {
        doomed.add(entry);
        return true;
      }
    }
  }

  /**
   * For a job a user holds, which stays out of the plan anyway: notes it for {@link #cancelDoomed}
   * when its dependencies can no longer be met, so that it is cancelled as an unheld one is, not
   * only once released.
   */
  void checkHeld(LeaderTerm term, JobEntry entry) {
    if (entry.job.getSpec().getDependsOnCount() > 0
        && verdict(term, entry.job.getSpec()) instanceof Never) {
      doomed.add(entry);
    }
  }

  /**
   * Cancels the jobs {@link #holdsBack} and {@link #checkHeld} found doomed; their own dependents
   * follow next plan.
   */
  void cancelDoomed(LeaderTerm term) {
    if (doomed.isEmpty()) {
      return;
    }
    for (JobEntry entry : doomed) {
      Verdict verdict = verdict(term, entry.job.getSpec());
      if (!(verdict instanceof Never never)) {
        continue;
      }
      String reason = "cancelled: dependency never satisfied: " + never;
      if (!JobLifecycle.on(term, entry, new JobEvent.Cancel(reason)).ignored()) {
        entry.waitingFor = null;
        entry.job = entry.job.toBuilder().setPendingReason(reason).build();
        writes.saveJob(entry, plans::requestPlan);
      }
    }
    doomed.clear();
  }

  /**
   * Refuses a spec that names a job that does not exist, or that {@code seesTeam} does not accept
   * the team of (NOT_FOUND-alike: INVALID_ARGUMENT that says "no job"). A new job cannot be
   * anyone's parent yet, so no cycle can form.
   */
  static void checkParents(LeaderTerm term, JobSpec spec, Predicate<String> seesTeam) {
    for (int i = 0; i < spec.getDependsOnCount(); i++) {
      String id = spec.getDependsOn(i).getJobId();
      JobEntry parent = term.entry(id);
      if (parent == null) {
        List<JobEntry> tasks = JobRequests.tasks(term, id);
        parent = tasks.isEmpty() ? null : tasks.get(0); // an array: its tasks share its team
      }
      if (parent == null || !seesTeam.test(parent.job.getSpec().getTeam())) {
        throw Status.INVALID_ARGUMENT
            .withDescription("spec.dependsOn[" + i + "]: no job " + id)
            .asRuntimeException();
      }
    }
  }

  private static Verdict verdict(LeaderTerm term, JobSpec spec) {
    List<JobDependencies.Dependency> dependencies = new ArrayList<>();
    for (Dependency d : spec.getDependsOnList()) {
      dependencies.add(new JobDependencies.Dependency(d.getJobId(), type(d.getType())));
    }
    return JobDependencies.evaluate(
        dependencies, id -> Optional.ofNullable(stateOf(term, id)).map(JobLifecycle::core));
  }

  /**
   * A job's state; for an array, one state for all its tasks, as Slurm counts an array parent: that
   * of a task still to end while any is, then SUCCEEDED if all succeeded, FAILED if any failed,
   * CANCELLED otherwise. Null for neither.
   */
  private static io.tern.api.v1.JobState stateOf(LeaderTerm term, String id) {
    JobEntry entry = term.entry(id);
    if (entry != null) {
      return entry.job.getState();
    }
    List<JobEntry> tasks = JobRequests.tasks(term, id);
    if (tasks.isEmpty()) {
      return null;
    }
    io.tern.api.v1.JobState ended = io.tern.api.v1.JobState.JOB_STATE_SUCCEEDED;
    for (JobEntry task : tasks) {
      if (!task.finished()) {
        return task.state();
      }
      if (task.state() == io.tern.api.v1.JobState.JOB_STATE_FAILED) {
        ended = task.state();
      } else if (task.state() == io.tern.api.v1.JobState.JOB_STATE_CANCELLED
          && ended == io.tern.api.v1.JobState.JOB_STATE_SUCCEEDED) {
        ended = task.state();
      }
    }
    return ended;
  }

  private static JobDependencies.Type type(DependencyType type) {
    return switch (type) {
      case DEPENDENCY_TYPE_AFTER_ANY -> JobDependencies.Type.AFTER_ANY;
      case DEPENDENCY_TYPE_AFTER_NOT_OK -> JobDependencies.Type.AFTER_NOT_OK;
      default -> JobDependencies.Type.AFTER_OK;
    };
  }
}
