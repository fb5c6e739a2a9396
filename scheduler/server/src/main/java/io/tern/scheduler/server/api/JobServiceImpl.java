package io.tern.scheduler.server.api;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.tern.api.v1.CancelJobRequest;
import io.tern.api.v1.ExplainJobRequest;
import io.tern.api.v1.ExplainJobResponse;
import io.tern.api.v1.ExportHistoryRequest;
import io.tern.api.v1.GetJobRequest;
import io.tern.api.v1.HistoryChunk;
import io.tern.api.v1.HoldJobRequest;
import io.tern.api.v1.Job;
import io.tern.api.v1.JobServiceGrpc;
import io.tern.api.v1.JobSpec;
import io.tern.api.v1.JobState;
import io.tern.api.v1.ListJobsRequest;
import io.tern.api.v1.ListJobsResponse;
import io.tern.api.v1.LogChunk;
import io.tern.api.v1.Node;
import io.tern.api.v1.ReleaseJobRequest;
import io.tern.api.v1.RequeueJobRequest;
import io.tern.api.v1.StreamLogsRequest;
import io.tern.api.v1.SubmitJobRequest;
import io.tern.api.v1.SubmitJobResponse;
import io.tern.api.v1.UpdateJobRequest;
import io.tern.api.v1.WatchJobRequest;
import io.tern.checkpoint.workdir.WorkdirStore;
import io.tern.scheduler.server.auth.Denials;
import io.tern.scheduler.server.auth.Principal;
import io.tern.scheduler.server.auth.TeamAccess;
import io.tern.scheduler.server.loop.HistoryRequests;
import io.tern.scheduler.server.loop.JobControls;
import io.tern.scheduler.server.loop.JobRequests;
import io.tern.scheduler.server.loop.LogRelay;
import io.tern.scheduler.server.loop.Watchers;
import io.tern.scheduler.server.zk.JobIds;
import io.tern.scheduler.spec.JobSpecDefaults;
import io.tern.scheduler.spec.JobSpecValidator;
import io.tern.scheduler.spec.SpecError;
import io.tern.scheduler.spec.SpecLimits;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * JobService over gRPC: validates requests here, checks the caller's teams, then hands them to the
 * scheduler loop.
 */
public final class JobServiceImpl extends JobServiceGrpc.JobServiceImplBase {
  private static final Logger log = LoggerFactory.getLogger(JobServiceImpl.class);

  private final JobRequests jobs;
  private final JobControls controls;
  private final HistoryRequests history;
  private final LogRelay logs;
  private final Runnable onSubmit;
  private final Clock clock;
  private final Optional<WorkdirStore> workdirs;

  /**
   * @param clock the scheduler's clock, which a spec's deadline must lie after
   * @param workdirs the store of shipped code, which must hold a spec's {@code workdirDigest};
   *     empty for a scheduler that keeps no code
   */
  public JobServiceImpl(
      JobRequests jobs,
      JobControls controls,
      HistoryRequests history,
      LogRelay logs,
      Runnable onSubmit,
      Clock clock,
      Optional<WorkdirStore> workdirs) {
    this.jobs = jobs;
    this.controls = controls;
    this.history = history;
    this.logs = logs;
    this.onSubmit = onSubmit;
    this.clock = clock;
    this.workdirs = workdirs;
  }

  @Override
  public void streamLogs(StreamLogsRequest request, StreamObserver<LogChunk> observer) {
    if (!checkId(request.getJobId(), observer)) {
      return;
    }
    if (request.getAttempt() < 0) {
      observer.onError(
          Status.INVALID_ARGUMENT.withDescription("attempt: must be >= 0").asRuntimeException());
      return;
    }
    if (request.getTailLines() < 0) {
      observer.onError(
          Status.INVALID_ARGUMENT
              .withDescription("tail_lines: must be >= 0 (0 streams the whole log)")
              .asRuntimeException());
      return;
    }
    then(
        allowed(Principal.current(), request.getJobId()),
        observer,
        () -> logs.stream(request, (ServerCallStreamObserver<LogChunk>) observer));
  }

