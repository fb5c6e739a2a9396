package io.tern.scheduler.server.loop;

import io.grpc.Status;
import io.tern.api.v1.CancelJobRequest;
import io.tern.api.v1.ExplainJobResponse;
import io.tern.api.v1.Job;
import io.tern.api.v1.JobSpec;
import io.tern.api.v1.ListJobsRequest;
import io.tern.api.v1.ListJobsResponse;
import io.tern.api.v1.PendingReason;
import io.tern.api.v1.SubmitJobResponse;
import io.tern.scheduler.core.explain.Explanation;
import io.tern.scheduler.server.zk.JobIds;
import io.tern.scheduler.server.zk.ZkStateStore;
import io.tern.scheduler.server.zk.ZkWrite;
import io.tern.scheduler.spec.ArraySyntax;
import io.tern.scheduler.spec.AttemptCheckpoints;
import io.tern.scheduler.spec.SpecLimits;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

/**
 * What JobService asks of the scheduler, run on the loop. Replies that report a change complete
 * only once the change is in ZooKeeper.
 */
public final class JobRequests {
  static final int DEFAULT_PAGE = 100;
  static final int MAX_PAGE = 1000;

  /**
   * A ListJobs page ends before the job that would take it past this many bytes (a job's spec may
   * hold up to 256 KiB), so that it stays well inside the 4 MiB a gRPC client, and a standby's
   * relay, accept by default; next_page_token then says more jobs follow.
   */
  static final int MAX_PAGE_BYTES = 2 << 20;

  private final LoopThread loop;
  private final Clock clock;
  private final StateWrites writes;
  private final JobCommands commands;
  private final Watchers watchers;
  private final PlanTrigger plans;
  private final SubmitChecks checks;

  /** Submissions with an idempotency key whose create has not committed yet, by key hash. */
  private final Map<String, CompletableFuture<Job>> inFlightKeys = new HashMap<>();

  JobRequests(
      LoopThread loop,
      Clock clock,
      StateWrites writes,
      JobCommands commands,
      Watchers watchers,
      PlanTrigger plans,
      SubmitChecks checks) {
    this.loop = loop;
    this.clock = clock;
    this.writes = writes;
    this.commands = commands;
    this.watchers = watchers;
    this.plans = plans;
    this.checks = checks;
  }

  /**
   * Queues a validated, normalized spec, in one loop task: a retry with a key already used gets the
   * job it created (checked again by nothing: it was accepted); a new submission passes {@link
   * SubmitChecks} first, then is created.
   *
   * @param keyHash SHA-256 of the idempotency key, or empty for none
   * @param allowUnfit queue it even if no node or pool could ever hold it, or its deadline is short
   * @param seesTeam the teams whose jobs the caller may name as parents
   */
  public CompletableFuture<SubmitJobResponse> submit(
      JobSpec spec, String keyHash, String owner, boolean allowUnfit, Predicate<String> seesTeam) {
    return loop.callAsync(term -> submit(term, spec, keyHash, owner, allowUnfit, seesTeam));
  }

