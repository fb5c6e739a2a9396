package io.tern.scheduler.server.console;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.javalin.http.sse.SseClient;
import io.tern.api.v1.JobServiceGrpc;
import io.tern.api.v1.LogChunk;
import io.tern.api.v1.StreamLogsRequest;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Server-sent events that keep the console's pages live: a view is read again every {@link
 * #FAST_MILLIS} (cost and off-peak every {@link #SLOW_MILLIS}) and sent as a {@code data} event
 * when it changed; a failure is sent as a {@code failure} event ({@code {"status":404,...}}) and,
 * for refusals and missing things, ends the stream. Logs stream as {@code log} events straight from
 * StreamLogs, then {@code end}.
 */
final class LiveFeeds implements AutoCloseable {
  static final long FAST_MILLIS = 1000;
  static final long SLOW_MILLIS = 10_000;

  /** How long a view may go unchanged before a comment checks that its page is still there. */
  static final long KEEP_ALIVE_MILLIS = 20_000;

  /**
   * Live views one session may hold open at once: a page holds one or two, so this is a few tabs.
   * Each view reads the scheduler every second; without a bound one user's script could keep the
   * leader busy answering the same question.
   */
  static final int MAX_PER_SESSION = 8;

  /** Reads one view's JSON. */
  interface View {
    String read();
  }

  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(daemon("console-feeds"));
  private final ExecutorService readers = Executors.newFixedThreadPool(4, daemon("console-read"));
  private final Set<SseClient> open = ConcurrentHashMap.newKeySet();
  private final java.util.Map<String, Integer> perSession = new ConcurrentHashMap<>();

  /**
   * Counts a view {@code session} opens; false (and nothing counted) when it already holds {@link
   * #MAX_PER_SESSION}. Every true is matched by one {@link #release}.
   */
  boolean admit(String session) {
    boolean[] admitted = {false};
    perSession.compute(
        session,
        (k, n) -> {
          int held = n == null ? 0 : n;
          admitted[0] = held < MAX_PER_SESSION;
          return admitted[0] ? held + 1 : held;
        });
    return admitted[0];
  }

  void release(String session) {
    perSession.computeIfPresent(session, (k, n) -> n <= 1 ? null : n - 1);
  }

  /** Sends {@code view} whenever it changes; {@code closed} runs once the page goes. */
  void follow(SseClient client, View view, boolean slow, Runnable closed) {
    client.keepAlive();
    open.add(client);
    AtomicBoolean busy = new AtomicBoolean();
    String[] last = {null};
    long[] quietPolls = {0};
    long keepAliveEvery = KEEP_ALIVE_MILLIS / (slow ? SLOW_MILLIS : FAST_MILLIS);
    Runnable poll =
        () -> {
          if (client.terminated() || !busy.compareAndSet(false, true)) {
            return;
          }
          readers.execute(
              () -> {
                try {
                  String json = view.read();
                  if (!json.equals(last[0])) {
                    last[0] = json;
                    quietPolls[0] = 0;
                    send(client, "data", json);
                  } else if (++quietPolls[0] >= keepAliveEvery) {
                    // A page that left is noticed only when a write fails: write now and then.
                    quietPolls[0] = 0;
                    keepAlive(client);
                  }
                } catch (StatusRuntimeException e) {
                  fail(client, ConsoleError.of(e));
                } catch (ConsoleError e) {
                  fail(client, e);
                } catch (RuntimeException e) {
                  fail(client, new ConsoleError(500, e.toString()));
                } finally {
                  busy.set(false);
                }
              });
        };
    var task =
        timer.scheduleWithFixedDelay(
            poll, 0, slow ? SLOW_MILLIS : FAST_MILLIS, TimeUnit.MILLISECONDS);
    client.onClose(
        () -> {
          task.cancel(false);
          open.remove(client);
          closed.run();
        });
  }

  /** Follows a job's output as it is written, until the job ends or the page goes. */
  void logs(
      SseClient client, ManagedChannel channel, Caller caller, String jobId, Runnable closed) {
    client.keepAlive();
    open.add(client);
    AtomicBoolean gone = new AtomicBoolean();
    ClientCallStreamObserver<?>[] call = {null};
    var keepAlive =
        timer.scheduleWithFixedDelay(
            () -> {
              if (!client.terminated()) {
                keepAlive(client);
              }
            },
            KEEP_ALIVE_MILLIS,
            KEEP_ALIVE_MILLIS,
            TimeUnit.MILLISECONDS);
    client.onClose(
        () -> {
          gone.set(true);
          keepAlive.cancel(false);
          open.remove(client);
          closed.run();
          if (call[0] != null) {
            call[0].cancel("the console page closed", null);
          }
        });
    caller
        .streaming(JobServiceGrpc.newStub(channel))
        .streamLogs(
            StreamLogsRequest.newBuilder()
                .setJobId(jobId)
                .setFollow(true)
                .setTailLines(500)
                .build(),
            new ClientResponseObserver<StreamLogsRequest, LogChunk>() {
              @Override
              public void beforeStart(ClientCallStreamObserver<StreamLogsRequest> stream) {
                call[0] = stream;
                if (gone.get()) {
                  stream.cancel("the console page closed", null);
                }
              }

              @Override
              public void onNext(LogChunk chunk) {
                ObjectNode event = JsonNodeFactory.instance.objectNode();
                event.put("attempt", chunk.getAttempt());
                event.put("text", chunk.getData().toString(StandardCharsets.UTF_8));
                send(client, "log", event.toString());
              }

              @Override
              public void onError(Throwable t) {
                if (!gone.get()) {
                  fail(
                      client,
                      t instanceof StatusRuntimeException e
                          ? ConsoleError.of(e)
                          : new ConsoleError(500, t.toString()));
                  client.close();
                }
              }

              @Override
              public void onCompleted() {
                send(client, "end", "{}");
                client.close();
              }
            });
  }

  /** Ends a stream at once with a failure event. */
  void refuse(SseClient client, int status, String message) {
    fail(client, new ConsoleError(status, message));
    client.close();
  }

  private void fail(SseClient client, ConsoleError error) {
    ObjectNode event = JsonNodeFactory.instance.objectNode();
    event.put("status", error.httpStatus());
    event.put("error", error.getMessage());
    send(client, "failure", event.toString());
    int status = error.httpStatus();
    if (status == 400 || status == 401 || status == 403 || status == 404) {
      client.close();
    }
  }

  /** One event; a stream's writes come from several threads and must not interleave. */
  private static void send(SseClient client, String event, String data) {
    synchronized (client) {
      client.sendEvent(event, data);
    }
  }

  private static void keepAlive(SseClient client) {
    synchronized (client) {
      client.sendComment("keep-alive");
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
    readers.shutdownNow();
    open.forEach(SseClient::close);
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }
}
