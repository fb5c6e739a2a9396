package io.tern.cli.demo;

import static io.tern.cli.demo.Poll.check;
import static io.tern.cli.demo.Poll.until;

import io.tern.api.v1.Attempt;
import io.tern.api.v1.Budget;
import io.tern.api.v1.CapacityType;
import io.tern.api.v1.ClusterServiceGrpc;
import io.tern.api.v1.CostLine;
import io.tern.api.v1.CostReport;
import io.tern.api.v1.CreateTokenRequest;
import io.tern.api.v1.GetJobRequest;
import io.tern.api.v1.Job;
import io.tern.api.v1.JobServiceGrpc;
import io.tern.api.v1.JobSpec;
import io.tern.api.v1.JobState;
import io.tern.api.v1.ListNodesRequest;
import io.tern.api.v1.Node;
import io.tern.api.v1.NodeState;
import io.tern.api.v1.OffPeakWindow;
import io.tern.api.v1.Role;
import io.tern.api.v1.SubmitJobRequest;
import io.tern.cli.admin.PrivateFile;
import io.tern.cli.client.ClientConfig;
import io.tern.cli.client.SchedulerClient;
import io.tern.cli.demo.DemoCluster.Child;
import io.tern.scheduler.server.auth.OperatorTokens;
import io.tern.security.tls.ClientTls;
import io.tern.security.token.BearerToken;
import io.tern.security.token.TokenCredentials;
import io.tern.simulator.report.SimulationSummary;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The demo's steps, in order; each checks its own outcome and throws {@link Poll.StepFailed} (or
 * any exception) when it is not what it should be. What they measured is kept in {@link
 * DemoFigures} for the summary.
 */
final class DemoScenario {
  static final int STEPS = 14;
  private static final Duration START = Duration.ofSeconds(60);
  private static final Duration WAIT = Duration.ofSeconds(45);

  private final DemoCluster cluster;
  private final StepPrinter steps;
  private final DemoJobs jobs;
  private final DemoFigures figures = new DemoFigures();
  private CompletableFuture<String> trainExpected;
  private CompletableFuture<String> lowExpected;
  private CompletableFuture<String> deadlineExpected;
  private Child zk;
  private int zkPort;
  private final List<Child> replicas = new ArrayList<>();
  private final List<Integer> consolePorts = new ArrayList<>();
  private SchedulerReplicas probe;
  private SchedulerClient client;
  private String leader;
  private String spot;
  private String onDemand;
  private String onDemand2;
  private String trainNode;
  private DemoFinOps finops;
  private Instant started;

  DemoScenario(DemoCluster cluster, StepPrinter steps, DemoJobs jobs) {
    this.cluster = cluster;
    this.steps = steps;
    this.jobs = jobs;
  }

  DemoFigures figures() {
    return figures;
  }

  String schedulers() {
    return String.join(",", probe.addresses());
  }

  SchedulerClient client() {
    return client;
  }

  /** Runs every step; returns normally only if all of them passed. */
  void run() throws Exception {
    started = Instant.now();
    trainExpected = expected(DemoJobs.TRAIN_STEPS);
    lowExpected = expected(DemoJobs.LOW_STEPS);
    deadlineExpected = expected(DemoJobs.DEADLINE_STEPS);
    startZooKeeper();
    startSchedulers();
    offPeakWindowOpens();
    onDemandNodeJoins();
    deadlineJobStartsOnDemand();
    spotNodeJoinsAndJobReturnsToSpot();
    trainingStartsOnSpot();
    highPriorityPreemptsLow();
    gangRunsWhole();
    spotReclaim();
    leaderFailover();
    everythingFinishes();
    costAndWaste();
    htmlReport();
  }

  private CompletableFuture<String> expected(int steps) {
    // A thread each: the common pool has one thread on a two-core host, and the three runs one
    // after another took over a minute on a loaded one.
    return CompletableFuture.supplyAsync(
        () -> {
          try {
            return jobs.uninterruptedFinalLine(steps);
          } catch (IOException e) {
            throw new IllegalStateException(e);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
          }
        },
        task -> Thread.ofPlatform().daemon().name("demo-uninterrupted-run").start(task));
  }

  /** How long the demo waits, at the end, for an uninterrupted run's last line. */
  private static final Duration UNINTERRUPTED_RUN = Duration.ofSeconds(120);

  // --- 1, 2: ZooKeeper and two scheduler replicas ---------------------------------------------