  private CompletableFuture<SubmitJobResponse> submit(
      LeaderTerm term,
      JobSpec spec,
      String keyHash,
      String owner,
      boolean allowUnfit,
      Predicate<String> seesTeam) {
    if (!keyHash.isEmpty()) {
      String existing = term.idempotencyKeys.get(keyHash);
      JobEntry known = existing == null ? null : term.entry(existing);
      if (known != null) {
        return CompletableFuture.completedFuture(deduplicated(known.job, spec));
      }
      CompletableFuture<Job> pending = inFlightKeys.get(keyHash);
      if (pending != null) {
        return pending.thenApply(job -> deduplicated(job, spec));
      }
    }
    checks.check(term, spec, allowUnfit, seesTeam);
    Instant now = clock.instant();
    List<Integer> indices =
        spec.hasArray() ? ArraySyntax.indices(spec.getArray().getIndices()).indices() : List.of();
    long number = term.nextJobNumber;
    String arrayId = spec.hasArray() ? JobIds.of(number) : "";
    List<Job> jobs = new ArrayList<>();
    if (spec.hasArray()) {
      for (int index : indices) {
        JobSpec task =
            spec.toBuilder()
                .setArray(spec.getArray().toBuilder().setTaskIndex(index).setArrayId(arrayId))
                .build();
        jobs.add(queued(JobIds.task(arrayId, index), task, now, owner, keyHash));
      }
    } else {
      jobs.add(queued(JobIds.of(number), spec, now, owner, keyHash));
    }
    List<ZkWrite> creates = new ArrayList<>(jobs.size() + 1);
    String shard = writes.paths().jobShard(number);
    if (!term.jobShards.contains(shard)) {
      creates.add(new ZkWrite.Create(shard, new byte[0]));
    }
    int bytes = 0;
    for (Job job : jobs) {
      byte[] data = job.toByteArray();
      bytes += data.length + shard.length() + job.getId().length() + 1;
      creates.add(new ZkWrite.Create(shard + "/" + job.getId(), data));
    }
    if (bytes > ZkStateStore.MAX_BATCH_BYTES) {
      // One atomic create: an array is whole or not there.
      throw Status.INVALID_ARGUMENT
          .withDescription(
              "array: "
                  + jobs.size()
                  + " tasks of this spec take "
                  + bytes / 1024
                  + " KiB, over the "
                  + ZkStateStore.MAX_BATCH_BYTES / 1024
                  + " KiB one submission may write; use fewer indices or a smaller spec")
          .asRuntimeException();
    }
    term.nextJobNumber++;
    term.jobShards.add(shard);
    jobs.forEach(job -> term.add(new JobEntry(job, 0)));
    Job job = jobs.get(0);
    String id = job.getId();
    CompletableFuture<Job> created = new CompletableFuture<>();
    if (!keyHash.isEmpty()) {
      inFlightKeys.put(keyHash, created);
    }
    writes.write(
        creates,
        () -> {
          if (!keyHash.isEmpty()) {
            term.idempotencyKeys.put(keyHash, id);
            inFlightKeys.remove(keyHash);
          }
          created.complete(job);
          plans.requestPlan();
        },
        e -> {
          inFlightKeys.remove(keyHash);
          created.completeExceptionally(e);
        });
    // If the term ends first, the client hears UNAVAILABLE-like failure and retries with its key.
    return created.thenApply(j -> submitted(j, jobs.size()));
  }

  private static Job queued(String id, JobSpec spec, Instant now, String owner, String keyHash) {
    return JobLifecycle.submitted(
        Job.newBuilder()
            .setId(id)
            .setSpec(spec)
            .setSubmittedAt(CoreSnapshots.timestamp(now))
            .setOwner(owner)
            .setPendingReason("queued")
            .setIdempotencyKeySha256(keyHash));
  }

  /** The reply for {@code job}, the first (or only) of the {@code count} a submission created. */
  private static SubmitJobResponse submitted(Job job, int count) {
    SubmitJobResponse.Builder out = SubmitJobResponse.newBuilder().setJob(job);
    if (job.getSpec().hasArray()) {
      out.setArrayId(job.getSpec().getArray().getArrayId()).setArrayTasks(count);
    }
    return out.build();
  }

  /** The spec a job's submission sent: for an array's task, without its index and array id. */
  private static JobSpec asSubmitted(JobSpec spec) {
    if (!spec.hasArray()) {
      return spec;
    }
    return spec.toBuilder()
        .setArray(spec.getArray().toBuilder().clearTaskIndex().clearArrayId())
        .build();
  }

  /**
   * The answer to a retry with a key already used: the job it created, if {@code spec} is the one
   * that job was submitted with; ALREADY_EXISTS otherwise (a key names one submission).
   */
  private static SubmitJobResponse deduplicated(Job job, JobSpec spec) {
    String arrayId = job.getSpec().getArray().getArrayId();
    if (!asSubmitted(job.getSpec()).equals(spec)) {
      throw Status.ALREADY_EXISTS
          .withDescription(
              "idempotency_key: already used for "
                  + (arrayId.isEmpty() ? job.getId() : "the array " + arrayId)
                  + ", submitted with a different spec; a retry must send the same spec, and a"
                  + " new job needs a new key")
          .asRuntimeException();
    }
    SubmitJobResponse.Builder out =
        SubmitJobResponse.newBuilder().setJob(job).setDeduplicated(true);
    if (arrayId.isEmpty()) {
      return out.build();
    }
    // The submission made one task per index its spec lists, as the first answer counted them.
    int tasks = ArraySyntax.indices(spec.getArray().getIndices()).indices().size();
    return out.setArrayId(arrayId).setArrayTasks(tasks).build();
  }

