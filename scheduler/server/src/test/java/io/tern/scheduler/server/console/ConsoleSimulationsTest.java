package io.tern.scheduler.server.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tern.testing.Multipart;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Simulations page's server side over plain HTTPS against a real TLS scheduler: a run from a
 * picked or an uploaded trace, its progress and summary, who may see it and its report, the form's
 * errors (each naming its field), the bound on waiting runs, and the audit line of each request.
 */
class ConsoleSimulationsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir static Path dir;
  static ConsoleFixture fixture;

  @BeforeAll
  static void cluster() throws Exception {
    fixture = new ConsoleFixture(dir);
  }

  @AfterAll
  static void stop() throws Exception {
    fixture.close();
  }

  @Test
  void aRunFromAPickedTraceIsSeenByItsUserAndFinOpsOnly() throws Exception {
    ConsoleHttp alice = signedIn(fixture.alice.value());
    HttpResponse<String> started =
        alice.form(
            "/api/simulations",
            new Multipart()
                .field("trace", "jobs-40")
                .field("spot", "dir:spot-a")
                .field("policies", "tern")
                .field("seed", "7"));
    assertThat(started.statusCode()).as(started.body()).isEqualTo(200);
    String id = JSON.readTree(started.body()).get("id").asText();
    JsonNode run = awaitEnded(alice, id);
    assertThat(run.get("state").asText()).isEqualTo("DONE");
    assertThat(run.at("/asked/trace").asText()).isEqualTo("forty jobs");
    assertThat(run.at("/asked/spot").asText()).isEqualTo("spot-a/");
    assertThat(run.at("/summary/jobs").asInt()).isEqualTo(40);
    assertThat(run.at("/summary/seed").asLong()).isEqualTo(7);
    assertThat(run.at("/summary/policies/1/series").isMissingNode())
        .as("the page gets the table, not the charts' series")
        .isTrue();
    assertThat(fixture.simulations.last.policies()).containsExactly("tern");

    HttpResponse<String> report = alice.get("/simulations/" + id + "/report");
    assertThat(report.statusCode()).isEqualTo(200);
    assertThat(report.body()).contains("report of 40 jobs");
    assertThat(report.headers().firstValue("Content-Security-Policy").orElseThrow())
        .startsWith("sandbox;")
        .contains("frame-ancestors 'self'");
    assertThat(alice.get("/simulations/" + id).statusCode()).isEqualTo(200);

    ConsoleHttp bob = signedIn(fixture.bob.value());
    assertThat(bob.get("/api/simulations/" + id).statusCode()).isEqualTo(404);
    assertThat(bob.get("/simulations/" + id + "/report").statusCode()).isEqualTo(404);
    assertThat(bob.get("/simulations/" + id).statusCode()).isEqualTo(404);
    assertThat(ids(bob)).doesNotContain(id);
    assertThat(ids(signedIn(fixture.finops.value()))).contains(id);
  }

  @Test
  void anUploadedTraceIsReplayedAndDeletedAfterwards() throws Exception {
    ConsoleHttp alice = signedIn(fixture.alice.value());
    byte[] trace = "job_id,submit_time\na,0\nb,5\nc,9\n".getBytes(StandardCharsets.UTF_8);
    HttpResponse<String> started =
        alice.form(
            "/api/simulations",
            new Multipart()
                .field("trace", "")
                .file("file", "week.csv", trace)
                .field("spot", "synthetic"));
    assertThat(started.statusCode()).as(started.body()).isEqualTo(200);
    JsonNode run = awaitEnded(alice, JSON.readTree(started.body()).get("id").asText());
    assertThat(run.at("/summary/jobs").asInt()).isEqualTo(3);
    assertThat(run.at("/asked/trace").asText())
        .isEqualTo("uploaded: week.csv (" + trace.length + " bytes)");
    assertThat(Files.exists(fixture.simulations.last.uploaded())).isFalse();

    HttpResponse<String> bad =
        alice.form(
            "/api/simulations",
            new Multipart()
                .file("file", "bad.csv", "nope\n".getBytes(StandardCharsets.UTF_8))
                .field("spot", "synthetic"));
    JsonNode failed = awaitEnded(alice, JSON.readTree(bad.body()).get("id").asText());
    assertThat(failed.get("state").asText()).isEqualTo("FAILED");
    assertThat(failed.get("error").asText())
        .as("the upload is called by its name, not the server's path of it")
        .startsWith("trace: bad.csv: line 1");
    assertThat(alice.get("/simulations/" + failed.get("id").asText() + "/report").statusCode())
        .isEqualTo(409);
  }

  @Test
  void badFormsAreRefusedNamingTheFieldAndAudited() throws Exception {
    ConsoleHttp alice = signedIn(fixture.alice.value());
    HttpResponse<String> ok =
        alice.form(
            "/api/simulations",
            new Multipart().field("trace", "jobs-40").field("spot", "synthetic"));
    awaitEnded(alice, JSON.readTree(ok.body()).get("id").asText());
    assertThat(refusal(alice, new Multipart().field("spot", "synthetic")))
        .isEqualTo("400 trace: pick a trace or upload one");
    assertThat(refusal(alice, new Multipart().field("trace", "jobs-3").field("spot", "moon")))
        .isEqualTo("400 spot: no choice named moon");
    assertThat(
            refusal(
                alice,
                new Multipart()
                    .field("trace", "jobs-3")
                    .field("spot", "synthetic")
                    .field("policies", "cheapest")))
        .isEqualTo("400 policies: no choice named cheapest");
    assertThat(
            refusal(
                alice,
                new Multipart()
                    .field("trace", "jobs-3")
                    .field("spot", "synthetic")
                    .field("seed", "1.5")))
        .isEqualTo("400 seed: a whole number, got \"1.5\"");
    String csrf = alice.csrf;
    alice.csrf = null;
    assertThat(
            alice
                .form(
                    "/api/simulations",
                    new Multipart().field("trace", "jobs-3").field("spot", "synthetic"))
                .statusCode())
        .isEqualTo(403);
    alice.csrf = csrf;
    List<String> audit = Files.readAllLines(fixture.cluster.auditLog);
    assertThat(audit)
        .anySatisfy(
            line ->
                assertThat(line)
                    .contains("\"rpc\":\"console.RunSimulation\"")
                    .contains("\"who\":\"alice\"")
                    .contains("\"result\":\"INVALID_ARGUMENT\"")
                    .contains("seed: a whole number"))
        .anySatisfy(
            line ->
                assertThat(line)
                    .contains("\"rpc\":\"console.RunSimulation\"")
                    .contains("\"result\":\"OK\"")
                    .contains("\"trace\":\"forty jobs\""));
  }

  @Test
  void anUploadOverTheLimitIs413NamingTheFieldAndAuditedAsRefused() throws Exception {
    ConsoleHttp bob = signedIn(fixture.bob.value());
    byte[] big = new byte[(int) ((ConsoleServer.MAX_UPLOAD_MIB + 1) * 1024 * 1024)];
    java.util.Arrays.fill(big, (byte) 'x');
    assertThat(
            refusal(bob, new Multipart().file("file", "huge.csv", big).field("spot", "synthetic")))
        .isEqualTo("413 file: larger than 32 MiB, the most a trace upload may be");
    assertThat(Files.readAllLines(fixture.cluster.auditLog))
        .anySatisfy(
            line ->
                assertThat(line)
                    .contains("\"rpc\":\"console.RunSimulation\"")
                    .contains("\"who\":\"bob\"")
                    .contains("\"result\":\"RESOURCE_EXHAUSTED\""));
  }

  @Test
  void oneSessionHoldsAtMostEightLiveViews() throws Exception {
    ConsoleHttp carol = signedIn(fixture.alice.value());
    List<java.util.concurrent.CompletableFuture<List<String>>> open = new ArrayList<>();
    for (int i = 0; i < LiveFeeds.MAX_PER_SESSION; i++) {
      open.add(
          java.util.concurrent.CompletableFuture.supplyAsync(
              () -> {
                try {
                  return carol.events("/events/simulations", 2);
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              }));
    }
    Awaitility.await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () ->
                assertThat(carol.events("/events/simulations", 1))
                    .singleElement()
                    .asString()
                    .startsWith("failure")
                    .contains("429")
                    .contains("8 live views open already"));
    // Another session of the same user is not held back.
    assertThat(signedIn(fixture.alice.value()).events("/events/simulations", 1))
        .singleElement()
        .asString()
        .startsWith("data");
    open.forEach(f -> f.cancel(true));
  }

  @Test
  void atMostThreeRunsWaitBehindTheOneRunning() throws Exception {
    ConsoleHttp alice = signedIn(fixture.alice.value());
    fixture.simulations.hold();
    List<String> ids = new ArrayList<>();
    try {
      for (int i = 0; i < 1 + SimulationRuns.MAX_WAITING; i++) {
        HttpResponse<String> r =
            alice.form(
                "/api/simulations",
                new Multipart().field("trace", "jobs-3").field("spot", "synthetic"));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        ids.add(JSON.readTree(r.body()).get("id").asText());
        if (i == 0) {
          Awaitility.await()
              .atMost(Duration.ofSeconds(10))
              .until(() -> state(alice, ids.get(0)).equals("RUNNING"));
        }
      }
      assertThat(state(alice, ids.get(1))).isEqualTo("WAITING");
      assertThat(
              refusal(alice, new Multipart().field("trace", "jobs-3").field("spot", "synthetic")))
          .startsWith("429 3 simulations are already waiting");
    } finally {
      fixture.simulations.release();
    }
    for (String id : ids) {
      assertThat(awaitEnded(alice, id).get("state").asText()).isEqualTo("DONE");
    }
  }

  private static ConsoleHttp signedIn(String token) throws Exception {
    ConsoleHttp http = fixture.http();
    assertThat(http.signIn(token).statusCode()).isEqualTo(303);
    return http;
  }

  private static String refusal(ConsoleHttp http, Multipart form) throws Exception {
    HttpResponse<String> r = http.form("/api/simulations", form);
    return r.statusCode() + " " + JSON.readTree(r.body()).path("error").asText();
  }

  private static String state(ConsoleHttp http, String id) throws Exception {
    return JSON.readTree(http.get("/api/simulations/" + id).body()).get("state").asText();
  }

  private static JsonNode awaitEnded(ConsoleHttp http, String id) throws Exception {
    Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> List.of("DONE", "FAILED").contains(state(http, id)));
    return JSON.readTree(http.get("/api/simulations/" + id).body());
  }

  private static List<String> ids(ConsoleHttp http) throws Exception {
    List<String> out = new ArrayList<>();
    JSON.readTree(http.get("/api/simulations").body())
        .get("runs")
        .forEach(r -> out.add(r.get("id").asText()));
    return out;
  }
}
