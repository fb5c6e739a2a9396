package io.tern.scheduler.server.loop;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.tern.api.v1.Attempt;
import io.tern.api.v1.Job;
import io.tern.api.v1.JobState;
import io.tern.api.v1.LogChunk;
import io.tern.api.v1.LogData;
import io.tern.api.v1.Node;
import io.tern.api.v1.ReadLogs;
import io.tern.api.v1.SchedulerMessage;
import io.tern.api.v1.StreamLogsRequest;
import io.tern.scheduler.server.zk.Epoch;
import io.tern.scheduler.server.zk.StoredState;
import io.tern.scheduler.server.zk.StoredState.Versioned;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The log relay on a loop run by hand: no threads, no waiting. */
class LogRelayTest {
  private static final String JOB = "job-000001";

  private final LeaderTerm term =
      new LeaderTerm(
          new Epoch(7, 0),
          new StoredState(
              "cluster-1",
              Map.of(
                  JOB,
                  new Versioned<>(
                      Job.newBuilder()
                          .setId(JOB)
                          .setState(JobState.JOB_STATE_RUNNING)
                          .addAttempts(Attempt.newBuilder().setNumber(1).addNodeIds("n1"))
                          .build(),
                      0)),
              2,
              Set.of(),
              Map.of("n1", new Versioned<>(Node.newBuilder().setId("n1").build(), 0)),
              Map.of(),
              Map.of(),
              Optional.empty()),
          Instant.EPOCH);
  private final HandLoop loop = new HandLoop();
  private final Agent agent = new Agent();
  private final Client client = new Client();
  private final LogRelay relay = new LogRelay(loop);

  {
    term.nodes.get("n1").channel = agent;
  }

  /** A loop that runs what it is given only when the test says so. */
  private final class HandLoop implements LoopThread {
    final Queue<Runnable> now = new ArrayDeque<>();
    final List<Duration> delays = new ArrayList<>();
    final Queue<Runnable> later = new ArrayDeque<>();

    @Override
    public void execute(Runnable task) {
      now.add(task);
    }

    @Override
    public void schedule(Runnable task, Duration delay) {
      delays.add(delay);
      later.add(task);
    }

    @Override
    public LeaderTerm requireLeader() {
      return term;
    }

    @Override
    public LeaderTerm term() {
      return term;
    }

    void runNow() {
      while (!now.isEmpty()) {
        now.remove().run();
      }
    }
  }

  private static final class Agent implements AgentChannel {
    final List<SchedulerMessage> sent = new ArrayList<>();

    @Override
    public void send(SchedulerMessage message) {
      sent.add(message);
    }

    @Override
    public void close(String reason, String leaderAddress) {}

    ReadLogs lastAsk() {
      return sent.getLast().getReadLogs();
    }
  }

  private static final class Client extends ServerCallStreamObserver<LogChunk> {
    final StringBuilder text = new StringBuilder();
    Throwable error;
    boolean completed;

    @Override
    public void onNext(LogChunk chunk) {
      text.append(chunk.getData().toStringUtf8());
    }

    @Override
    public void onError(Throwable t) {
      error = t;
    }

    @Override
    public void onCompleted() {
      completed = true;
    }

    @Override
    public boolean isCancelled() {
      return false;
    }

    @Override
    public void setOnCancelHandler(Runnable onCancelHandler) {}

    @Override
    public void setCompression(String compression) {}

    @Override
    public boolean isReady() {
      return true;
    }

    @Override
    public void setOnReadyHandler(Runnable onReadyHandler) {}

    @Override
    public void request(int count) {}

    @Override
    public void setMessageCompression(boolean enable) {}

    @Override
    public void disableAutoInboundFlowControl() {}
  }

  private static LogData data(long request, String text, long next) {
    return LogData.newBuilder()
        .setRequestId(request)
        .setData(ByteString.copyFromUtf8(text))
        .setNextOffset(next)
        .build();
  }

  private void stream(boolean follow) {
    relay.stream(StreamLogsRequest.newBuilder().setJobId(JOB).setFollow(follow).build(), client);
    loop.runNow();
  }