  private void startZooKeeper() throws IOException {
    steps.begin("Start ZooKeeper (`tern zk`), where the schedulers keep all state");
    zkPort = DemoCluster.freePort();
    zk =
        cluster.start(
            "zk",
            "zk",
            "--port",
            "" + zkPort,
            "--data",
            cluster.dir().resolve("zk").toString(),
            "--tick-ms",
            "250");
    until(
        "ZooKeeper listening",
        START,
        () -> DemoJobs.read(zk.log()),
        log -> {
          check(zk.alive(), "`tern zk` exited");
          return log.contains("ZooKeeper listening");
        });
    steps.pass("ZooKeeper on 127.0.0.1:" + zkPort + " (pid " + zk.process().pid() + ")");
  }

  private void startSchedulers() throws IOException {
    steps.begin("Start two scheduler replicas (`tern scheduler`): one leads, one stands by");
    List<String> addresses = new ArrayList<>();
    for (String name : List.of("scheduler-a", "scheduler-b")) {
      int port = DemoCluster.freePort();
      addresses.add("127.0.0.1:" + port);
      consolePorts.add(DemoCluster.freePort());
      replicas.add(cluster.start(name, schedulerArgs(port, consolePorts.getLast())));
    }
    BearerToken token = adminToken();
    ClientTls tls = ClientTls.trusting(cluster.tls().caCertificate());
    probe = new SchedulerReplicas(addresses, tls.credentials(), new TokenCredentials(token));
    cluster.schedulers(schedulers());
    client = new SchedulerClient(new ClientConfig(addresses, tls, token), Duration.ofSeconds(20));
    leader =
        until(
                "one replica leads and the other stands by",
                START,
                Duration.ofMillis(200),
                () -> {
                  for (Child r : replicas) {
                    check(r.alive(), r.name() + " exited");
                  }
                  return Optional.ofNullable(probe.leader());
                },
                Optional::isPresent)
            .orElseThrow();
    steps.pass(
        name(leader)
            + " "
            + leader
            + " leads; "
            + name(standby())
            + " "
            + standby()
            + " stands by; TLS, agents by certificate, users by token");
  }

  /**
   * The demo's admin token, made straight in ZooKeeper as an operator makes the first one ({@code
   * tern admin token create --zk}), and kept in {@code DIR/admin.token} for the commands the demo
   * suggests afterwards.
   */
  private BearerToken adminToken() throws IOException {
    try {
      String value =
          OperatorTokens.create(
                  "127.0.0.1:" + zkPort,
                  "/tern",
                  null,
                  CreateTokenRequest.newBuilder()
                      .setUser("demo")
                      .addRoles(Role.ROLE_ADMIN)
                      .setDescription("tern demo")
                      .build(),
                  "tern demo",
                  Duration.ofSeconds(30),
                  Clock.systemUTC())
              .getValue();
      Path file = tokenFile();
      PrivateFile.write(file, value + "\n");
      return BearerToken.parse(value).orElseThrow();
    } catch (IOException e) {
      throw e;
    } catch (Exception e) {
      throw new IOException("cannot make the demo's admin token in ZooKeeper: " + e, e);
    }
  }

  Path tokenFile() {
    return cluster.dir().resolve("admin.token");
  }

  /** The web console of each replica (every replica serves it; a standby reads the leader). */
  List<String> consoles() {
    return consolePorts.stream().map(p -> "https://127.0.0.1:" + p + "/").toList();
  }

  private String[] schedulerArgs(int port, int consolePort) {
    return new String[] {
      "scheduler",
      "--zk",
      "127.0.0.1:" + zkPort,
      "--port",
      "" + port,
      "--advertise",
      "127.0.0.1",
      "--metrics-port",
      "" + DemoCluster.freePort(),
      "--console-port",
      "" + consolePort,
      "--node-lease",
      "20",
      "--zk-session-timeout",
      "2",
      "--tls-dir",
      cluster.tls().dir().toString(),
      "--audit-log",
      cluster.dir().resolve("audit.jsonl").toString()
    };
  }

  private String standby() {
    return probe.addresses().stream().filter(a -> !a.equals(leader)).findFirst().orElseThrow();
  }

  private Child replica(String address) {
    return replicas.get(probe.addresses().indexOf(address));
  }

  private String name(String address) {
    return replica(address).name();
  }

  // --- 3: an off-peak window and a budget -----------------------------------------------------

