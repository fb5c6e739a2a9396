package io.tern.scheduler.server.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The console's rules over plain HTTPS (no browser): sign-in, the session cookie, CSRF and origin
 * checks, and that a user of one team cannot reach another team's job through any URL. Against a
 * real TLS scheduler with real ZooKeeper and agents over gRPC.
 */
class ConsoleAuthTest {
  @TempDir static Path dir;
  static ConsoleFixture fixture;
  static String visionJob;
  static String nlpJob;

  @BeforeAll
  static void cluster() throws Exception {
    fixture = new ConsoleFixture(dir);
    visionJob = fixture.submit(fixture.alice, "resnet", "vision", 1);
    nlpJob = fixture.submit(fixture.bob, "secret-llm", "nlp", 1);
  }

  @AfterAll
  static void stop() throws Exception {
    fixture.close();
  }

  @Test
  void signedOutRequestsGoToTheSignInPageOrAre401() throws Exception {
    ConsoleHttp anonymous = fixture.http();
    HttpResponse<String> page = anonymous.get("/jobs/" + visionJob);
    assertThat(page.statusCode()).isEqualTo(303);
    assertThat(page.headers().firstValue("Location"))
        .contains("/login?next=%2Fjobs%2F" + visionJob);
    assertThat(anonymous.get("/api/jobs").statusCode()).isEqualTo(401);
    assertThat(anonymous.get("/api/cost.csv").statusCode()).isEqualTo(401);
    assertThat(anonymous.events("/events/jobs", 1))
        .singleElement()
        .asString()
        .startsWith("failure")
        .contains("401");
    assertThat(anonymous.post("/api/jobs/" + visionJob + "/cancel", "x", null).statusCode())
        .isEqualTo(401);
  }

  @Test
  void signInChecksTheTokenWithTheSchedulerAndSetsAStrictCookie() throws Exception {
    ConsoleHttp http = fixture.http();
    HttpResponse<String> garbage = http.signIn("not-a-token");
    assertThat(garbage.statusCode()).isEqualTo(400);
    assertThat(garbage.body()).contains("token: not a Tern token");
    HttpResponse<String> revoked = http.signIn(fixture.alice.id() + ".wrongsecret");
    assertThat(revoked.statusCode()).isIn(400, 401);

    HttpResponse<String> ok = http.signIn(fixture.alice.value());
    assertThat(ok.statusCode()).isEqualTo(303);
    String cookie = ok.headers().firstValue("Set-Cookie").orElseThrow();
    assertThat(cookie).contains("HttpOnly").contains("SameSite=Strict").contains("Secure");
    assertThat(http.get("/api/me").body()).contains("\"user\":\"alice\"").contains("vision");
  }

  @Test
  void aUserSeesTheirTeamsJobsAndNoOtherTeamsThroughAnyUrl() throws Exception {
    ConsoleHttp alice = fixture.http();
    alice.signIn(fixture.alice.value());
    String jobs = alice.get("/api/jobs").body();
    assertThat(jobs).contains(visionJob).doesNotContain(nlpJob).doesNotContain("secret-llm");

    HttpResponse<String> missing = alice.get("/api/jobs/job-999999");
    HttpResponse<String> foreign = alice.get("/api/jobs/" + nlpJob);
    assertThat(foreign.statusCode()).isEqualTo(404).isEqualTo(missing.statusCode());
    // Word for word as a job that does not exist, but for the id.
    assertThat(foreign.body().replace(nlpJob, "ID"))
        .isEqualTo(missing.body().replace("job-999999", "ID"));
    assertThat(alice.get("/jobs/" + nlpJob).statusCode()).isEqualTo(404);
    assertThat(alice.get("/jobs/" + nlpJob).body()).doesNotContain("secret-llm");
    assertThat(alice.events("/events/job?id=" + nlpJob, 1))
        .singleElement()
        .asString()
        .startsWith("failure")
        .contains("404");
    assertThat(alice.events("/events/logs?id=" + nlpJob, 1))
        .singleElement()
        .asString()
        .startsWith("failure")
        .contains("404");
    assertThat(alice.events("/events/jobs?team=nlp", 1))
        .singleElement()
        .asString()
        .doesNotContain(nlpJob);
    assertThat(alice.get("/api/queue").body()).doesNotContain(nlpJob).doesNotContain("secret-llm");
    assertThat(alice.get("/api/nodes").body()).doesNotContain(nlpJob);
    HttpResponse<String> csv = alice.get("/api/cost.csv");
    assertThat(csv.body()).doesNotContain("nlp");
    assertThat(alice.action("/api/jobs/" + nlpJob + "/cancel").statusCode()).isEqualTo(404);

    ConsoleHttp bob = fixture.http();
    bob.signIn(fixture.bob.value());
    assertThat(bob.get("/api/jobs").body()).contains(nlpJob).doesNotContain(visionJob);
  }

