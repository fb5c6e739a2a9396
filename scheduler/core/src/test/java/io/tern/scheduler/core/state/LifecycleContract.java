package io.tern.scheduler.core.state;

import io.tern.scheduler.core.model.CapacityType;
import io.tern.scheduler.core.model.NodeAssignment;
import io.tern.scheduler.core.plan.Placement;
import io.tern.scheduler.core.state.JobEvent.Cancel;
import io.tern.scheduler.core.state.JobEvent.Checkpointed;
import io.tern.scheduler.core.state.JobEvent.Exited;
import io.tern.scheduler.core.state.JobEvent.Interrupt;
import io.tern.scheduler.core.state.JobEvent.Lost;
import io.tern.scheduler.core.state.JobEvent.Placed;
import io.tern.scheduler.core.state.JobEvent.StartFailed;
import io.tern.scheduler.core.state.JobEvent.Started;
import io.tern.scheduler.core.state.JobEvent.Stopped;
import java.util.List;

/**
 * Event sequences that every executor of the job lifecycle must take a job through to the same end
 * state and attempt: the bare state machine, the live scheduler and the simulator each run them,
 * turning the events into their own inputs (agent messages and client calls; simulated attempts).
 * Each sequence ends where no executor moves the job on by itself: a terminal state, or an attempt
 * that runs (a simulated agent starts an attempt as soon as it is placed, so none ends STARTING).
 */
public final class LifecycleContract {
  private LifecycleContract() {}

  /** The job's id in every scenario. */
  public static final String JOB = "job-000001";

  /** One thing that happens to the job. */
  public sealed interface Step {}

  /** An event about the job. */
  public record Event(JobEvent event) implements Step {}

  /** The leader fails over (where there is one): the job must go on as if nothing happened. */
  public record Failover() implements Step {}

  /** Where the job ended. */
  public record End(JobState state, int attempt) {}

  /**
   * @param retries the job's retries
   * @param checkpointable whether it can checkpoint
   */
  public record Scenario(
      String name, int retries, boolean checkpointable, List<Step> steps, End end) {
    @Override
    public String toString() {
      return name;
    }
  }

  /** Attempt {@code n} placed on one GPU of node-1. */
  public static Placement placement(int n) {
    return new Placement(
        JOB, n, List.of(new NodeAssignment("node-1", List.of(0))), CapacityType.ON_DEMAND, false);
  }

  private static Step placed(int n) {
    return new Event(new Placed(placement(n)));
  }

  private static Step started(int n) {
    return new Event(new Started(n));
  }

  private static Step exited(int n, int code) {
    return new Event(new Exited(n, code));
  }

  private static Step event(JobEvent e) {
    return new Event(e);
  }

  private static Scenario scenario(
      String name, int retries, boolean checkpointable, End end, Step... steps) {
    return new Scenario(name, retries, checkpointable, List.of(steps), end);
  }

  public static List<Scenario> scenarios() {
    return List.of(
        scenario(
            "runs and succeeds",
            0,
            false,
            new End(JobState.SUCCEEDED, 1),
            placed(1),
            started(1),
            exited(1, 0)),
        scenario(
            "fails, retries, succeeds",
            1,
            false,
            new End(JobState.SUCCEEDED, 2),
            placed(1),
            started(1),
            exited(1, 3),
            placed(2),
            started(2),
            exited(2, 0)),
        scenario(
            "fails until its retries are used up",
            1,
            false,
            new End(JobState.FAILED, 2),
            placed(1),
            started(1),
            exited(1, 1),
            placed(2),
            event(new StartFailed(2))),
        scenario(
            "preempted with a checkpoint, resumes and succeeds",
            0,
            true,
            new End(JobState.SUCCEEDED, 2),
            placed(1),
            started(1),
            event(new Interrupt(1, true, "preempted")),
            event(new Checkpointed(1)),
            placed(2),
            started(2),
            exited(2, 0)),
        scenario(
            "reclaimed without a checkpoint: stopped, runs again",
            0,
            false,
            new End(JobState.RUNNING, 2),
            placed(1),
            started(1),
            event(new Interrupt(1, true, "spot reclaim")),
            event(new Stopped(1)),
            placed(2),
            started(2)),
        scenario(
            "its node is lost: runs again without using a retry",
            0,
            false,
            new End(JobState.RUNNING, 2),
            placed(1),
            started(1),
            event(new Lost(1)),
            placed(2),
            started(2)),
        scenario(
            "cancelled while it checkpoints",
            0,
            true,
            new End(JobState.CANCELLED, 1),
            placed(1),
            started(1),
            event(new Interrupt(1, true, "preempted")),
            event(new Cancel("cancelled")),
            event(new Checkpointed(1))),
        scenario(
            "cancelled while running",
            0,
            false,
            new End(JobState.CANCELLED, 1),
            placed(1),
            started(1),
            event(new Cancel("cancelled")),
            event(new Stopped(1))),
        scenario(
            "the leader fails over while it runs",
            0,
            false,
            new End(JobState.SUCCEEDED, 1),
            placed(1),
            started(1),
            new Failover(),
            exited(1, 0)),
        scenario(
            "the leader fails over while it checkpoints",
            0,
            true,
            new End(JobState.RUNNING, 2),
            placed(1),
            started(1),
            event(new Interrupt(1, true, "preempted")),
            new Failover(),
            event(new Checkpointed(1)),
            placed(2),
            started(2)),
        scenario(
            "a late exit 0 of a lost attempt stops its rerun and the job succeeds",
            0,
            false,
            new End(JobState.SUCCEEDED, 2),
            placed(1),
            started(1),
            event(new Lost(1)),
            placed(2),
            started(2),
            event(new Exited(1, 0, true)),
            event(new Stopped(2))),
        scenario(
            "a late failure of a lost attempt changes nothing",
            0,
            false,
            new End(JobState.SUCCEEDED, 2),
            placed(1),
            started(1),
            event(new Lost(1)),
            placed(2),
            started(2),
            event(new Exited(1, 1, true)),
            exited(2, 0)));
  }
}
