package io.tern.scheduler.server.loop;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.tern.api.v1.Attempt;
import io.tern.api.v1.JobState;
import io.tern.api.v1.LogChunk;
import io.tern.api.v1.LogData;
import io.tern.api.v1.ReadLogs;
import io.tern.api.v1.StreamLogsRequest;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * Relays a job's log from the agent that runs (or ran) it to a client ({@code tern logs}): the
 * leader asks the agent for the next piece with ReadLogs, forwards each LogData, and with {@code
 * follow} keeps asking while the attempt runs. Logs stay on the nodes; nothing is stored. Confined
 * to the scheduler loop thread.
 */
public final class LogRelay {
  static final int CHUNK_BYTES = 256 * 1024;
  static final Duration FOLLOW_POLL = Duration.ofMillis(500);

  /**
   * How long an agent has to answer a ReadLogs: one that is connected but paused (SIGSTOP, a
   * stalled host) would otherwise leave the client waiting for ever.
   */
  static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(10);

  private final LoopThread loop;
  private final Map<Long, Stream> streams = new HashMap<>();
  private long nextRequestId = 1;

  LogRelay(LoopThread loop) {
    this.loop = loop;
  }

  private static final class Stream {
    final String jobId;
    final int attempt;
    final String nodeId;
    final boolean follow;
    final ServerCallStreamObserver<LogChunk> client;
    long offset;

    /** Lines to start with, counted back from the end; 0 once the first read is asked. */
    int tailLines;

    Stream(
        String jobId,
        int attempt,
        String nodeId,
        boolean follow,
        int tailLines,
        ServerCallStreamObserver<LogChunk> client) {
      this.jobId = jobId;
      this.attempt = attempt;
      this.nodeId = nodeId;
      this.follow = follow;
      this.tailLines = tailLines;
      this.client = client;
    }
  }

  /**
   * Starts relaying; errors (no such job, no such attempt, node gone) end the client's stream. A
   * follower of a job whose latest attempt is not running yet waits until one runs; a job that ends
   * without one (e.g. cancelled while queued) has no log, which the follower is told too.
   */
  public void stream(StreamLogsRequest request, ServerCallStreamObserver<LogChunk> client) {
    loop.execute(
        () -> {
          try {
            start(loop.requireLeader(), request, client);
          } catch (RuntimeException e) {
            client.onError(io.tern.scheduler.server.api.GrpcErrors.toStatus(e));
          }
        });
  }

  private void start(
      LeaderTerm term, StreamLogsRequest request, ServerCallStreamObserver<LogChunk> client) {
    JobEntry entry = JobRequests.find(term, request.getJobId());
    int number = request.getAttempt() > 0 ? request.getAttempt() : entry.attemptNumber();
    // Following the latest attempt: wait until one runs (a starting one has no log yet).
    boolean notRunningYet =
        number == 0 || (request.getAttempt() == 0 && entry.state() == JobState.JOB_STATE_STARTING);
    if (notRunningYet && request.getFollow() && !entry.finished()) {
      loop.schedule(
          () -> {
            if (client.isCancelled()) {
              return;
            }
            if (loop.term() != term) {
              client.onError(
                  Status.UNAVAILABLE.withDescription("leader changed").asRuntimeException());
              return;
            }
            try {
              start(term, request, client);
            } catch (RuntimeException e) {
              client.onError(io.tern.scheduler.server.api.GrpcErrors.toStatus(e));
            }
          },
          FOLLOW_POLL);
      return;
    }
    // By number: attempts that never ran may have been dropped from the record.
    Attempt attempt =
        entry.job.getAttemptsList().stream()
            .filter(a -> a.getNumber() == number)
            .findFirst()
            .orElse(null);
    if (attempt == null) {
      throw new NoSuchElementException(
          request.getJobId()
              + (number > 0
                  ? " has no attempt " + number
                  : entry.finished() ? endedUnstarted(entry) : NOT_STARTED_YET));
    }
    if (!attempt.hasStartedAt()
        && (JobChanges.neverRan(attempt) || attempt.getEndReason().startsWith("start failed"))) {
      // Its node never started it: there never was a log.
      throw new NoSuchElementException(
          request.getJobId()
              + " attempt "
              + number
              + " never started ("
              + attempt.getEndReason()
              + "): it has no log");
    }
    Stream stream =
        new Stream(
            entry.id(),
            number,
            attempt.getNodeIds(0),
            request.getFollow(),
            request.getTailLines(),
            client);
    ask(term, stream);
  }