  /** The job, with what it has cost so far. */
  public CompletableFuture<Job> get(String id) {
    return loop.call(term -> term.costs.costed(find(term, id).job, clock.instant()));
  }

  /** The job {@code id}, or for an array's id its first task (whose team is the array's). */
  public CompletableFuture<Job> jobOrFirstTask(String id) {
    return loop.call(
        term -> {
          List<JobEntry> tasks = term.entry(id) == null ? tasks(term, id) : List.of();
          return tasks.isEmpty() ? find(term, id).job : tasks.get(0).job;
        });
  }

  public CompletableFuture<ListJobsResponse> list(ListJobsRequest request) {
    return list(request, team -> true);
  }

  /**
   * One page of the jobs {@code request} selects among those whose team {@code visible} accepts (a
   * user's own teams), newest first.
   */
  public CompletableFuture<ListJobsResponse> list(
      ListJobsRequest request, Predicate<String> visible) {
    return loop.call(
        term -> {
          int size =
              request.getPageSize() <= 0 ? DEFAULT_PAGE : Math.min(MAX_PAGE, request.getPageSize());
          // Newest first: walk ids downwards from the page token (the last id of the last page).
          var view =
              request.getPageToken().isEmpty()
                  ? term.jobs.descendingMap()
                  : term.jobs.headMap(request.getPageToken(), false).descendingMap();
          ListJobsResponse.Builder out = ListJobsResponse.newBuilder();
          Instant now = clock.instant();
          long bytes = 0;
          for (JobEntry entry : view.values()) {
            if (visible.test(entry.job.getSpec().getTeam()) && matches(entry.job, request)) {
              Job job = term.costs.costed(entry.job, now);
              // A job's field tag and length take at most 4 bytes beside its own.
              long more = job.getSerializedSize() + 4L;
              if (out.getJobsCount() == size
                  || (out.getJobsCount() > 0 && bytes + more > MAX_PAGE_BYTES)) {
                out.setNextPageToken(out.getJobs(out.getJobsCount() - 1).getId());
                break;
              }
              out.addJobs(job);
              bytes += more;
            }
          }
          return out.build();
        });
  }

  private static boolean matches(Job job, ListJobsRequest request) {
    if (!request.getArrayId().isEmpty()
        && !request.getArrayId().equals(job.getSpec().getArray().getArrayId())) {
      return false;
    }
    if (!request.getTeam().isEmpty() && !request.getTeam().equals(job.getSpec().getTeam())) {
      return false;
    }
    if (request.getStatesCount() > 0 && !request.getStatesList().contains(job.getState())) {
      return false;
    }
    return !request.hasSubmittedAfter()
        || CoreSnapshots.instant(job.getSubmittedAt())
                .compareTo(CoreSnapshots.instant(request.getSubmittedAfter()))
            >= 0;
  }

  /**
   * Cancels a job; a running one ends CANCELLED once its agent has stopped it, and a finished one
   * is answered unchanged. An array's id cancels each of its tasks that has not ended, and answers
   * with its first task: for an array whose tasks have all ended, as for a finished job, a no-op.
   */
  public CompletableFuture<Job> cancel(CancelJobRequest request) {
    return loop.callAsync(
        term -> {
          String reason =
              request.getReason().isEmpty() ? "cancelled" : "cancelled: " + request.getReason();
          if (term.entry(request.getJobId()) == null) {
            List<JobEntry> tasks = tasks(term, request.getJobId());
            if (!tasks.isEmpty()) {
              List<CompletableFuture<Job>> each = new ArrayList<>();
              tasks.forEach(task -> each.add(cancel(term, task, reason)));
              return CompletableFuture.allOf(each.toArray(CompletableFuture[]::new))
                  .thenApply(v -> each.get(0).join());
            }
          }
          return cancel(term, find(term, request.getJobId()), reason);
        });
  }

  private CompletableFuture<Job> cancel(LeaderTerm term, JobEntry entry, String reason) {
    return commands.cancel(term, entry, reason);
  }

  /** The tasks of the array {@code arrayId}, in id order; empty if it is not an array's id. */
  static List<JobEntry> tasks(LeaderTerm term, String arrayId) {
    // Task ids are ARRAY_ID-INDEX, and '-' sorts just before '.', so they sit in one range.
    return List.copyOf(term.jobs.subMap(arrayId + "-", arrayId + ".").values());
  }

