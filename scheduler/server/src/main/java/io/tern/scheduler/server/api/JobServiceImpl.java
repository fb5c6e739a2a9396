package io.tern.scheduler.server.api;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.tern.api.v1.CancelJobRequest;
import io.tern.api.v1.ExplainJobRequest;
import io.tern.api.v1.ExplainJobResponse;
import io.tern.api.v1.GetJobRequest;
import io.tern.api.v1.Job;
import io.tern.api.v1.JobServiceGrpc;
import io.tern.api.v1.JobSpec;
import io.tern.api.v1.ListJobsRequest;
import io.tern.api.v1.ListJobsResponse;
import io.tern.api.v1.LogChunk;
import io.tern.api.v1.StreamLogsRequest;
import io.tern.api.v1.SubmitJobRequest;
import io.tern.api.v1.SubmitJobResponse;
import io.tern.api.v1.WatchJobRequest;
import io.tern.scheduler.server.loop.JobRequests;
import io.tern.scheduler.server.loop.LogRelay;
import io.tern.scheduler.server.loop.Watchers;
import io.tern.scheduler.server.zk.JobIds;
import io.tern.scheduler.spec.JobSpecDefaults;
import io.tern.scheduler.spec.JobSpecValidator;
import io.tern.scheduler.spec.SpecError;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Collectors;

/** JobService over gRPC: validates requests here, then hands them to the scheduler loop. */
public final class JobServiceImpl extends JobServiceGrpc.JobServiceImplBase {
  static final int MAX_IDEMPOTENCY_KEY = 256;

  private final JobRequests jobs;
  private final LogRelay logs;
  private final Runnable onSubmit;

  public JobServiceImpl(JobRequests jobs, LogRelay logs, Runnable onSubmit) {
    this.jobs = jobs;
    this.logs = logs;
    this.onSubmit = onSubmit;
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
    logs.stream(request, (ServerCallStreamObserver<LogChunk>) observer);
  }

  @Override
  public void submitJob(SubmitJobRequest request, StreamObserver<SubmitJobResponse> observer) {
    JobSpec spec = JobSpecDefaults.normalize(request.getSpec());
    List<SpecError> errors = JobSpecValidator.validate(spec);
    if (!errors.isEmpty()) {
      observer.onError(
          Status.INVALID_ARGUMENT
              .withDescription(
                  errors.stream().map(e -> "spec." + e).collect(Collectors.joining("; ")))
              .asRuntimeException());
      return;
    }
    if (request.getIdempotencyKey().length() > MAX_IDEMPOTENCY_KEY) {
      observer.onError(
          Status.INVALID_ARGUMENT
              .withDescription("idempotency_key: at most " + MAX_IDEMPOTENCY_KEY + " characters")
              .asRuntimeException());
      return;
    }
    String key = request.getIdempotencyKey();
    onSubmit.run();
    GrpcErrors.reply(jobs.submit(spec, key.isEmpty() ? "" : sha256(key), Callers.user()), observer);
  }

  @Override
  public void getJob(GetJobRequest request, StreamObserver<Job> observer) {
    if (checkId(request.getJobId(), observer)) {
      GrpcErrors.reply(jobs.get(request.getJobId()), observer);
    }
  }

  @Override
  public void listJobs(ListJobsRequest request, StreamObserver<ListJobsResponse> observer) {
    if (request.getPageSize() < 0) {
      observer.onError(
          Status.INVALID_ARGUMENT.withDescription("page_size: must be >= 0").asRuntimeException());
      return;
    }
    if (!request.getPageToken().isEmpty() && !JobIds.isValid(request.getPageToken())) {
      observer.onError(
          Status.INVALID_ARGUMENT
              .withDescription("page_token: not a token from an earlier page")
              .asRuntimeException());
      return;
    }
    GrpcErrors.reply(jobs.list(request), observer);
  }

  @Override
  public void cancelJob(CancelJobRequest request, StreamObserver<Job> observer) {
    if (checkId(request.getJobId(), observer)) {
      GrpcErrors.reply(jobs.cancel(request), observer);
    }
  }

  @Override
  public void explainJob(ExplainJobRequest request, StreamObserver<ExplainJobResponse> observer) {
    if (checkId(request.getJobId(), observer)) {
      GrpcErrors.reply(jobs.explain(request.getJobId()), observer);
    }
  }

  @Override
  public void watchJob(WatchJobRequest request, StreamObserver<Job> observer) {
    if (!checkId(request.getJobId(), observer)) {
      return;
    }
    ServerCallStreamObserver<Job> call = (ServerCallStreamObserver<Job>) observer;
    jobs.watch(
        request.getJobId(),
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
        e -> observer.onError(GrpcErrors.toStatus(e)));
  }

  private static boolean checkId(String id, StreamObserver<?> observer) {
    if (JobIds.isValid(id)) {
      return true;
    }
    observer.onError(
        Status.INVALID_ARGUMENT
            .withDescription("job_id: expected an id like job-000042, got \"" + id + "\"")
            .asRuntimeException());
    return false;
  }

  static String sha256(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
