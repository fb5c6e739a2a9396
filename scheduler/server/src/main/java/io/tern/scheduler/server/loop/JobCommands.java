package io.tern.scheduler.server.loop;

import io.tern.api.v1.Attempt;
import io.tern.api.v1.CheckpointJob;
import io.tern.api.v1.Job;
import io.tern.api.v1.SchedulerMessage;
import io.tern.scheduler.core.state.Effect;
import io.tern.scheduler.core.state.JobEvent;
import io.tern.scheduler.core.state.Transition;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;

/**
 * Commands to the agents that run a job's attempt: interrupt it (checkpoint and exit, or stop) as
 * the state machine decides, or stop it. A command that changes the job goes out only once the
 * change is in ZooKeeper. Loop thread only.
 */
final class JobCommands {
  private final StateWrites writes;

  JobCommands(StateWrites writes) {
    this.writes = writes;
  }

  /**
   * Cancels a job: a queued one at once (its reason kept where a queued job's reason is), a running
   * one once its agent has stopped it (it then ends CANCELLED); a finished one is answered
   * unchanged.
   *
   * @return the job as stored (for a running one, before its end), once in ZooKeeper
   */
  CompletableFuture<Job> cancel(LeaderTerm term, JobEntry entry, String reason) {
    CompletableFuture<Job> done = new CompletableFuture<>();
    Transition t = JobLifecycle.on(term, entry, new JobEvent.Cancel(reason));
    if (t.ignored()) {
      done.complete(entry.job); // already finished, or already being cancelled
      return done;
    }
    if (t.effects().isEmpty()) {
      entry.job = entry.job.toBuilder().setPendingReason(reason).build();
      writes.saveJob(entry, () -> done.complete(entry.job), done::completeExceptionally);
      return done;
    }
    var attempt = entry.currentAttempt().orElseThrow();
    Job snapshot = entry.job;
    writes.saveJob(
        entry,
        () -> {
          sendStop(term, entry.id(), attempt, reason);
          done.complete(snapshot);
        },
        done::completeExceptionally);
    return done;
  }

  /**
   * Asks a running job to checkpoint and exit, or to stop when it cannot checkpoint.
   *
   * @return completes once the change is in ZooKeeper (at once when nothing was stored), or fails
   *     if it never commits in this term
   */
  CompletableFuture<Void> interrupt(
      LeaderTerm term, String jobId, int attempt, boolean checkpoint, String reason, Instant now) {
    return interrupt(term, jobId, attempt, checkpoint, reason, now, null);
  }

  /**
   * Like {@link #interrupt(LeaderTerm, String, int, boolean, String, Instant)}, with the checkpoint
   * deadline capped at {@code notAfter} (a spot reclaim's termination time), if given.
   */
  CompletableFuture<Void> interrupt(
      LeaderTerm term,
      String jobId,
      int attempt,
      boolean checkpoint,
      String reason,
      Instant now,
      Instant notAfter) {
    JobEntry entry = term.entry(jobId);
    if (entry == null) {
      return CompletableFuture.completedFuture(null);
    }
    Transition t =
        JobLifecycle.on(term, entry, new JobEvent.Interrupt(attempt, checkpoint, reason));
    if (t.ignored()) {
      return CompletableFuture.completedFuture(null);
    }
    Attempt current = entry.currentAttempt().orElseThrow();
    if (t.effects().getFirst() instanceof Effect.SendCheckpoint) {
      // Kept with the attempt: a request sent again (the agent was away) says the same.
      var job = entry.job.toBuilder();
      int last = job.getAttemptsCount() - 1;
      job.setAttempts(last, job.getAttempts(last).toBuilder().setCheckpointReason(reason));
      entry.job = job.build();
      SchedulerMessage command = checkpointCommand(term, entry, reason, now, notAfter);
      CompletableFuture<Void> stored = new CompletableFuture<>();
      writes.saveJob(
          entry,
          () -> {
            send(term, current, command);
            stored.complete(null);
          },
          stored::completeExceptionally);
      return stored;
    }
    sendStop(term, jobId, current, reason);
    return CompletableFuture.completedFuture(null);
  }

  /**
   * Asks the agent on {@code session} again to checkpoint the current attempt of a job that is
   * CHECKPOINTING: the first request may never have reached it (made while the agent was away, or
   * by a leader that stepped down before sending it), and the job would run on, shown as
   * checkpointing. An agent ignores a request for an attempt that is checkpointing already. The
   * deadline starts again from {@code now}, capped at the node's reclaim time.
   */
  void checkpointAgain(LeaderTerm term, JobEntry entry, NodeSession session, Instant now) {
    Instant reclaimAt =
        session.node.hasReclaimAt() ? CoreSnapshots.instant(session.node.getReclaimAt()) : null;
    String reason =
        entry
            .currentAttempt()
            .map(Attempt::getCheckpointReason)
            .filter(r -> !r.isEmpty())
            .orElse("checkpoint requested before the agent reconnected");
    session.channel.send(checkpointCommand(term, entry, reason, now, reclaimAt));
  }

  private static SchedulerMessage checkpointCommand(
      LeaderTerm term, JobEntry entry, String reason, Instant now, Instant notAfter) {
    var g = entry.job.getSpec().getCheckpoint().getGrace();
    Duration grace = Duration.ofSeconds(g.getSeconds(), g.getNanos());
    Instant deadline = io.tern.scheduler.spec.CheckpointDeadline.due(now, grace, notAfter);
    return term.command()
        .setCheckpointJob(
            CheckpointJob.newBuilder()
                .setJobId(entry.id())
                .setAttempt(entry.attemptNumber())
                .setDeadline(CoreSnapshots.timestamp(deadline))
                .setReason(reason))
        .build();
  }

  /** Tells every node of {@code attempt} of job {@code jobId} to stop it. */
  void sendStop(LeaderTerm term, String jobId, Attempt attempt, String reason) {
    send(term, attempt, term.stopCommand(jobId, attempt.getNumber(), reason));
  }

  /** Sends {@code message} to every connected node of {@code attempt}. */
  void send(LeaderTerm term, Attempt attempt, SchedulerMessage message) {
    for (String nodeId : attempt.getNodeIdsList()) {
      NodeSession session = term.nodes.get(nodeId);
      if (session != null && session.connected()) {
        session.channel.send(message);
      }
    }
  }
}
