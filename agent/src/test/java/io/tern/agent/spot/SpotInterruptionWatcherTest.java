package io.tern.agent.spot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tern.api.v1.SpotNotice;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The watcher against {@link LocalImds} over real HTTP, through the AWS SDK's metadata client. */
class SpotInterruptionWatcherTest {
  private static final Instant NOW = Instant.parse("2026-11-23T08:00:00Z");

  private LocalImds imds;
  private SpotInterruptionWatcher watcher;
  private final List<SpotNotice> notices = new CopyOnWriteArrayList<>();

  @BeforeEach
  void setUp() throws IOException {
    imds = LocalImds.start(0, Clock.fixed(NOW, ZoneOffset.UTC));
    watcher = new SpotInterruptionWatcher(imds.endpoint(), Duration.ofSeconds(5), notices::add);
  }

  @AfterEach
  void tearDown() {
    watcher.close();
    imds.close();
  }

  @Test
  void noNoticeWhileBothPathsAnswer404() {
    watcher.poll();
    watcher.poll();
    assertThat(notices).isEmpty();
    assertThat(imds.tokenRequests()).as("IMDSv2: a token first").isPositive();
    assertThat(imds.unauthorizedRequests()).isZero();
  }

  @Test
  void anInstanceActionIsReportedOnceWithItsTime() {
    watcher.poll();
    imds.announceInstanceAction(NOW.plusSeconds(120));
    watcher.poll();
    watcher.poll();
    watcher.poll();

    assertThat(notices)
        .singleElement()
        .satisfies(
            n -> {
              assertThat(n.getKind()).isEqualTo(SpotNotice.Kind.KIND_INSTANCE_ACTION);
              assertThat(n.getAction()).isEqualTo("terminate");
              assertThat(n.getActionAt().getSeconds()).isEqualTo(NOW.getEpochSecond() + 120);
            });

    imds.announceInstanceAction(NOW.plusSeconds(300)); // a new notice: reported again
    watcher.poll();
    assertThat(notices).hasSize(2);
    assertThat(notices.get(1).getActionAt().getSeconds()).isEqualTo(NOW.getEpochSecond() + 300);
  }

  @Test
  void aRebalanceRecommendationIsReportedOnce() {
    imds.announceRebalance();
    watcher.poll();
    watcher.poll();
    assertThat(notices)
        .singleElement()
        .satisfies(
            n -> {
              assertThat(n.getKind()).isEqualTo(SpotNotice.Kind.KIND_REBALANCE);
              assertThat(n.hasActionAt()).isFalse();
            });
  }

  @Test
  void startedItPollsOnItsOwnAndReportsAtOnce() throws IOException {
    watcher.close();
    watcher = new SpotInterruptionWatcher(imds.endpoint(), Duration.ofMillis(50), notices::add);
    watcher.start();
    imds.announceRebalance();
    imds.announceInstanceAction(NOW.plusSeconds(120));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> notices.stream().map(SpotNotice::getKind).distinct().count() == 2);
    await()
        .during(Duration.ofMillis(300))
        .atMost(Duration.ofSeconds(2))
        .until(() -> notices.size() == 2);
  }

  @Test
  void anUnreachableServiceIsNotANotice() throws IOException {
    int port = imds.port();
    imds.close();
    watcher.close();
    watcher =
        new SpotInterruptionWatcher(
            URI.create("http://127.0.0.1:" + port), Duration.ofSeconds(5), notices::add);
    watcher.poll();
    assertThat(notices).isEmpty();
    imds = LocalImds.start(0, Clock.systemUTC()); // for tearDown
  }

  @Test
  void theLocalImdsRequiresAToken() throws Exception {
    imds.announceInstanceAction(NOW.plusSeconds(120));
    HttpClient http = HttpClient.newHttpClient();
    URI action = imds.endpoint().resolve(SpotInterruptionWatcher.INSTANCE_ACTION);
    HttpResponse<String> without =
        http.send(HttpRequest.newBuilder(action).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(without.statusCode()).isEqualTo(401);

    HttpResponse<String> token =
        http.send(
            HttpRequest.newBuilder(imds.endpoint().resolve(LocalImds.TOKEN_PATH))
                .header(LocalImds.TTL_HEADER, "60")
                .PUT(HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(token.statusCode()).isEqualTo(200);
    HttpResponse<String> with =
        http.send(
            HttpRequest.newBuilder(action).header(LocalImds.TOKEN_HEADER, token.body()).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(with.statusCode()).isEqualTo(200);
    assertThat(with.body())
        .isEqualTo("{\"action\":\"terminate\",\"time\":\"2026-11-23T08:02:00Z\"}");

    imds.clear();
    HttpResponse<String> cleared =
        http.send(
            HttpRequest.newBuilder(action).header(LocalImds.TOKEN_HEADER, token.body()).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(cleared.statusCode()).isEqualTo(404);
  }
}