  public CompletableFuture<ExplainJobResponse> explain(String id) {
    return loop.call(
        term -> {
          List<JobEntry> tasks = term.entry(id) == null ? tasks(term, id) : List.of();
          return tasks.isEmpty() ? explain(term, find(term, id)) : explainArray(term, id, tasks);
        });
  }

  /**
   * An array's id: its tasks counted by state, then the first queued task (else the first that has
   * not ended, else the last) explained as a job is, whose state and reasons it answers with.
   */
  private ExplainJobResponse explainArray(LeaderTerm term, String id, List<JobEntry> tasks) {
    Map<String, Integer> counts = new java.util.TreeMap<>();
    tasks.forEach(
        t ->
            counts.merge(
                t.state().name().substring("JOB_STATE_".length()).toLowerCase(Locale.ROOT),
                1,
                Integer::sum));
    JobEntry shown =
        tasks.stream()
            .filter(JobEntry::queued)
            .findFirst()
            .or(() -> tasks.stream().filter(t -> !t.finished()).findFirst())
            .orElse(tasks.get(tasks.size() - 1));
    ExplainJobResponse one = explain(term, shown);
    StringBuilder summary = new StringBuilder("array of " + tasks.size() + " tasks: ");
    counts.forEach((state, n) -> summary.append(n).append(' ').append(state).append(", "));
    summary.setLength(summary.length() - 2);
    summary.append("; ").append(shown.id()).append(": ").append(one.getSummary());
    return one.toBuilder().setSummary(summary.toString()).build();
  }

  private ExplainJobResponse explain(LeaderTerm term, JobEntry entry) {
    String id = entry.id();
    ExplainJobResponse.Builder out = ExplainJobResponse.newBuilder().setState(entry.state());
    Explanation explanation = term.explanations.get(id);
    if (!entry.queued()) {
      out.setSummary(describe(term, entry));
    } else if (entry.job.getHeldByUser()) {
      out.setSummary("held: " + entry.job.getPendingReason() + " (tern release to queue it)");
    } else if (entry.waitingFor != null) {
      out.setSummary("pending: " + entry.waitingFor);
    } else if (explanation == null) {
      out.setSummary(
          "pending: not planned yet (the next plan runs within a second)" + lastEnded(entry));
    } else {
      out.setSummary(
          (explanation.held() ? "held: " : "pending: ") + explanation + lastEnded(entry));
      explanation
          .reasons()
          .forEach(
              r ->
                  out.addReasons(
                      PendingReason.newBuilder()
                          .setCode(r.kind().name())
                          .setMessage(r.detail())
                          .setNodeCount(r.nodes())));
    }
    addCheckpointNotes(entry, out);
    out.setQueuePosition(queuePosition(term, entry));
    return out.build();
  }

  /**
   * What the current attempt did with checkpoints: a commit failure goes into the summary (it puts
   * work at risk) and both are listed as reasons.
   */
  private static void addCheckpointNotes(JobEntry entry, ExplainJobResponse.Builder out) {
    AttemptCheckpoints.commitFailure(entry.job)
        .ifPresent(
            failing -> {
              out.setSummary(out.getSummary() + "; " + failing);
              out.addReasons(
                  PendingReason.newBuilder()
                      .setCode("CHECKPOINT_COMMITS_FAILING")
                      .setMessage(failing));
            });
    entry
        .currentAttempt()
        .flatMap(AttemptCheckpoints::restore)
        .ifPresent(
            restore ->
                out.addReasons(
                    PendingReason.newBuilder()
                        .setCode("CHECKPOINT_RESTORE")
                        .setMessage("attempt " + entry.attemptNumber() + ": " + restore)));
  }