  @Test
  void actionsNeedTheCsrfTokenAndThisOriginAndAreAuditedAsTheUser() throws Exception {
    String job = fixture.submit(fixture.alice, "to-cancel", "vision", 1);
    ConsoleHttp alice = fixture.http();
    alice.signIn(fixture.alice.value());
    String cancel = "/api/jobs/" + job + "/cancel";
    assertThat(alice.post(cancel, null, alice.base).statusCode()).isEqualTo(403);
    assertThat(alice.post(cancel, "forged", alice.base).statusCode()).isEqualTo(403);
    assertThat(alice.post(cancel, alice.csrf, "https://evil.example").statusCode()).isEqualTo(403);
    assertThat(alice.post(cancel, alice.csrf, null).body()).contains("Origin: missing");
    assertThat(alice.get("/api/jobs/" + job).body()).contains("\"cancelRequested\":false");

    HttpResponse<String> done = alice.action(cancel);
    assertThat(done.statusCode()).isEqualTo(200);
    assertThat(done.body()).contains(job);
    List<String> audit = Files.readAllLines(fixture.cluster.auditLog);
    assertThat(audit)
        .anySatisfy(
            line ->
                assertThat(line)
                    .contains("CancelJob")
                    .contains("\"who\":\"alice\"")
                    .contains(job)
                    .contains("\"result\":\"OK\""));
  }

  @Test
  void drainIsForAdminsAsInTheApi() throws Exception {
    ConsoleHttp alice = fixture.http();
    alice.signIn(fixture.alice.value());
    HttpResponse<String> refused = alice.action("/api/nodes/gpu-spot-1/drain");
    assertThat(refused.statusCode()).isEqualTo(403);

    ConsoleHttp admin = fixture.http();
    admin.signIn(fixture.cluster.admin.value());
    assertThat(admin.action("/api/nodes/gpu-spot-1/drain").statusCode()).isEqualTo(200);
    assertThat(admin.get("/api/nodes").body()).contains("\"drained\":true");
    assertThat(admin.action("/api/nodes/gpu-spot-1/undrain").statusCode()).isEqualTo(200);
    assertThat(admin.get("/api/nodes").body()).doesNotContain("\"drained\":true");
  }

  @Test
  void finOpsReadEveryTeamsJobsButActOnNone() throws Exception {
    ConsoleHttp fin = fixture.http();
    fin.signIn(fixture.finops.value());
    assertThat(fin.get("/api/jobs").body()).contains(visionJob, nlpJob);
    assertThat(fin.get("/api/jobs?team=nlp").body()).contains(nlpJob).doesNotContain(visionJob);
    assertThat(fin.get("/jobs/" + nlpJob).statusCode()).isEqualTo(200);
    assertThat(fin.get("/api/jobs/" + nlpJob).body()).contains("secret-llm");
    assertThat(fin.get("/api/queue").body()).doesNotContain("another team");
    HttpResponse<String> cancel = fin.action("/api/jobs/" + nlpJob + "/cancel");
    // The job exists to FinOps, so it is told what it may not do rather than "no job".
    assertThat(cancel.statusCode()).isEqualTo(403);
    assertThat(cancel.body()).contains("may read " + nlpJob + " but not act on it");
    assertThat(fin.events("/events/logs?id=" + nlpJob, 1))
        .singleElement()
        .asString()
        .startsWith("failure")
        .contains("may read " + nlpJob + " but not act on it or read its logs");
    assertThat(fixture.job(nlpJob).getState().name()).isNotEqualTo("JOB_STATE_CANCELLED");
  }

  @Test
  void filtersNarrowTheJobsAndBadInputNamesTheField() throws Exception {
    ConsoleHttp fin = fixture.http();
    fin.signIn(fixture.finops.value());
    HttpResponse<String> days = fin.get("/api/cost?days=lots");
    assertThat(days.statusCode()).isEqualTo(400);
    assertThat(days.body()).contains("days: expected a whole number");
    ConsoleHttp alice = fixture.http();
    alice.signIn(fixture.alice.value());
    assertThat(alice.get("/api/jobs?owner=alice").body()).contains(visionJob);
    assertThat(alice.get("/api/jobs?owner=nobody").body()).contains("\"jobs\":[]");
    assertThat(alice.get("/api/jobs?team=vision&state=succeeded").body()).doesNotContain(visionJob);
    HttpResponse<String> state = fin.get("/api/jobs?state=sleeping");
    assertThat(state.statusCode()).isEqualTo(400);
    assertThat(state.body()).contains("state: unknown job state");
  }
}