  @Test
  void piecesAreAskedInTurnAndAnEmptyOneEndsTheStream() {
    stream(false);
    ReadLogs first = agent.lastAsk();
    assertThat(agent.sent.getLast().getEpoch()).isEqualTo(7);
    assertThat(first.getJobId()).isEqualTo(JOB);
    assertThat(first.getAttempt()).isEqualTo(1);
    assertThat(first.getOffset()).isZero();

    relay.onLogData(term, "n1", data(first.getRequestId(), "hello\n", 6));
    ReadLogs second = agent.lastAsk();
    assertThat(second.getOffset()).isEqualTo(6);
    relay.onLogData(term, "n1", data(second.getRequestId(), "", 6));

    assertThat(client.text.toString()).isEqualTo("hello\n");
    assertThat(client.completed).isTrue();
  }

  @Test
  void anotherNodeCannotAnswer() {
    stream(false);
    long asked = agent.lastAsk().getRequestId();

    relay.onLogData(term, "n2", data(asked, "forged\n", 7));
    relay.onLogData(term, "n1", data(asked, "", 0));

    assertThat(client.text.toString()).isEmpty();
    assertThat(client.completed).isTrue();
  }

  @Test
  void followingARunningAttemptAsksAgainLaterUntilItEnds() {
    stream(true);
    relay.onLogData(term, "n1", data(agent.lastAsk().getRequestId(), "", 0));
    assertThat(client.completed).isFalse();
    assertThat(loop.delays).containsExactly(LogRelay.ANSWER_TIMEOUT, LogRelay.FOLLOW_POLL);

    term.jobs.get(JOB).job =
        term.jobs.get(JOB).job.toBuilder().setState(JobState.JOB_STATE_SUCCEEDED).build();
    loop.later.remove().run(); // the answer's timeout: answered, nothing to do
    loop.later.remove().run(); // the follow
    relay.onLogData(term, "n1", data(agent.lastAsk().getRequestId(), "", 0));

    assertThat(agent.sent).hasSize(2);
    assertThat(client.completed).isTrue();
    assertThat(client.error).isNull();
  }

  @Test
  void anAgentThatDoesNotAnswerEndsTheStreamSayingSo() {
    stream(true); // its agent is connected, but paused

    assertThat(loop.delays).containsExactly(LogRelay.ANSWER_TIMEOUT);
    loop.later.remove().run();

    Status status = Status.fromThrowable(client.error);
    assertThat(status.getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(status.getDescription())
        .startsWith("node n1, which has the log, did not answer within 10 s");
    relay.onLogData(term, "n1", data(agent.lastAsk().getRequestId(), "late\n", 5));
    assertThat(client.text.toString()).as("a late answer goes nowhere").isEmpty();
  }

  @Test
  void anAttemptThatNeverStartedHasNoLogAndTheRelayAsksNoAgent() {
    String failed = "start failed: exec failed: no such executable file";
    term.jobs.get(JOB).job =
        term.jobs.get(JOB).job.toBuilder()
            .setState(JobState.JOB_STATE_FAILED)
            .setAttempts(
                0,
                Attempt.newBuilder()
                    .setNumber(3) // 1 and 2 never ran, and were dropped from the record
                    .addNodeIds("n1")
                    .setEndedAt(com.google.protobuf.Timestamp.newBuilder().setSeconds(60))
                    .setEndReason(failed))
            .build();

    stream(false);

    Status status = Status.fromThrowable(client.error);
    assertThat(status.getCode()).isEqualTo(Status.Code.NOT_FOUND);
    assertThat(status.getDescription())
        .isEqualTo(JOB + " attempt 3 never started (" + failed + "): it has no log");
    assertThat(agent.sent).isEmpty();
  }

  @Test
  void aDisconnectedNodeEndsTheStreamSayingSoNotAsAnUnavailableReplica() {
    term.nodes.get("n1").channel = null;

    stream(false);

    Status status = Status.fromThrowable(client.error);
    assertThat(status.getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(status.getDescription()).startsWith("node n1, which has the log, is not connected");
  }
}