  private void offPeakWindowOpens() {
    steps.begin("Open an off-peak window (FinOpsService.SetOffPeakWindow) and set a team budget");
    finops = new DemoFinOps(client);
    Instant now = Instant.now();
    OffPeakWindow set = finops.setWindow(DemoFinOps.openNowWindow(now));
    steps.detail("set " + DemoFinOps.describe(set));
    OffPeakWindow listed =
        until(
                "ListOffPeakWindows shows " + DemoFinOps.WINDOW,
                WAIT,
                Duration.ofMillis(200),
                () -> finops.listedWindow(DemoFinOps.WINDOW),
                Optional::isPresent)
            .orElseThrow();
    check(
        listed.getOpenNow(),
        DemoFinOps.WINDOW + " is not open now (next opening " + listed.getNextOpen() + ")");
    Budget budget = finops.setBudget();
    steps.detail(
        "budget "
            + budget.getTeam()
            + ": "
            + DemoFinOps.usd(budget.getDailyUsd())
            + "/day, "
            + DemoFinOps.usd(budget.getMonthlyUsd())
            + "/month, soft guardrail at "
            + Math.round(budget.getSoftAt() * 100)
            + "%");
    steps.pass(
        DemoFinOps.WINDOW
            + " is open now (ListOffPeakWindows: open_now=true, until "
            + DemoFinOps.closes(now)
            + ", next opening "
            + DemoFigures.instant(listed.getNextOpen())
            + "): spot capacity is preferred while it is open");
  }

  // --- 4, 5, 6, 7: nodes, a deadline job back to spot, the training job ---------------------

  private void onDemandNodeJoins() {
    steps.begin("An on-demand node joins: `tern agent --capacity on-demand --gpus sim:2xL4:24`");
    onDemand =
        cluster.launchAgent(
            DemoCluster.ON_DEMAND_POOL, io.tern.scheduler.core.model.CapacityType.ON_DEMAND);
    Node node = awaitReady(onDemand);
    steps.pass(describe(node) + "; no spot node exists yet");
  }

  private void deadlineJobStartsOnDemand() {
    steps.begin("Submit a checkpointing job with a deadline while there is no spot capacity");
    figures.deadlineId = submit(jobs.deadline(Instant.now()));
    steps.detail(
        figures.deadlineId
            + " (finetune-deadline): spot-ok, maxRuntime "
            + io.tern.scheduler.spec.Durations.format(DemoJobs.DEADLINE_MAX_RUNTIME)
            + ", deadline in "
            + io.tern.scheduler.spec.Durations.format(DemoJobs.DEADLINE_IN)
            + "; "
            + DemoJobs.DEADLINE_STEPS
            + " steps of "
            + DemoJobs.DEADLINE_STEP_SECONDS
            + " s");
    Job job = awaitRunningOn(figures.deadlineId, 1, onDemand, 5);
    check(
        job.getAttempts(0).getCapacityType() == CapacityType.CAPACITY_TYPE_ON_DEMAND,
        figures.deadlineId + " attempt 1 is not on on-demand capacity");
    steps.pass(
        figures.deadlineId
            + " runs on the on-demand node "
            + onDemand
            + " (step "
            + DemoJobs.lastStep(deadlineLog(1, onDemand))
            + "): not ahead of its uniform-progress line, it does not wait for spot");
  }

  private void spotNodeJoinsAndJobReturnsToSpot() {
    steps.begin(
        "A spot node joins: `tern agent --capacity spot --gpus sim:2xL4:24`; the deadline job"
            + " moves back to spot");
    spot =
        cluster.launchAgent(DemoCluster.SPOT_POOL, io.tern.scheduler.core.model.CapacityType.SPOT);
    Node node = awaitReady(spot);
    Instant ready = Instant.now();
    steps.detail(
        describe(node)
            + ", watching the instance-metadata endpoint "
            + cluster.imds().endpoint()
            + " for spot notices");
    Job job = awaitRunningOn(figures.deadlineId, 2, spot, 0);
    Attempt first = job.getAttempts(0);
    Attempt second = job.getAttempts(1);
    check(
        first.getEndReason().equals("checkpointed and requeued: returning to spot")
            && first.hasLastCheckpoint(),
        figures.deadlineId + "'s attempt 1 ended \"" + first.getEndReason() + "\"");
    check(
        second.getCapacityType() == CapacityType.CAPACITY_TYPE_SPOT
            && second.getResumedFrom().getName().equals(first.getLastCheckpoint().getName()),
        figures.deadlineId
            + " attempt 2 did not resume on spot from "
            + first.getLastCheckpoint().getName());
    figures.returnStepsLost =
        stepsLost(figures.deadlineId, () -> deadlineLog(1, onDemand), () -> deadlineLog(2, spot));
    check(figures.returnStepsLost == 0, figures.returnStepsLost + " steps were lost");
    // The node may have been READY a moment before this process saw it: measure from the
    // earlier of the two.
    Instant committed = DemoFigures.instant(first.getLastCheckpoint().getCommittedAt());
    Instant from = committed.isBefore(ready) ? committed : ready;
    figures.returnCheckpointSeconds = seconds(from, committed);
    figures.returnRunningSeconds = seconds(from, DemoFigures.instant(second.getStartedAt()));
    printAttempts(job);
    String explained = explain(figures.deadlineId);
    check(
        explained.contains("checkpointed and requeued: returning to spot"),
        "tern explain says \"" + explained + "\"");
    steps.detail("tern explain " + figures.deadlineId + ": " + explained);
    steps.pass(
        String.format(
            Locale.ROOT,
            "checkpointed %s %s s after %s was READY (RETURN_TO_SPOT); running on spot from it"
                + " after %s s, at $%.3f instead of $%.3f per GPU-hour; 0 steps lost",
            first.getLastCheckpoint().getName(),
            fmt(figures.returnCheckpointSeconds),
            spot,
            fmt(figures.returnRunningSeconds),
            perGpuHour(spot),
            perGpuHour(onDemand)));
  }

