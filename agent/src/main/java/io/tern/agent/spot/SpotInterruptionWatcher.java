package io.tern.agent.spot;

import com.google.protobuf.Timestamp;
import io.tern.api.v1.SpotNotice;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.document.Document;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.imds.Ec2MetadataClient;
import software.amazon.awssdk.imds.Ec2MetadataClientException;

/**
 * Watches the EC2 instance metadata service (IMDSv2: a token PUT, then GETs carrying it) for spot
 * notices, and reports each one once, as soon as it is seen:
 *
 * <ul>
 *   <li>{@code /latest/meta-data/spot/instance-action}: 404 while there is none; {@code
 *       {"action":"terminate","time":"2026-11-23T08:02:00Z"}} when the node will be reclaimed
 *       (about two minutes later) → {@link SpotNotice.Kind#KIND_INSTANCE_ACTION};
 *   <li>{@code /latest/meta-data/events/recommendations/rebalance}: 404 while there is none; {@code
 *       {"noticeTime":"..."}} when a reclaim has become more likely → {@link
 *       SpotNotice.Kind#KIND_REBALANCE}.
 * </ul>
 *
 * A notice is reported again only when its content changes (a new action or time). A metadata
 * service that cannot be reached is logged once per outage and polled on.
 *
 * <p>Lifecycle: {@link #start} once, {@link #close} once. Polls run on a thread of their own; the
 * sink is called there.
 */
public final class SpotInterruptionWatcher implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SpotInterruptionWatcher.class);
  static final String INSTANCE_ACTION = "/latest/meta-data/spot/instance-action";
  static final String REBALANCE = "/latest/meta-data/events/recommendations/rebalance";

  private final Ec2MetadataClient client;
  private final URI endpoint;
  private final Duration interval;
  private final Consumer<SpotNotice> sink;
  private final ScheduledExecutorService thread;
  private final AtomicBoolean started = new AtomicBoolean();
  private String lastAction; // confined to the polling thread
  private String lastRebalance;
  private boolean failing;

  /**
   * @param endpoint the metadata service, e.g. {@code http://169.254.169.254}
   * @param interval time between polls (5 s is the usual choice: a notice comes two minutes ahead)
   * @param sink told of each new notice, e.g. {@code NodeAgent::report}
   */
  public SpotInterruptionWatcher(URI endpoint, Duration interval, Consumer<SpotNotice> sink) {
    this.endpoint = endpoint;
    this.interval = interval;
    this.sink = sink;
    this.client =
        Ec2MetadataClient.builder()
            .endpoint(endpoint)
            .httpClient(
                UrlConnectionHttpClient.builder()
                    .connectionTimeout(Duration.ofSeconds(1))
                    .socketTimeout(Duration.ofSeconds(2))
                    .build())
            .retryPolicy(r -> r.numRetries(0))
            .build();
    this.thread =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "tern-spot-watcher");
              t.setDaemon(true);
              return t;
            });
  }

  /** Polls now, then every interval; once. */
  public void start() {
    if (!started.compareAndSet(false, true)) {
      throw new IllegalStateException("spot watcher already started; start it once");
    }
    log.info("watching {} for spot notices every {}", endpoint, interval);
    thread.scheduleWithFixedDelay(this::poll, 0, interval.toNanos(), TimeUnit.NANOSECONDS);
  }

  /**
   * Checks that the metadata service answers (a notice, or a 404 for none), trying {@code tries}
   * times {@code pause} apart; for an agent's start, where a wrong or unreachable endpoint would
   * otherwise mean a spot node that never hears of its reclaim.
   *
   * @throws IOException naming the endpoint and what went wrong on the last try
   */
  public void requireReachable(int tries, Duration pause) throws IOException {
    RuntimeException last = null;
    for (int i = 0; i < tries; i++) {
      try {
        get(INSTANCE_ACTION);
        return;
      } catch (SdkClientException | IllegalArgumentException | UnsupportedOperationException e) {
        last = e;
      }
      if (i + 1 < tries) {
        try {
          Thread.sleep(pause.toMillis());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
    }
    throw new IOException(
        "no instance metadata service answers at "
            + endpoint
            + " ("
            + (last == null ? "interrupted" : last.getMessage())
            + ")",
        last);
  }

  /** Polls once, on the caller's thread; for tests and for {@link #start}'s schedule. */
  synchronized void poll() {
    try {
      Optional<Map<String, Document>> action = get(INSTANCE_ACTION);
      Optional<Map<String, Document>> rebalance = get(REBALANCE);
      if (failing) {
        log.info("instance metadata at {} answers again", endpoint);
        failing = false;
      }
      action.ifPresent(this::instanceAction);
      rebalance.ifPresent(this::rebalance);
    } catch (SdkClientException | IllegalArgumentException | UnsupportedOperationException e) {
      if (!failing) {
        log.warn("cannot read spot notices from {}: {}", endpoint, e.getMessage());
        failing = true;
      }
    }
  }

  private void instanceAction(Map<String, Document> notice) {
    String action = text(notice, "action").orElse("terminate");
    Optional<String> time = text(notice, "time");
    String key = action + "@" + time.orElse("");
    if (key.equals(lastAction)) {
      return;
    }
    lastAction = key;
    SpotNotice.Builder report =
        SpotNotice.newBuilder().setKind(SpotNotice.Kind.KIND_INSTANCE_ACTION).setAction(action);
    time.flatMap(SpotInterruptionWatcher::instant)
        .ifPresent(at -> report.setActionAt(timestamp(at)));
    log.warn("spot notice: instance-action {} at {}", action, time.orElse("(no time given)"));
    sink.accept(report.build());
  }

  private void rebalance(Map<String, Document> notice) {
    String key = text(notice, "noticeTime").orElse("");
    if (key.equals(lastRebalance)) {
      return;
    }
    lastRebalance = key;
    log.warn("spot notice: rebalance recommendation (notice time {})", key);
    sink.accept(SpotNotice.newBuilder().setKind(SpotNotice.Kind.KIND_REBALANCE).build());
  }

  /** The JSON object at {@code path}; empty on 404 (no notice). */
  private Optional<Map<String, Document>> get(String path) {
    try {
      Document doc = client.get(path).asDocument();
      return Optional.of(doc.isMap() ? doc.asMap() : Map.of());
    } catch (Ec2MetadataClientException e) {
      if (e.statusCode() == 404) {
        return Optional.empty();
      }
      throw e;
    }
  }

  private static Optional<String> text(Map<String, Document> notice, String key) {
    Document value = notice.get(key);
    return value != null && value.isString() ? Optional.of(value.asString()) : Optional.empty();
  }

  private static Optional<Instant> instant(String text) {
    try {
      return Optional.of(Instant.parse(text));
    } catch (DateTimeParseException e) {
      log.warn("spot notice time {} is not an ISO-8601 instant; reporting it without", text);
      return Optional.empty();
    }
  }

  private static Timestamp timestamp(Instant at) {
    return Timestamp.newBuilder().setSeconds(at.getEpochSecond()).setNanos(at.getNano()).build();
  }

  /** Stops polling and releases the HTTP client; a poll under way finishes first. */
  @Override
  public void close() {
    thread.shutdownNow();
    try {
      thread.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    client.close();
  }
}