  @Override
  public void submitJob(SubmitJobRequest request, StreamObserver<SubmitJobResponse> observer) {
    JobSpec spec = JobSpecDefaults.normalize(request.getSpec());
    List<SpecError> errors = new ArrayList<>(JobSpecValidator.validate(spec, clock.instant()));
    errors.addAll(JobSpecValidator.schedulersOwn(spec));
    if (!errors.isEmpty()) {
      observer.onError(
          Status.INVALID_ARGUMENT
              .withDescription(
                  errors.stream()
                      .map(e -> e.field().isEmpty() ? "spec: " + e : "spec." + e)
                      .collect(Collectors.joining("; ")))
              .asRuntimeException());
      return;
    }
    if (request.getIdempotencyKey().length() > SpecLimits.MAX_IDEMPOTENCY_KEY) {
      observer.onError(
          Status.INVALID_ARGUMENT
              .withDescription(
                  "idempotency_key: at most " + SpecLimits.MAX_IDEMPOTENCY_KEY + " characters")
              .asRuntimeException());
      return;
    }
    Principal caller = Principal.current();
    try {
      TeamAccess.checkTeam(caller, spec.getTeam(), "spec.team");
    } catch (RuntimeException e) {
      observer.onError(GrpcErrors.toStatus(e));
      return;
    }
    Status code = missingCode(spec.getWorkdirDigest());
    if (code != null) {
      observer.onError(code.asRuntimeException());
      return;
    }
    String key = request.getIdempotencyKey();
    onSubmit.run();
    // A key is the team's: another team reusing it gets its own job, not a look at this one.
    // Parents must be jobs the caller may see; the job must fit somewhere, unless allowed not to.
    GrpcErrors.reply(
        jobs.submit(
            spec,
            key.isEmpty() ? "" : sha256(spec.getTeam() + "\n" + key),
            caller.name(),
            request.getAllowUnfit(),
            caller.isAdmin() ? team -> true : caller::actsFor),
        observer);
  }

  /**
   * Why a spec's {@code workdirDigest} cannot be run (the store lacks it, or there is no store), or
   * null when it can, or the spec names none: refused at the submit rather than failing every
   * start.
   */
  private Status missingCode(String digest) {
    if (digest.isEmpty()) {
      return null;
    }
    if (workdirs.isEmpty()) {
      return Status.INVALID_ARGUMENT.withDescription(
          "spec.workdirDigest: this scheduler keeps no code (it runs without --checkpoint-store),"
              + " so no job can name any");
    }
    try {
      if (workdirs.get().keep(digest)) { // marked used, so that no prune deletes it now
        return null;
      }
    } catch (IOException e) {
      log.warn("cannot look up workdir {}: {}", digest, e.toString());
      return Status.UNAVAILABLE.withDescription("the checkpoint store: " + e.getMessage());
    }
    return Status.FAILED_PRECONDITION.withDescription(
        "spec.workdirDigest: the checkpoint store holds no code sha256-"
            + digest
            + "; upload it first (WorkdirService.UploadWorkdir, as tern submit does)");
  }

  @Override
  public void exportHistory(ExportHistoryRequest request, StreamObserver<HistoryChunk> observer) {
    if (!request.hasSince()) {
      observer.onError(
          Status.INVALID_ARGUMENT
              .withDescription("since: is required (the first submission time to export)")
              .asRuntimeException());
      return;
    }
    Principal caller = Principal.current();
    if (GrpcErrors.refusedTeam(request.getTeam(), observer)) {
      return;
    }
    if (!request.getTeam().isEmpty() && !caller.readsCostsOf(request.getTeam())) {
      observer.onError(
          GrpcErrors.toStatus(
              Denials.denied(
                  "team: "
                      + caller.name()
                      + " may not read the history of team '"
                      + request.getTeam()
                      + "'")));
      return;
    }
    // FinOps plans for the whole cluster; others see their own teams' jobs.
    history
        .export(
            request.getSince(),
            request.getTeam(),
            caller.isFinOps() ? team -> true : caller::actsFor)
        .whenComplete(
            (history, error) -> {
              if (error != null) {
                observer.onError(GrpcErrors.toStatus(error));
                return;
              }
              HistoryChunks chunks = new HistoryChunks(observer, HistoryChunks.MAX_BYTES);
              chunks.builder().setJobsLeftOut(history.jobsLeftOut());
              for (Node node : history.nodes()) {
                chunks.make(node.getSerializedSize()).addNodes(node);
              }
              for (Job job : history.jobs()) {
                chunks.make(job.getSerializedSize()).addJobs(job);
              }
              chunks.flush();
              observer.onCompleted();
            });
  }