  private void trainingStartsOnSpot() {
    steps.begin("Submit a training job that checkpoints (examples/jobs/counter.sh, spot-ok)");
    figures.trainId = submit(jobs.training());
    steps.detail(
        figures.trainId
            + ": "
            + DemoJobs.TRAIN_STEPS
            + " steps of "
            + DemoJobs.TRAIN_STEP_SECONDS
            + " s, a checkpoint every "
            + DemoJobs.CHECKPOINT_EVERY
            + " steps and on SIGUSR1");
    Job job = awaitRunningOn(figures.trainId, 1, spot, 10);
    steps.pass(
        figures.trainId
            + " runs on the spot node "
            + spot
            + " (GPU "
            + job.getAttempts(0).getGpus(0).getIndexList()
            + "), step "
            + DemoJobs.lastStep(trainLog(1, spot))
            + " of "
            + DemoJobs.TRAIN_STEPS);
  }

  // --- 8, 9: a gang and a preemption ------------------------------------------------------------

  private void gangRunsWhole() {
    steps.begin("A second on-demand node joins; a gang of 2 nodes x 1 GPU runs on both at once");
    onDemand2 =
        cluster.launchAgent(
            DemoCluster.ON_DEMAND_POOL, io.tern.scheduler.core.model.CapacityType.ON_DEMAND);
    steps.detail(describe(awaitReady(onDemand2)));
    figures.gangId = submit(DemoJobs.gang());
    Job done = awaitState(figures.gangId, JobState.JOB_STATE_SUCCEEDED, WAIT);
    Attempt a = done.getAttempts(0);
    check(done.getAttemptsCount() == 1, "the gang ran more than once: " + done.getAttemptsList());
    check(
        new HashSet<>(a.getNodeIdsList()).equals(Set.of(onDemand, onDemand2)),
        "the gang's members ran on " + a.getNodeIdsList() + ", not on the two on-demand nodes");
    for (String node : a.getNodeIdsList()) {
      String log = DemoJobs.read(DemoJobs.attemptLog(cluster.agentWorkDir(node), done.getId(), 1));
      check(log.contains("member of " + done.getId()), "no output from the member on " + node);
    }
    steps.pass(
        figures.gangId
            + " (gang-allreduce) ran on "
            + String.join(" + ", a.getNodeIdsList())
            + " together and succeeded");
  }

  private void highPriorityPreemptsLow() {
    steps.begin("Priority: a high-priority job needs the on-demand node a low-priority job is on");
    figures.lowId = submit(jobs.lowPriority());
    awaitRunningOn(figures.lowId, 1, onDemand, 10);
    steps.detail(figures.lowId + " (batch-low, priority low) runs on " + onDemand);
    Instant submitted = Instant.now();
    figures.highId = submit(DemoJobs.highPriority());
    steps.detail(figures.highId + " (urgent-eval, priority high, 2 GPUs on-demand) submitted");
    Job high = awaitState(figures.highId, JobState.JOB_STATE_SUCCEEDED, WAIT);
    Job low = awaitRunningOn(figures.lowId, 2, onDemand, 0);
    Attempt first = low.getAttempts(0);
    Attempt second = low.getAttempts(1);
    check(
        first.getEndReason().startsWith("checkpointed") && first.hasLastCheckpoint(),
        figures.lowId + "'s first attempt did not end with a checkpoint: " + first.getEndReason());
    check(
        !DemoFigures.instant(high.getAttempts(0).getStartedAt())
            .isBefore(DemoFigures.instant(first.getEndedAt())),
        figures.highId + " started before " + figures.lowId + " had left its GPU");
    check(
        second.getResumedFrom().getName().equals(first.getLastCheckpoint().getName()),
        figures.lowId + " resumed from " + second.getResumedFrom().getName());
    String log2 =
        until(
            figures.lowId + " prints where it resumed",
            WAIT,
            () -> lowLog(2),
            l -> DemoJobs.resumedStep(l) >= 0);
    figures.preemptionStepsLost = DemoJobs.lastStep(lowLog(1)) - DemoJobs.resumedStep(log2);
    figures.highWaitedSeconds =
        seconds(submitted, DemoFigures.instant(high.getAttempts(0).getStartedAt()));
    printAttempts(low);
    steps.pass(
        figures.highId
            + " preempted "
            + figures.lowId
            + " (checkpointed at "
            + first.getLastCheckpoint().getName()
            + "), ran "
            + fmt(figures.highWaitedSeconds)
            + " s after submission and succeeded; "
            + figures.lowId
            + " resumed from "
            + second.getResumedFrom().getName()
            + ", "
            + figures.preemptionStepsLost
            + " steps lost");
  }