  private static String describe(LeaderTerm term, JobEntry entry) {
    var attempt = entry.currentAttempt();
    String where = attempt.map(a -> " on " + String.join(", ", a.getNodeIdsList())).orElse("");
    if (term.cancelling.contains(entry.id())) {
      // Its cancel waits for its agent to stop it (or for its node's fence, when it is gone).
      return "being stopped" + where + " to be cancelled" + limitReason(entry.job);
    }
    return switch (entry.state()) {
      case JOB_STATE_STARTING -> "starting" + where + endedBefore(entry.job);
      case JOB_STATE_RUNNING ->
          "running"
              + where
              + endedBefore(entry.job)
              + (term.staysOnDemand.containsKey(entry.id())
                  ? "; stays on on-demand: " + term.staysOnDemand.get(entry.id())
                  : "");
      case JOB_STATE_CHECKPOINTING ->
          "checkpointing"
              + where
              + (term.returningToSpot.contains(entry.id())
                  ? " before it moves back to spot"
                  : " before it moves");
      // One cancelled before it started (a dependency that can never be met), or by the
      // scheduler for a limit, says why; else how its last attempt ended.
      case JOB_STATE_CANCELLED ->
          entry.job.getPendingReason().startsWith("cancelled")
                  && (attempt.isEmpty() || JobLimits.isLimitReason(entry.job.getPendingReason()))
              ? entry.job.getPendingReason()
              : "cancelled" + attempt.map(a -> ": " + a.getEndReason()).orElse("");
      default ->
          entry.state().name().substring("JOB_STATE_".length()).toLowerCase()
              + attempt.map(a -> ": " + a.getEndReason()).orElse("");
    };
  }

  /** A scheduler limit's reason for cancelling {@code job}, after "; ", or empty. */
  private static String limitReason(io.tern.api.v1.Job job) {
    return JobLimits.isLimitReason(job.getPendingReason()) ? "; " + job.getPendingReason() : "";
  }

  /**
   * For a queued job that ran before, how its last attempt ended, e.g. {@code "; attempt 1 on od-1
   * (on-demand): checkpointed and requeued: returning to spot"}; empty otherwise.
   */
  private static String lastEnded(JobEntry entry) {
    int n = entry.job.getAttemptsCount();
    return n == 0 ? "" : ended(entry.job.getAttempts(n - 1));
  }

  /**
   * For a job with a running attempt after others, which attempt it is and how the one before it
   * ended, said as past, e.g. {@code " (attempt 2); earlier, attempt 1 on od-1 (on-demand):
   * checkpointed and requeued: returning to spot"}; empty for a first attempt.
   */
  private static String endedBefore(io.tern.api.v1.Job job) {
    int n = job.getAttemptsCount();
    if (n < 2) {
      return "";
    }
    String before = ended(job.getAttempts(n - 2));
    return " (attempt " + n + ")" + (before.isEmpty() ? "" : "; earlier," + before.substring(1));
  }

  private static String ended(io.tern.api.v1.Attempt a) {
    if (!a.hasEndedAt() || a.getEndReason().isEmpty()) {
      return "";
    }
    String capacity =
        a.getCapacityType() == io.tern.api.v1.CapacityType.CAPACITY_TYPE_SPOT
            ? "spot"
            : "on-demand";
    return "; attempt "
        + a.getNumber()
        + " on "
        + String.join(", ", a.getNodeIdsList())
        + " ("
        + capacity
        + "): "
        + a.getEndReason();
  }

  private static int queuePosition(LeaderTerm term, JobEntry entry) {
    if (!entry.queued()) {
      return 0;
    }
    int position = 1;
    for (JobEntry other : term.unfinishedBefore(entry.id())) {
      if (other.queued() && other.job.getSpec().getTeam().equals(entry.job.getSpec().getTeam())) {
        position++;
      }
    }
    return position;
  }

  /** Delivers the job now and on every committed change until it ends or the watcher leaves. */
  public void watch(
      String id, Watchers.Watcher watcher, java.util.function.Consumer<RuntimeException> onError) {
    loop.execute(
        () -> {
          try {
            JobEntry entry = find(loop.requireLeader(), id);
            if (entry.finished()) {
              watcher.onJob(entry.job);
              watcher.onEnd();
            } else {
              watchers.add(entry.job, watcher);
            }
          } catch (RuntimeException e) {
            onError.accept(e);
          }
        });
  }

  /** The job {@code id}; NOT_FOUND otherwise, saying to name a task if it is an array's id. */
  static JobEntry find(LeaderTerm term, String id) {
    JobEntry entry = term.entry(id);
    if (entry == null) {
      List<JobEntry> tasks = tasks(term, id);
      if (!tasks.isEmpty()) {
        throw new NoSuchElementException(
            id
                + " is an array of "
                + tasks.size()
                + " tasks, not one job: name a task, e.g. "
                + tasks.get(0).id()
                + " (tern status "
                + id
                + " lists them)");
      }
      throw new NoSuchElementException("no job " + SpecLimits.echo(id));
    }
    return entry;
  }
}