  @Override
  public void getJob(GetJobRequest request, StreamObserver<Job> observer) {
    if (checkId(request.getJobId(), observer)) {
      Principal caller = Principal.current();
      GrpcErrors.reply(
          jobs.get(request.getJobId()).thenApply(job -> TeamAccess.checkReadable(caller, job)),
          observer);
    }
  }

  @Override
  public void listJobs(ListJobsRequest request, StreamObserver<ListJobsResponse> observer) {
    if (request.getPageSize() < 0) {
      observer.onError(
          Status.INVALID_ARGUMENT.withDescription("page_size: must be >= 0").asRuntimeException());
      return;
    }
    var badState =
        EnumFilter.check("states", request.getStatesValueList(), JobState.getDescriptor());
    if (badState.isPresent()) {
      observer.onError(badState.get());
      return;
    }
    if (!request.getArrayId().isEmpty() && !JobIds.isValid(request.getArrayId())) {
      observer.onError(
          Status.INVALID_ARGUMENT
              .withDescription(
                  "array_id: expected an id like job-000042, got \""
                      + SpecLimits.echo(request.getArrayId())
                      + "\"")
              .asRuntimeException());
      return;
    }
    if (!request.getPageToken().isEmpty() && !JobIds.isValid(request.getPageToken())) {
      observer.onError(
          Status.INVALID_ARGUMENT
              .withDescription("page_token: not a token from an earlier page")
              .asRuntimeException());
      return;
    }
    Principal caller = Principal.current();
    if (!request.getTeam().isEmpty()) {
      try {
        TeamAccess.checkTeamName(request.getTeam(), "team");
        TeamAccess.checkReadableTeam(caller, request.getTeam(), "team");
      } catch (RuntimeException e) {
        observer.onError(GrpcErrors.toStatus(e));
        return;
      }
    }
    // Without a team, a user sees the jobs of all their teams; FinOps and admins see everyone's.
    GrpcErrors.reply(
        caller.isFinOps() ? jobs.list(request) : jobs.list(request, caller::actsFor), observer);
  }

  @Override
  public void cancelJob(CancelJobRequest request, StreamObserver<Job> observer) {
    if (checkId(request.getJobId(), observer) && checkReason(request.getReason(), observer)) {
      GrpcErrors.reply(
          allowed(Principal.current(), request.getJobId()).thenCompose(v -> jobs.cancel(request)),
          observer);
    }
  }

  @Override
  public void holdJob(HoldJobRequest request, StreamObserver<Job> observer) {
    if (checkId(request.getJobId(), observer) && checkReason(request.getReason(), observer)) {
      Principal caller = Principal.current();
      GrpcErrors.reply(
          allowed(caller, request.getJobId())
              .thenCompose(
                  v -> controls.hold(request.getJobId(), caller.name(), request.getReason())),
          observer);
    }
  }

  @Override
  public void releaseJob(ReleaseJobRequest request, StreamObserver<Job> observer) {
    if (checkId(request.getJobId(), observer)) {
      Principal caller = Principal.current();
      GrpcErrors.reply(
          allowed(caller, request.getJobId())
              .thenCompose(v -> controls.release(request.getJobId(), caller.name())),
          observer);
    }
  }

  @Override
  public void requeueJob(RequeueJobRequest request, StreamObserver<Job> observer) {
    if (checkId(request.getJobId(), observer) && checkReason(request.getReason(), observer)) {
      Principal caller = Principal.current();
      GrpcErrors.reply(
          allowed(caller, request.getJobId())
              .thenCompose(
                  v -> controls.requeue(request.getJobId(), caller.name(), request.getReason())),
          observer);
    }
  }