  // --- 10: the spot reclaim ----------------------------------------------------------------------

  private void spotReclaim() {
    steps.begin("Spot reclaim: the spot node's metadata endpoint announces termination in 2 min");
    // Only the training job runs on the spot node now: the deadline job finishes there first.
    awaitState(figures.deadlineId, JobState.JOB_STATE_SUCCEEDED, WAIT);
    Instant notice = Instant.now();
    cluster.imds().announceInstanceAction(notice.plusSeconds(120));
    steps.detail(
        "GET /latest/meta-data/spot/instance-action -> {\"action\":\"terminate\", ...} on " + spot);
    Job job = awaitRunningOn(figures.trainId, 2, Set.of(onDemand, onDemand2), 0);
    trainNode = job.getAttempts(1).getNodeIds(0);
    Attempt first = job.getAttempts(0);
    Attempt second = job.getAttempts(1);
    check(
        first.getEndReason().startsWith("checkpointed") && first.hasLastCheckpoint(),
        "attempt 1 did not end with a checkpoint: " + first.getEndReason());
    check(
        second.getResumedFrom().getName().equals(first.getLastCheckpoint().getName()),
        "attempt 2 resumed from " + second.getResumedFrom().getName());
    check(
        second.getCapacityType() == CapacityType.CAPACITY_TYPE_ON_DEMAND,
        "attempt 2 is not on on-demand capacity");
    figures.reclaimStepsLost =
        stepsLost(figures.trainId, () -> trainLog(1, spot), () -> trainLog(2, trainNode));
    figures.noticeToCheckpointSeconds =
        seconds(notice, DemoFigures.instant(first.getLastCheckpoint().getCommittedAt()));
    figures.noticeToRunningSeconds = seconds(notice, DemoFigures.instant(second.getStartedAt()));
    check(figures.reclaimStepsLost == 0, figures.reclaimStepsLost + " steps were lost");
    printAttempts(job);
    cluster.terminate(spot);
    steps.detail("the spot instance " + spot + " is then terminated, as EC2 would at the deadline");
    steps.pass(
        "checkpointed "
            + first.getLastCheckpoint().getName()
            + " "
            + fmt(figures.noticeToCheckpointSeconds)
            + " s after the notice; running again on "
            + trainNode
            + " (on-demand) after "
            + fmt(figures.noticeToRunningSeconds)
            + " s; 0 steps lost");
  }

  // --- 11, 12: failover and the end --------------------------------------------------------------

  private void leaderFailover() {
    steps.begin("Failover: kill -9 the leader while jobs run");
    String old = leader;
    String next = standby();
    // Only the training job runs now: batch-low's last seconds must not overlap the failover.
    awaitState(figures.lowId, JobState.JOB_STATE_SUCCEEDED, WAIT);
    List<String> ids =
        List.of(figures.deadlineId, figures.trainId, figures.lowId, figures.highId, figures.gangId);
    List<Integer> attemptsBefore = ids.stream().map(id -> job(id).getAttemptsCount()).toList();
    int stepBefore = DemoJobs.lastStep(trainLog(2, trainNode));
    long killed = System.nanoTime();
    replica(old).process().destroyForcibly();
    steps.detail("kill -9 " + replica(old).process().pid() + " (" + name(old) + ", " + old + ")");
    until(
        name(next) + " leads",
        Duration.ofSeconds(20),
        Duration.ofMillis(50),
        () -> probe.role(next),
        r -> r == SchedulerReplicas.Role.LEADER);
    figures.failoverSeconds = (System.nanoTime() - killed) / 1e9;
    leader = next;
    for (String node : List.of(onDemand, onDemand2)) {
      until(
          node + " registers with " + name(next),
          WAIT,
          () -> DemoJobs.read(replica(next).log()),
          log -> log.contains("node " + node + " registered"));
    }
    Job train = job(figures.trainId);
    check(
        train.getAttemptsCount() == 2
            && (train.getState() == JobState.JOB_STATE_RUNNING
                || train.getState() == JobState.JOB_STATE_SUCCEEDED),
        figures.trainId + " was disturbed by the failover: " + train.getState());
    int stepAfter =
        until(
            figures.trainId + " keeps counting",
            WAIT,
            () -> DemoJobs.lastStep(trainLog(2, trainNode)),
            s -> s > stepBefore || s == DemoJobs.TRAIN_STEPS);
    List<Integer> attemptsAfter = ids.stream().map(id -> job(id).getAttemptsCount()).toList();
    check(
        attemptsAfter.equals(attemptsBefore),
        "attempts per job changed across the failover: " + attemptsBefore + " -> " + attemptsAfter);
    steps.pass(
        name(next)
            + " leads "
            + fmt(figures.failoverSeconds)
            + " s after the kill; the agents reconnected and "
            + figures.trainId
            + " kept running (attempt 2, step "
            + stepBefore
            + " -> "
            + stepAfter
            + ")");
    restartReplica(old);
  }

