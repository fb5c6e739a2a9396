package io.tern.scheduler.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.Timestamp;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.tern.api.v1.Budget;
import io.tern.api.v1.CapacityPreference;
import io.tern.api.v1.CapacityType;
import io.tern.api.v1.CostLine;
import io.tern.api.v1.CostReport;
import io.tern.api.v1.DeleteBudgetRequest;
import io.tern.api.v1.DeleteOffPeakWindowRequest;
import io.tern.api.v1.GetCostReportRequest;
import io.tern.api.v1.GetJobRequest;
import io.tern.api.v1.Job;
import io.tern.api.v1.JobSpec;
import io.tern.api.v1.JobState;
import io.tern.api.v1.JobStatus;
import io.tern.api.v1.ListBudgetsRequest;
import io.tern.api.v1.ListJobsRequest;
import io.tern.api.v1.ListOffPeakWindowsRequest;
import io.tern.api.v1.OffPeakWindow;
import io.tern.api.v1.SchedulerMessage;
import io.tern.api.v1.SetBudgetRequest;
import io.tern.api.v1.SetOffPeakWindowRequest;
import io.tern.api.v1.SubmitJobRequest;
import io.tern.scheduler.server.testing.Clients;
import io.tern.scheduler.server.testing.FakeAgent;
import io.tern.scheduler.server.testing.ReplicaCluster;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** FinOpsService over real gRPC against real replicas on an in-process ZooKeeper. */
class FinOpsServiceTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  private ReplicaCluster cluster;

  @BeforeEach
  void startZooKeeper() throws Exception {
    cluster = new ReplicaCluster();
  }

  @AfterEach
  void stopAll() throws Exception {
    cluster.close();
  }

  private <T extends AutoCloseable> T track(T closeable) {
    return cluster.track(closeable);
  }

  private SchedulerServer leader() throws Exception {
    return cluster.leader();
  }

  private static OffPeakWindow window(String name, String cron, long seconds, String zone) {
    return OffPeakWindow.newBuilder()
        .setName(name)
        .setCron(cron)
        .setDuration(com.google.protobuf.Duration.newBuilder().setSeconds(seconds))
        .setTimeZone(zone)
        .build();
  }

  private static OffPeakWindow set(Clients c, OffPeakWindow w) {
    return c.finops().setOffPeakWindow(SetOffPeakWindowRequest.newBuilder().setWindow(w).build());
  }

  private static List<OffPeakWindow> windows(Clients c) {
    return c.finops()
        .listOffPeakWindows(ListOffPeakWindowsRequest.getDefaultInstance())
        .getWindowsList();
  }

  private static Job job(Clients c, String id) {
    return c.jobsNow().getJob(GetJobRequest.newBuilder().setJobId(id).build());
  }

  private static String submit(Clients c, JobSpec spec) {
    return c.jobsNow()
        .submitJob(SubmitJobRequest.newBuilder().setSpec(spec).build())
        .getJob()
        .getId();
  }

  /** A Quartz cron that fires once, at {@code at} (to the second, UTC). */
  private static String onceAt(Instant at) {
    ZonedDateTime t = at.atZone(ZoneOffset.UTC);
    return String.format(
        "%d %d %d %d %d ? %d",
        t.getSecond(),
        t.getMinute(),
        t.getHour(),
        t.getDayOfMonth(),
        t.getMonthValue(),
        t.getYear());
  }

  @Test
  void windowsAreSetListedAndDeleted() throws Exception {
    Clients c = track(new Clients(leader().address()));

    OffPeakWindow set =
        set(c, window("weeknights", "0 0 20 ? * MON-FRI", 11 * 3600, "Europe/Berlin"));
    set(c, window("always", "0 * * * * ?", 3600, "UTC"));
    set(c, window("weeknights", "0 0 21 ? * MON-FRI", 10 * 3600, "Europe/Berlin")); // replaces

    assertThat(set.hasNextOpen()).isTrue();
    List<OffPeakWindow> listed = windows(c);
    assertThat(listed).extracting(OffPeakWindow::getName).containsExactly("always", "weeknights");
    assertThat(listed.get(0).getOpenNow()).isTrue();
    assertThat(listed.get(1).getCron()).isEqualTo("0 0 21 ? * MON-FRI");
    assertThat(listed.get(1).getDuration().getSeconds()).isEqualTo(10 * 3600);
    assertThat(Instant.ofEpochSecond(listed.get(1).getNextOpen().getSeconds()))
        .isAfter(Instant.now());

    c.finops()
        .deleteOffPeakWindow(DeleteOffPeakWindowRequest.newBuilder().setName("always").build());
    assertThat(windows(c)).extracting(OffPeakWindow::getName).containsExactly("weeknights");
    StatusRuntimeException missing =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () ->
                c.finops()
                    .deleteOffPeakWindow(
                        DeleteOffPeakWindowRequest.newBuilder().setName("always").build()));
    assertThat(missing.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
    assertThat(missing.getStatus().getDescription()).contains("always");
  }

  @Test
  void invalidWindowsAreRefusedNamingTheField() throws Exception {
    Clients c = track(new Clients(leader().address()));

    StatusRuntimeException badCron =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () -> set(c, window("nights", "every night", 3600, "UTC")));
    StatusRuntimeException badZone =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () -> set(c, window("nights", "0 0 20 * * ?", 3600, "Mars/Olympus")));
    StatusRuntimeException badDuration =
        catchThrowableOfType(
            StatusRuntimeException.class, () -> set(c, window("nights", "0 0 20 * * ?", 0, "UTC")));

    assertThat(badCron.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(badCron.getStatus().getDescription()).startsWith("window.cron: ");
    assertThat(badZone.getStatus().getDescription()).startsWith("window.time_zone: ");
    assertThat(badDuration.getStatus().getDescription()).startsWith("window.duration: ");
    assertThat(windows(c)).isEmpty();
  }

  @Test
  void windowsSurviveALeaderRestartAndAreReArmed() throws Exception {
    SchedulerServer first = leader();
    Clients c1 = new Clients(first.address());
    set(c1, window("weeknights", "0 0 20 ? * MON-FRI", 11 * 3600, "Europe/Berlin"));
    c1.close();
    first.close();

    SchedulerServer second = leader();
    Clients c2 = track(new Clients(second.address()));

    assertThat(windows(c2)).extracting(OffPeakWindow::getName).containsExactly("weeknights");
    assertThat(second.loop().armedOpening("weeknights").get())
        .isEqualTo(Instant.ofEpochSecond(windows(c2).get(0).getNextOpen().getSeconds()));
  }

  @Test
  void deferrableSpotJobIsHeldOutsideAWindowAndPlacedWhenItOpens() throws Exception {
    SchedulerServer server = leader();
    Clients c = track(new Clients(server.address()));
    FakeAgent agent =
        track(new FakeAgent(server.address(), "spot-1", 8, CapacityType.CAPACITY_TYPE_SPOT))
            .connect();
    agent.next(SchedulerMessage.KindCase.REGISTERED, 10);
    Instant opens = Instant.now().plusSeconds(6).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    set(c, window("soon", onceAt(opens), 3600, "UTC"));

    String id =
        submit(
            c,
            Clients.spec("batch", 2).toBuilder()
                .setDeferrable(true)
                .setCapacity(CapacityPreference.CAPACITY_SPOT_ONLY)
                .build());

    await().atMost(WAIT).until(() -> job(c, id).getState() == JobState.JOB_STATE_HELD);
    assertThat(Instant.now()).isBefore(opens);
    assertThat(job(c, id).getPendingReason()).contains("off-peak");
    SchedulerMessage start = agent.next(SchedulerMessage.KindCase.START_JOB, 20);
    assertThat(Instant.now()).isAfterOrEqualTo(opens);
    assertThat(start.getStartJob().getJobId()).isEqualTo(id);
    assertThat(job(c, id).getAttempts(0).getCapacityType())
        .isEqualTo(CapacityType.CAPACITY_TYPE_SPOT);
  }

  @Test
  void budgetsAreSetAndListedWithStatusAndValidated() throws Exception {
    Clients c = track(new Clients(leader().address()));

    Budget set =
        c.finops()
            .setBudget(
                SetBudgetRequest.newBuilder()
                    .setBudget(
                        Budget.newBuilder().setTeam("vision").setMonthlyUsd(1000).setSoftAt(0.5))
                    .build());
    c.finops()
        .setBudget(
            SetBudgetRequest.newBuilder()
                .setBudget(Budget.newBuilder().setTeam("nlp").setDailyUsd(50).setStatus("hard"))
                .build());
    StatusRuntimeException bad =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () ->
                c.finops()
                    .setBudget(
                        SetBudgetRequest.newBuilder()
                            .setBudget(
                                Budget.newBuilder().setTeam("x").setMonthlyUsd(10).setSoftAt(1.5))
                            .build()));

    assertThat(set.getStatus()).isEqualTo("ok");
    assertThat(set.getSpentMonthUsd()).isZero();
    assertThat(c.finops().listBudgets(ListBudgetsRequest.getDefaultInstance()).getBudgetsList())
        .extracting(Budget::getTeam, Budget::getStatus, Budget::getDailyUsd)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("nlp", "ok", 50.0),
            org.assertj.core.groups.Tuple.tuple("vision", "ok", 0.0));
    assertThat(bad.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(bad.getStatus().getDescription()).startsWith("budget.soft_at: ");

    c.finops().deleteBudget(DeleteBudgetRequest.newBuilder().setTeam("nlp").build());
    StatusRuntimeException again =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () -> c.finops().deleteBudget(DeleteBudgetRequest.newBuilder().setTeam("nlp").build()));
    assertThat(c.finops().listBudgets(ListBudgetsRequest.getDefaultInstance()).getBudgetsList())
        .extracting(Budget::getTeam)
        .containsExactly("vision");
    assertThat(again.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
    assertThat(again.getStatus().getDescription()).isEqualTo("no budget for team 'nlp'");
  }

  @Test
  void windowsThatNeverOpenAgainOrOpenEverySecondAreRefusedAndLeaveNothing() throws Exception {
    Clients c = track(new Clients(leader().address()));

    StatusRuntimeException past =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () -> set(c, window("w3", "0 0 20 ? * MON-FRI 2020", 3600, "UTC")));
    StatusRuntimeException everySecond =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () -> set(c, window("persec", "* * * ? * *", 3600, "UTC")));

    assertThat(past.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(past.getStatus().getDescription()).contains("window.cron: ", "never fires after");
    assertThat(everySecond.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(everySecond.getStatus().getDescription()).contains("at most once a minute");
    assertThat(windows(c)).isEmpty();
  }

  @Test
  void costReportAddsUpAfterAJobRanAndAHardBudgetHoldsNewJobs() throws Exception {
    SchedulerServer server = leader();
    Clients c = track(new Clients(server.address()));
    FakeAgent agent =
        track(new FakeAgent(server.address(), "spot-1", 8, CapacityType.CAPACITY_TYPE_SPOT))
            .connect();
    String id = submit(c, Clients.spec("train", 2));
    agent.next(SchedulerMessage.KindCase.START_JOB, 10);
    agent.status(id, 1, JobStatus.Phase.PHASE_STARTED, 0);
    await().atMost(WAIT).until(() -> job(c, id).getState() == JobState.JOB_STATE_RUNNING);
    await().pollDelay(Duration.ofMillis(1500)).until(() -> true);
    agent.status(id, 1, JobStatus.Phase.PHASE_EXITED, 0);
    await().atMost(WAIT).until(() -> job(c, id).getState() == JobState.JOB_STATE_SUCCEEDED);

    var attempt = job(c, id).getAttempts(0);
    double hours =
        Duration.between(instant(attempt.getStartedAt()), instant(attempt.getEndedAt())).toNanos()
            / 3.6e12;
    CostReport report = c.finops().getCostReport(GetCostReportRequest.getDefaultInstance());
    CostLine jobLine = report.getJobs(0);

    // FakeAgent: a spot node of 8 GPUs at $10/h; the job held 2 of them.
    assertThat(hours).isGreaterThan(1.0 / 3600);
    assertThat(report.getJobsList()).extracting(CostLine::getKey).containsExactly(id);
    assertThat(jobLine.getGpuHours()).isCloseTo(2 * hours, within(1e-9));
    assertThat(jobLine.getSpotUsd()).isCloseTo(10.0 * 2 / 8 * hours, within(1e-9));
    assertThat(jobLine.getOnDemandUsd()).isZero();
    assertThat(jobLine.getLostGpuHours()).isZero();
    assertThat(report.getTeamsList()).extracting(CostLine::getKey).containsExactly("vision");
    assertThat(report.getTeams(0).getSpotUsd()).isEqualTo(jobLine.getSpotUsd());
    assertThat(report.getTotal().getSpotUsd()).isEqualTo(jobLine.getSpotUsd());
    // The job record says what the ledger says it cost.
    assertThat(job(c, id).getCostUsd()).isPositive().isCloseTo(jobLine.getSpotUsd(), within(1e-9));
    assertThat(c.jobs.listJobs(ListJobsRequest.getDefaultInstance()).getJobs(0).getCostUsd())
        .isCloseTo(jobLine.getSpotUsd(), within(1e-9));
    assertThat(
            c.finops()
                .getCostReport(GetCostReportRequest.newBuilder().setTeam("nlp").build())
                .getJobsList())
        .isEmpty();

    // What it spent is more than a tiny daily limit: the team is past its hard budget.
    double spent = jobLine.getSpotUsd();
    Budget budget =
        c.finops()
            .setBudget(
                SetBudgetRequest.newBuilder()
                    .setBudget(Budget.newBuilder().setTeam("vision").setDailyUsd(spent / 2))
                    .build());
    assertThat(budget.getStatus()).isEqualTo("hard");
    assertThat(budget.getSpentDayUsd()).isCloseTo(spent, within(1e-9));
    String next = submit(c, Clients.spec("more", 1));
    await().atMost(WAIT).until(() -> job(c, next).getState() == JobState.JOB_STATE_HELD);
    assertThat(job(c, next).getPendingReason()).contains("budget");
  }

  @Test
  void aNewLeaderRebuildsTheLedgerFromTheStoredAttempts() throws Exception {
    SchedulerServer first = leader();
    Clients c1 = new Clients(first.address());
    FakeAgent agent =
        new FakeAgent(first.address(), "od-1", 4, CapacityType.CAPACITY_TYPE_ON_DEMAND).connect();
    String id = submit(c1, Clients.spec("train", 1));
    agent.next(SchedulerMessage.KindCase.START_JOB, 10);
    agent.status(id, 1, JobStatus.Phase.PHASE_STARTED, 0);
    await().atMost(WAIT).until(() -> job(c1, id).getState() == JobState.JOB_STATE_RUNNING);
    agent.status(id, 1, JobStatus.Phase.PHASE_EXITED, 0);
    await().atMost(WAIT).until(() -> job(c1, id).getState() == JobState.JOB_STATE_SUCCEEDED);
    var range =
        GetCostReportRequest.newBuilder()
            .setSince(Timestamp.newBuilder().setSeconds(Instant.now().getEpochSecond() - 3600))
            .setUntil(Timestamp.newBuilder().setSeconds(Instant.now().getEpochSecond() + 3600))
            .build();
    CostReport before = c1.finops().getCostReport(range);
    agent.close();
    c1.close();
    first.close();

    Clients c2 = track(new Clients(leader().address()));
    CostReport after = c2.finops().getCostReport(range);

    assertThat(before.getJobsList()).extracting(CostLine::getKey).containsExactly(id);
    assertThat(before.getTotal().getOnDemandUsd()).isPositive();
    assertThat(after).isEqualTo(before);
  }

  @Test
  void costReportRefusesAnEmptyRange() throws Exception {
    Clients c = track(new Clients(leader().address()));
    Timestamp t = Timestamp.newBuilder().setSeconds(1_700_000_000).build();

    StatusRuntimeException e =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () ->
                c.finops()
                    .getCostReport(
                        GetCostReportRequest.newBuilder().setSince(t).setUntil(t).build()));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(e.getStatus().getDescription()).startsWith("since: ");
  }

  private static Instant instant(Timestamp t) {
    return Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
  }
}