  @Override
  public void updateJob(UpdateJobRequest request, StreamObserver<Job> observer) {
    var badPriority =
        request.hasPriority()
            ? EnumFilter.unknown(
                "priority", request.getPriorityValue(), io.tern.api.v1.Priority.getDescriptor())
            : java.util.Optional.<io.grpc.StatusRuntimeException>empty();
    if (badPriority.isPresent()) {
      observer.onError(badPriority.get());
      return;
    }
    if (checkId(request.getJobId(), observer)) {
      GrpcErrors.reply(
          allowed(Principal.current(), request.getJobId())
              .thenCompose(v -> controls.update(request)),
          observer);
    }
  }

  @Override
  public void explainJob(ExplainJobRequest request, StreamObserver<ExplainJobResponse> observer) {
    if (checkId(request.getJobId(), observer)) {
      GrpcErrors.reply(
          readable(Principal.current(), request.getJobId())
              .thenCompose(v -> jobs.explain(request.getJobId())),
          observer);
    }
  }

  @Override
  public void watchJob(WatchJobRequest request, StreamObserver<Job> observer) {
    if (!checkId(request.getJobId(), observer)) {
      return;
    }
    then(
        readable(Principal.current(), request.getJobId()),
        observer,
        () -> watch(request.getJobId(), (ServerCallStreamObserver<Job>) observer));
  }

  private void watch(String jobId, ServerCallStreamObserver<Job> call) {
    jobs.watch(
        jobId,
        new Watchers.Watcher() {
          @Override
          public boolean onJob(Job job) {
            if (call.isCancelled()) {
              return false;
            }
            call.onNext(job);
            return true;
          }

          @Override
          public void onEnd() {
            if (!call.isCancelled()) {
              call.onCompleted();
            }
          }
        },
        e -> call.onError(GrpcErrors.toStatus(e)));
  }

  /**
   * Completes when {@code caller} may see the job: at once for admins (and callers of a scheduler
   * without authentication), else once the job's team is known.
   */
  private CompletableFuture<Void> allowed(Principal caller, String jobId) {
    if (caller.isAdmin()) {
      return CompletableFuture.completedFuture(null);
    }
    return jobs.jobOrFirstTask(jobId).thenAccept(job -> TeamAccess.check(caller, job));
  }

  /** Completes when {@code caller} may read the job: FinOps read every team's. */
  private CompletableFuture<Void> readable(Principal caller, String jobId) {
    if (caller.isFinOps()) {
      return CompletableFuture.completedFuture(null);
    }
    return allowed(caller, jobId);
  }

  /** Runs {@code then} once {@code check} passes; otherwise fails the call with its error. */
  private static void then(
      CompletableFuture<Void> check, StreamObserver<?> observer, Runnable then) {
    check.whenComplete(
        (v, error) -> {
          if (error != null) {
            observer.onError(GrpcErrors.toStatus(error));
          } else {
            then.run();
          }
        });
  }

  /**
   * Refuses a reason over {@link SpecLimits#MAX_REASON_LENGTH} characters (code points: an emoji is
   * one), naming the field.
   */
  static boolean checkReason(String reason, StreamObserver<?> observer) {
    int characters = reason.codePointCount(0, reason.length());
    if (characters <= SpecLimits.MAX_REASON_LENGTH) {
      return true;
    }
    observer.onError(
        Status.INVALID_ARGUMENT
            .withDescription(
                "reason: at most "
                    + SpecLimits.MAX_REASON_LENGTH
                    + " characters, got "
                    + characters)
            .asRuntimeException());
    return false;
  }

  private static boolean checkId(String id, StreamObserver<?> observer) {
    if (JobIds.isValid(id)) {
      return true;
    }
    observer.onError(
        Status.INVALID_ARGUMENT
            .withDescription(
                "job_id: expected an id like job-000042, got \"" + SpecLimits.echo(id) + "\"")
            .asRuntimeException());
    return false;
  }

  /** One digest per gRPC thread: getInstance on every submit showed in profiles. */
  private static final ThreadLocal<MessageDigest> SHA256 =
      ThreadLocal.withInitial(
          () -> {
            try {
              return MessageDigest.getInstance("SHA-256");
            } catch (java.security.NoSuchAlgorithmException e) {
              throw new IllegalStateException("SHA-256 is part of every JDK", e);
            }
          });

  static String sha256(String text) {
    return HexFormat.of().formatHex(SHA256.get().digest(text.getBytes(StandardCharsets.UTF_8)));
  }
}