  /** Brings the killed replica back as a standby, so the cluster ends as it started. */
  private void restartReplica(String address) {
    int index = probe.addresses().indexOf(address);
    int port = Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
    try {
      replicas.set(
          index,
          cluster.start(replicas.get(index).name(), schedulerArgs(port, consolePorts.get(index))));
    } catch (IOException e) {
      throw new IllegalStateException("could not restart " + address + ": " + e.getMessage(), e);
    }
  }

  private void everythingFinishes() throws Exception {
    steps.begin("Every job finishes; the interrupted ones end exactly like uninterrupted runs");
    Duration left =
        Duration.ofSeconds(30 + (long) (DemoJobs.TRAIN_STEPS * DemoJobs.TRAIN_STEP_SECONDS));
    Job train = awaitState(figures.trainId, JobState.JOB_STATE_SUCCEEDED, left);
    Job low = awaitState(figures.lowId, JobState.JOB_STATE_SUCCEEDED, WAIT);
    Job deadline = awaitState(figures.deadlineId, JobState.JOB_STATE_SUCCEEDED, WAIT);
    String deadlineLast = DemoJobs.lastLine(deadlineLog(2, spot));
    check(
        deadlineLast.equals(deadlineExpected.get(UNINTERRUPTED_RUN.toSeconds(), TimeUnit.SECONDS)),
        figures.deadlineId + " ended with \"" + deadlineLast + "\"");
    String trainLast = DemoJobs.lastLine(trainLog(2, trainNode));
    String lowLast = DemoJobs.lastLine(lowLog(low.getAttemptsCount()));
    String trainWanted = trainExpected.get(UNINTERRUPTED_RUN.toSeconds(), TimeUnit.SECONDS);
    check(
        trainLast.equals(trainWanted),
        figures.trainId + " ended with \"" + trainLast + "\", not \"" + trainWanted + "\"");
    check(
        lowLast.equals(lowExpected.get(UNINTERRUPTED_RUN.toSeconds(), TimeUnit.SECONDS)),
        figures.lowId + " ended with \"" + lowLast + "\"");
    until(
        "the restarted replica stands by",
        START,
        Duration.ofMillis(200),
        () -> probe.role(standby()),
        r -> r == SchedulerReplicas.Role.STANDBY);
    figures.jobs =
        List.of(deadline, train, low, job(figures.highId), job(figures.gangId)).stream()
            .sorted(java.util.Comparator.comparing(Job::getId))
            .toList();
    steps.detail(figures.trainId + ": \"" + trainLast + "\"");
    steps.pass(
        "5 jobs SUCCEEDED; "
            + figures.deadlineId
            + ", "
            + figures.trainId
            + " and "
            + figures.lowId
            + " printed the same last line as uninterrupted runs; "
            + name(standby())
            + " is back as the standby");
  }

  // --- 13, 14: what it cost, and the simulator's report -----------------------------------------