  private static final String NOT_STARTED_YET =
      " has not started yet (follow it to wait for its output)";

  /** Why a job that ended without an attempt has no log: e.g. it was cancelled while queued. */
  private static String endedUnstarted(JobEntry entry) {
    String how =
        entry.state() == JobState.JOB_STATE_CANCELLED
            ? "was cancelled"
            : "ended " + entry.state().name().substring("JOB_STATE_".length());
    return " " + how + " before it started: it has no logs";
  }

  private void ask(LeaderTerm term, Stream stream) {
    NodeSession session = term.nodes.get(stream.nodeId);
    if (session == null || !session.connected()) {
      // Not UNAVAILABLE: that says "this replica cannot serve", and a client would try replica
      // after replica for what only the node's return can change.
      stream.client.onError(
          Status.FAILED_PRECONDITION
              .withDescription(
                  "node "
                      + stream.nodeId
                      + ", which has the log, is not connected (tern nodes shows when it was"
                      + " last seen; its logs can be read once its agent is back)")
              .asRuntimeException());
      return;
    }
    long id = nextRequestId++;
    streams.put(id, stream);
    session.channel.send(
        term.command()
            .setReadLogs(
                ReadLogs.newBuilder()
                    .setRequestId(id)
                    .setJobId(stream.jobId)
                    .setAttempt(stream.attempt)
                    .setOffset(stream.offset)
                    .setTailLines(stream.tailLines)
                    .setMaxBytes(CHUNK_BYTES))
            .build());
    stream.tailLines = 0;
    loop.schedule(
        () -> {
          if (streams.get(id) == stream) {
            streams.remove(id);
            stream.client.onError(
                Status.FAILED_PRECONDITION
                    .withDescription(
                        "node "
                            + stream.nodeId
                            + ", which has the log, did not answer within "
                            + ANSWER_TIMEOUT.toSeconds()
                            + " s (its agent may be paused or overloaded; tern nodes shows when it"
                            + " was last seen)")
                    .asRuntimeException());
          }
        },
        ANSWER_TIMEOUT);
  }

  /** Agent {@code fromNode} answered a ReadLogs; answers from any other node are ignored. */
  void onLogData(LeaderTerm term, String fromNode, LogData data) {
    Stream asked = streams.get(data.getRequestId());
    if (asked == null || !asked.nodeId.equals(fromNode)) {
      return; // not a request this node was asked: another agent cannot feed a user's log stream
    }
    Stream stream = streams.remove(data.getRequestId());
    if (stream.client.isCancelled()) {
      return;
    }
    if (!data.getError().isEmpty()) {
      stream.client.onError(Status.NOT_FOUND.withDescription(data.getError()).asRuntimeException());
      return;
    }
    stream.offset = data.getNextOffset();
    if (!data.getData().isEmpty()) {
      stream.client.onNext(
          LogChunk.newBuilder().setAttempt(stream.attempt).setData(data.getData()).build());
      ask(term, stream);
      return;
    }
    JobEntry entry = term.jobs.get(stream.jobId);
    boolean running = entry != null && entry.holdsGpus() && entry.attemptNumber() == stream.attempt;
    if (stream.follow && running) {
      loop.schedule(
          () -> {
            if (loop.term() == term && !stream.client.isCancelled()) {
              ask(term, stream);
            }
          },
          FOLLOW_POLL);
    } else {
      stream.client.onCompleted();
    }
  }

  /** The term ended: followers hear UNAVAILABLE and retry against the new leader. */
  void closeAll() {
    streams
        .values()
        .forEach(
            s ->
                s.client.onError(
                    Status.UNAVAILABLE.withDescription("leader changed").asRuntimeException()));
    streams.clear();
  }
}