  private void costAndWaste() {
    steps.begin("Cost and waste (FinOpsService.GetCostReport): per team and in total");
    Map<String, String> teamOf = new LinkedHashMap<>();
    for (Job j : figures.jobs) {
      teamOf.put(j.getId(), j.getSpec().getTeam());
    }
    CostReport report = finops.costReport(started);
    DemoFinOps.checkConsistent(report, teamOf);
    figures.costTable = DemoFinOps.table(report);
    figures.costTable.forEach(steps::detail);
    CostLine back =
        report.getJobsList().stream()
            .filter(l -> l.getKey().equals(figures.deadlineId))
            .findFirst()
            .orElseThrow();
    figures.returnLine = DemoFinOps.returnToSpotLine(back);
    steps.detail(figures.returnLine);
    Budget budget =
        finops
            .budget(DemoFinOps.BUDGET_TEAM)
            .orElseThrow(() -> new Poll.StepFailed("ListBudgets lost the budget"));
    // The demo spends cents: the budget must count them (unless a UTC day began meanwhile) and
    // stay far from its guardrails.
    boolean sameDay =
        started.truncatedTo(ChronoUnit.DAYS).equals(Instant.now().truncatedTo(ChronoUnit.DAYS));
    check(
        budget.getStatus().equals("ok") && (!sameDay || budget.getSpentDayUsd() > 0),
        DemoFinOps.budgetLine(budget));
    figures.budgetLine = DemoFinOps.budgetLine(budget);
    steps.detail(figures.budgetLine);
    CostLine total = report.getTotal();
    steps.pass(
        String.format(
            Locale.ROOT,
            "%s GPU-hours, %s spot + %s on-demand; %s GPU-hours lost to preemption and reclaim; jobs add up"
                + " to their teams and teams to the total",
            DemoFinOps.hours(total.getGpuHours()),
            DemoFinOps.usd(total.getSpotUsd()),
            DemoFinOps.usd(total.getOnDemandUsd()),
            DemoFinOps.hours(total.getLostGpuHours())));
  }

  private void htmlReport() throws IOException {
    steps.begin("Replay the demo's jobs in the simulator under every policy; write an HTML report");
    Path spotTraces = DemoReport.spotTraces(jobs.repoRoot());
    List<Node> nodes =
        client
            .call(
                c ->
                    ClusterServiceGrpc.newBlockingStub(c)
                        .withDeadlineAfter(5, TimeUnit.SECONDS)
                        .listNodes(ListNodesRequest.getDefaultInstance()))
            .getNodesList();
    SimulationSummary summary = DemoReport.write(figures.jobs, nodes, cluster.dir(), spotTraces);
    Path report = cluster.dir().resolve(DemoReport.REPORT);
    check(Files.isRegularFile(report), report + " was not written");
    check(Files.size(report) > 0, report + " is empty");
    check(
        summary.jobs() == figures.jobs.size(),
        "the simulator replayed " + summary.jobs() + " jobs, not " + figures.jobs.size());
    steps.detail(
        "trace "
            + cluster.dir().resolve(DemoReport.TRACE)
            + " ("
            + summary.jobs()
            + " jobs); spot availability: "
            + (spotTraces == null ? "none (the seeded synthetic model)" : spotTraces));
    DemoReport.policyLines(summary).forEach(steps::detail);
    figures.reportPath = report;
    steps.pass(
        String.format(
            Locale.ROOT,
            "%s (%,d bytes), %d policies side by side",
            report,
            Files.size(report),
            summary.policies().size()));
  }

  // --- helpers
  // ------------------------------------------------------------------------------------

  private String submit(JobSpec spec) {
    return client
        .call(
            c ->
                JobServiceGrpc.newBlockingStub(c)
                    .withDeadlineAfter(10, TimeUnit.SECONDS)
                    .submitJob(SubmitJobRequest.newBuilder().setSpec(spec).build()))
        .getJob()
        .getId();
  }

  Job job(String id) {
    return client.call(
        c ->
            JobServiceGrpc.newBlockingStub(c)
                .withDeadlineAfter(5, TimeUnit.SECONDS)
                .getJob(GetJobRequest.newBuilder().setJobId(id).build()));
  }

  /** What `tern explain JOB` says of a job, in one line. */
  private String explain(String id) {
    return client
        .call(
            c ->
                JobServiceGrpc.newBlockingStub(c)
                    .withDeadlineAfter(5, TimeUnit.SECONDS)
                    .explainJob(io.tern.api.v1.ExplainJobRequest.newBuilder().setJobId(id).build()))
        .getSummary();
  }

  private Optional<Node> node(String id) {
    return client
        .call(
            c ->
                ClusterServiceGrpc.newBlockingStub(c)
                    .withDeadlineAfter(5, TimeUnit.SECONDS)
                    .listNodes(ListNodesRequest.getDefaultInstance()))
        .getNodesList()
        .stream()
        .filter(n -> n.getId().equals(id))
        .findFirst();
  }

  private Node awaitReady(String nodeId) {
    return until(
            nodeId + " registers and is READY",
            START,
            Duration.ofMillis(200),
            () -> node(nodeId),
            n -> {
              check(
                  cluster.instances().stream()
                      .anyMatch(i -> i.id().equals(nodeId) && i.state().name().equals("RUNNING")),
                  "the agent " + nodeId + " exited");
              return n.map(x -> x.getState() == NodeState.NODE_STATE_READY).orElse(false);
            })
        .orElseThrow();
  }

  /** Waits until attempt {@code attempt} runs on {@code nodeId} and has printed {@code step}. */
  private Job awaitRunningOn(String jobId, int attempt, String nodeId, int step) {
    return awaitRunningOn(jobId, attempt, Set.of(nodeId), step);
  }

  /** Waits until attempt {@code attempt} runs on one of {@code nodeIds} past {@code step}. */
  private Job awaitRunningOn(String jobId, int attempt, Set<String> nodeIds, int step) {
    return until(
        jobId + " attempt " + attempt + " runs on " + nodeIds + " past step " + step,
        WAIT,
        () -> job(jobId),
        j -> {
          check(
              j.getState() != JobState.JOB_STATE_FAILED
                  && j.getState() != JobState.JOB_STATE_CANCELLED,
              jobId + " is " + j.getState());
          if (j.getAttemptsCount() < attempt) {
            return false;
          }
          Attempt a = j.getAttempts(attempt - 1);
          if (a.getNodeIdsCount() == 0) {
            return false;
          }
          if (a.getNodeIdsCount() != 1 || !nodeIds.contains(a.getNodeIds(0))) {
            throw new Poll.StepFailed(
                jobId
                    + " attempt "
                    + attempt
                    + " went to "
                    + a.getNodeIdsList()
                    + ", not "
                    + nodeIds);
          }
          Path log = DemoJobs.attemptLog(cluster.agentWorkDir(a.getNodeIds(0)), jobId, attempt);
          return a.hasStartedAt() && (step == 0 || DemoJobs.lastStep(DemoJobs.read(log)) >= step);
        });
  }

  private Job awaitState(String jobId, JobState state, Duration atMost) {
    return until(
        jobId + " is " + state.name().substring("JOB_STATE_".length()),
        atMost,
        Duration.ofMillis(200),
        () -> job(jobId),
        j -> {
          check(
              j.getState() != JobState.JOB_STATE_FAILED
                  && j.getState() != JobState.JOB_STATE_CANCELLED,
              jobId + " is " + j.getState() + ": " + lastReason(j));
          return j.getState() == state;
        });
  }

  private static String lastReason(Job j) {
    return j.getAttemptsCount() == 0
        ? j.getPendingReason()
        : j.getAttempts(j.getAttemptsCount() - 1).getEndReason();
  }

  private String trainLog(int attempt, String nodeId) {
    return DemoJobs.read(
        DemoJobs.attemptLog(cluster.agentWorkDir(nodeId), figures.trainId, attempt));
  }

  /**
   * Steps a counter job lost between its first two attempts: attempt 1 must have checkpointed on
   * the signal, and attempt 2 says where it resumed (waited for).
   */
  private int stepsLost(
      String jobId,
      java.util.function.Supplier<String> first,
      java.util.function.Supplier<String> second) {
    String log2 =
        until(
            jobId + " attempt 2 prints where it resumed",
            WAIT,
            second,
            l -> DemoJobs.resumedStep(l) >= 0);
    String log1 = first.get();
    check(
        log1.contains("checkpointed on signal"),
        jobId + " attempt 1 did not checkpoint on the signal");
    return DemoJobs.lastStep(log1) - DemoJobs.resumedStep(log2);
  }

  private String deadlineLog(int attempt, String nodeId) {
    return DemoJobs.read(
        DemoJobs.attemptLog(cluster.agentWorkDir(nodeId), figures.deadlineId, attempt));
  }

  /** A node's price per GPU-hour, as it registered. */
  private double perGpuHour(String nodeId) {
    Node n = node(nodeId).orElseThrow();
    return n.getPricePerHourUsd() / Math.max(1, n.getGpusCount());
  }

  private String lowLog(int attempt) {
    return DemoJobs.read(
        DemoJobs.attemptLog(cluster.agentWorkDir(onDemand), figures.lowId, attempt));
  }

  private void printAttempts(Job job) {
    for (String line : DemoFigures.attemptLines(job)) {
      steps.detail(line);
    }
  }

  private static String describe(Node n) {
    return String.format(
        Locale.ROOT,
        "%s is READY: %s, %d x %s, $%.2f/h",
        n.getId(),
        n.getCapacityType() == CapacityType.CAPACITY_TYPE_SPOT ? "spot" : "on-demand",
        n.getGpusCount(),
        n.getGpusCount() == 0 ? "?" : n.getGpus(0).getModel(),
        n.getPricePerHourUsd());
  }

  private static double seconds(Instant from, Instant to) {
    return Duration.between(from, to).toMillis() / 1000.0;
  }

  static String fmt(double seconds) {
    return String.format(Locale.ROOT, "%.1f", seconds);
  }

  /** For the end of the run: nothing of the cluster is left to the scenario. */
  void closeClients() {
    if (client != null) {
      client.close();
    }
    if (probe != null) {
      probe.close();
    }
  }
}
