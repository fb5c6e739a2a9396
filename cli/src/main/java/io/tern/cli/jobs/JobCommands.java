package io.tern.cli.jobs;

import static io.tern.cli.CommandModels.option;
import static io.tern.cli.CommandModels.positional;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.tern.api.v1.Attempt;
import io.tern.api.v1.CancelJobRequest;
import io.tern.api.v1.ExplainJobRequest;
import io.tern.api.v1.ExplainJobResponse;
import io.tern.api.v1.GetJobRequest;
import io.tern.api.v1.Job;
import io.tern.api.v1.JobServiceGrpc;
import io.tern.api.v1.JobState;
import io.tern.api.v1.ListJobsRequest;
import io.tern.api.v1.ListJobsResponse;
import io.tern.api.v1.PendingReason;
import io.tern.api.v1.WatchJobRequest;
import io.tern.cli.ClientCommand;
import io.tern.cli.OutputFormat;
import io.tern.cli.UserInputException;
import io.tern.cli.client.CallFailures;
import io.tern.cli.client.Protos;
import io.tern.cli.client.SchedulerClient;
import io.tern.cli.client.Table;
import io.tern.scheduler.spec.ArraySyntax;
import io.tern.scheduler.spec.AttemptCheckpoints;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/** The client verbs about jobs: status, list, cancel, watch, explain. */
public final class JobCommands {
  private JobCommands() {}

  /** Options and plumbing every job verb shares. */
  abstract static class JobVerb extends ClientCommand {
    JobVerb(String name, String... description) {
      super(name, description);
    }

    @Override
    public Integer call() {
      try (SchedulerClient scheduler = client.connect()) {
        return run(scheduler);
      } catch (StatusRuntimeException e) {
        if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
          throw new NotFound(e.getStatus().getDescription());
        }
        throw CallFailures.failure(e);
      }
    }

    abstract int run(SchedulerClient scheduler);
  }

  /** The {@code JOB} parameter of a verb on one job. */
  static PositionalParamSpec jobParameter(Supplier<String> get, Consumer<String> set) {
    return positional(String.class, get, set).paramLabel("JOB").description("The job id.").build();
  }

  /**
   * For a verb on one job given {@code id}, which names no job ({@code e}, NOT_FOUND): bad input,
   * in the scheduler's words (which name a task), when it is an array's id; {@code e} otherwise.
   */
  static RuntimeException notAJob(SchedulerClient scheduler, String id, StatusRuntimeException e) {
    return isArray(scheduler, id) ? new UserInputException(e.getStatus().getDescription()) : e;
  }

  /** Whether {@code id} names an array (it has a task): one call, a page of one. */
  public static boolean isArray(SchedulerClient scheduler, String id) {
    ListJobsResponse tasks =
        scheduler.call(
            c ->
                JobServiceGrpc.newBlockingStub(c)
                    .listJobs(ListJobsRequest.newBuilder().setArrayId(id).setPageSize(1).build()));
    return tasks.getJobsCount() > 0;
  }

  /** A job or node that does not exist: exit 1 with the scheduler's words. */
  static final class NotFound extends RuntimeException {
    private static final long serialVersionUID = 1L;

    NotFound(String message) {
      super(message);
    }
  }

  public static final class StatusCommand extends JobVerb {
    String jobId;

    public StatusCommand() {
      super("status", "Show a job: its state and every attempt.");
    }

    @Override
    protected void declare(CommandSpec model) {
      model.addPositional(
          positional(String.class, () -> jobId, v -> jobId = v)
              .paramLabel("JOB")
              .description("The job id, e.g. job-000042, or an array's id (its tasks, one a line).")
              .build());
    }

    @Override
    int run(SchedulerClient scheduler) {
      Job job = jobOrNull(scheduler, jobId);
      if (job == null) {
        // Not a job: perhaps an array, whose tasks are jobs of their own.
        ListJobsResponse tasks = arrayTasks(scheduler, jobId);
        if (tasks.getJobsCount() == 0) {
          throw new NotFound("no job " + jobId);
        }
        if (output.structured()) {
          out().println(output.render(Protos.json(tasks)));
        } else {
          printArray(jobId, tasks.getJobsList(), out());
        }
        out().flush();
        return 0;
      }
      if (output.structured()) {
        out().println(output.render(Protos.json(job)));
      } else {
        printJob(job, out());
      }
      out().flush();
      return 0;
    }
  }

  /** The tasks of the array {@code arrayId}; none if it is not an array's id. */
  private static ListJobsResponse arrayTasks(SchedulerClient scheduler, String arrayId) {
    return ListCommand.pages(
        scheduler, ListJobsRequest.newBuilder().setArrayId(arrayId), ArraySyntax.MAX_TASKS);
  }

  /** The job {@code id}, or null if the scheduler knows no job by that id. */
  private static Job jobOrNull(SchedulerClient scheduler, String id) {
    try {
      return scheduler.call(
          c ->
              JobServiceGrpc.newBlockingStub(c)
                  .getJob(GetJobRequest.newBuilder().setJobId(id).build()));
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() != Status.Code.NOT_FOUND) {
        throw e;
      }
      return null;
    }
  }

  /** An array: how many tasks are in each state, then one line per task. */
  static void printArray(String arrayId, List<Job> newestFirst, PrintWriter out) {
    List<Job> tasks = new java.util.ArrayList<>(newestFirst);
    tasks.sort(java.util.Comparator.comparingInt(j -> j.getSpec().getArray().getTaskIndex()));
    var spec = tasks.get(0).getSpec();
    out.println("Array:      " + arrayId + "  (" + spec.getName() + ")");
    out.println("Team:       " + spec.getTeam() + "   owner: " + tasks.get(0).getOwner());
    out.println(
        "Tasks:      "
            + tasks.size()
            + " ("
            + ArraySyntax.format(spec.getArray())
            + (spec.getArray().getParallel() > 0
                ? ", at most " + spec.getArray().getParallel() + " at once"
                : "")
            + ")");
    java.util.Map<JobState, Long> counts = new java.util.TreeMap<>();
    tasks.forEach(t -> counts.merge(t.getState(), 1L, Long::sum));
    StringBuilder states = new StringBuilder();
    counts.forEach(
        (state, n) ->
            states
                .append(states.isEmpty() ? "" : ", ")
                .append(n)
                .append(' ')
                .append(Protos.enumName(state, "JOB_STATE_").toLowerCase()));
    out.println("States:     " + states);
    Table table = new Table("TASK", "INDEX", "STATE", "NODES / REASON");
    for (Job task : tasks) {
      table.row(
          task.getId(),
          task.getSpec().getArray().getTaskIndex(),
          Protos.enumName(task.getState(), "JOB_STATE_"),
          whereOrWhy(task));
    }
    table.print(out);
  }

  static void printJob(Job job, PrintWriter out) {
    var s = job.getSpec();
    out.println("Job:        " + job.getId() + "  (" + s.getName() + ")");
    out.println("Team:       " + s.getTeam() + "   owner: " + job.getOwner());
    out.println("State:      " + Protos.enumName(job.getState(), "JOB_STATE_"));
    if (!job.getPendingReason().isEmpty()
        && (job.getState() == JobState.JOB_STATE_PENDING
            || job.getState() == JobState.JOB_STATE_HELD)) {
      out.println("Waiting:    " + job.getPendingReason());
    } else if (job.getState() == JobState.JOB_STATE_CANCELLED
        && job.getPendingReason().startsWith("cancelled")) {
      out.println("Reason:     " + job.getPendingReason()); // e.g. a dependency never satisfied
    } else if (job.getState() == JobState.JOB_STATE_CHECKPOINTING
        && job.getAttemptsCount() > 0
        && !job.getAttempts(job.getAttemptsCount() - 1).getCheckpointReason().isEmpty()) {
      out.println(
          "Reason:     " + job.getAttempts(job.getAttemptsCount() - 1).getCheckpointReason());
    }
    out.println("Submitted:  " + Protos.time(job.getSubmittedAt()));
    out.println(
        "Resources:  "
            + s.getResources().getNodes()
            + " node(s) x "
            + s.getResources().getGpus()
            + " GPU(s), "
            + Protos.enumName(s.getCapacity(), "CAPACITY_").toLowerCase().replace('_', '-')
            + ", priority "
            + Protos.enumName(s.getPriority(), "PRIORITY_").toLowerCase());
    if (job.getCostUsd() > 0 || s.getMaxCostUsd() > 0) {
      out.println(
          "Cost:       "
              + Protos.usd(job.getCostUsd())
              + (s.getMaxCostUsd() > 0 ? " of its cap " + Protos.usd(s.getMaxCostUsd()) : ""));
    }
    if (job.getAttemptsCount() == 0) {
      out.println("Attempts:   none yet");
      return;
    }
    out.println("Attempts:");
    Table table =
        new Table("#", "NODES", "CAPACITY", "STARTED", "ENDED", "WHY IT ENDED", "CHECKPOINT");
    for (Attempt a : job.getAttemptsList()) {
      table.row(
          a.getNumber(),
          String.join(",", a.getNodeIdsList()),
          Protos.enumName(a.getCapacityType(), "CAPACITY_TYPE_").toLowerCase().replace('_', '-'),
          started(a),
          Protos.time(a.getEndedAt()),
          a.getEndReason().isEmpty() ? "-" : a.getEndReason(),
          a.hasLastCheckpoint()
              ? a.getLastCheckpoint().getName()
                  + " at "
                  + Protos.time(a.getLastCheckpoint().getCommittedAt())
              : (a.hasResumedFrom() ? "resumed from " + a.getResumedFrom().getName() : "-"));
    }
    table.print(out);
    for (Attempt a : job.getAttemptsList()) {
      AttemptCheckpoints.restore(a)
          .ifPresent(words -> out.println("Restore:    attempt " + a.getNumber() + ": " + words));
    }
    AttemptCheckpoints.commitFailure(job).ifPresent(words -> out.println("WARNING:    " + words));
  }

  /**
   * When an attempt started; one that has not yet is "placed" at its placement time, and one that
   * ended without starting shows none.
   */
  private static String started(Attempt a) {
    if (a.hasStartedAt()) {
      return Protos.time(a.getStartedAt());
    }
    return a.hasEndedAt() ? "-" : "placed " + Protos.time(a.getPlacedAt());
  }

  /** The nodes of the job's running attempt, or why it waits or ended. */
  private static String whereOrWhy(Job job) {
    return job.getAttemptsCount() > 0 && !job.getAttempts(job.getAttemptsCount() - 1).hasEndedAt()
        ? String.join(",", job.getAttempts(job.getAttemptsCount() - 1).getNodeIdsList())
        : job.getPendingReason();
  }

  public static final class ListCommand extends JobVerb {
    String team;
    List<String> states;
    int limit;

    public ListCommand() {
      super("list", "List jobs, newest first.");
    }

    @Override
    protected void declare(CommandSpec model) {
      model.addOption(teamOption(() -> team, v -> team = v, "Only this team's jobs."));
      model.addOption(
          option(List.class, () -> states, v -> states = v, "--state")
              .auxiliaryTypes(String.class)
              .splitRegex(",")
              .paramLabel("STATE")
              .description("Only jobs in these states, e.g. running,pending.")
              .build());
      model.addOption(limitOption(() -> limit, v -> limit = v, "jobs"));
    }

    @Override
    int run(SchedulerClient scheduler) {
      if (limit < 1) {
        throw new UserInputException("--limit: must be at least 1");
      }
      ListJobsRequest.Builder request = ListJobsRequest.newBuilder();
      if (checkedTeam(team) != null) {
        request.setTeam(team);
      }
      for (String state : states == null ? List.<String>of() : states) {
        try {
          request.addStates(JobState.valueOf("JOB_STATE_" + state.trim().toUpperCase()));
        } catch (IllegalArgumentException e) {
          throw new UserInputException(
              "--state: unknown state \""
                  + state
                  + "\"; the states are "
                  + java.util.Arrays.stream(JobState.values())
                      .filter(
                          s -> s != JobState.JOB_STATE_UNSPECIFIED && s != JobState.UNRECOGNIZED)
                      .map(s -> Protos.enumName(s, "JOB_STATE_").toLowerCase(java.util.Locale.ROOT))
                      .collect(java.util.stream.Collectors.joining(", ")));
        }
      }
      ListJobsResponse page = pages(scheduler, request, limit);
      if (output.structured()) {
        out().println(output.render(Protos.json(page)));
        out().flush();
        if (!page.getNextPageToken().isEmpty()) {
          // Stdout stays one document; the note goes where people read it.
          err().println("(more jobs: raise --limit)");
          err().flush();
        }
        return 0;
      }
      Instant now = Instant.now();
      Table table = new Table("ID", "NAME", "TEAM", "STATE", "GPUS", "AGE", "NODES / REASON");
      for (Job job : page.getJobsList()) {
        var r = job.getSpec().getResources();
        String where = whereOrWhy(job);
        table.row(
            job.getId(),
            job.getSpec().getName(),
            job.getSpec().getTeam(),
            Protos.enumName(job.getState(), "JOB_STATE_"),
            r.getGpus() * Math.max(1, r.getNodes()),
            Protos.age(job.getSubmittedAt(), now),
            where);
      }
      table.print(out());
      if (!page.getNextPageToken().isEmpty()) {
        out().println("(more jobs: raise --limit)");
        out().flush();
      }
      return 0;
    }

    /**
     * Up to {@code limit} jobs, a page of at most 1,000 (the server's cap; fewer when the jobs are
     * large) at a time; the answer's next_page_token is set when more jobs match.
     */
    static ListJobsResponse pages(
        SchedulerClient scheduler, ListJobsRequest.Builder request, int limit) {
      ListJobsResponse.Builder all = ListJobsResponse.newBuilder();
      while (true) {
        int want = Math.min(limit - all.getJobsCount(), 1000);
        ListJobsRequest asked = request.setPageSize(want).build();
        ListJobsResponse page =
            scheduler.call(c -> JobServiceGrpc.newBlockingStub(c).listJobs(asked));
        all.addAllJobs(page.getJobsList().subList(0, Math.min(want, page.getJobsCount())));
        all.setNextPageToken(page.getNextPageToken());
        if (page.getNextPageToken().isEmpty()
            || page.getJobsCount() == 0
            || all.getJobsCount() >= limit) {
          return all.build();
        }
        request.setPageToken(page.getNextPageToken());
      }
    }
  }

  public static final class CancelCommand extends JobVerb {
    String jobId;
    String reason = "";

    public CancelCommand() {
      super("cancel", "Cancel a job: a queued one leaves the queue, a running one is stopped.");
    }

    @Override
    protected void declare(CommandSpec model) {
      model.addPositional(
          positional(String.class, () -> jobId, v -> jobId = v)
              .paramLabel("JOB")
              .description("The job id, or an array's id (all its tasks).")
              .build());
      model.addOption(
          option(String.class, () -> reason, v -> reason = v, "--reason")
              .paramLabel("TEXT")
              .description("Recorded with the cancellation.")
              .build());
    }

    @Override
    int run(SchedulerClient scheduler) {
      // Null for an array's id: CancelJob cancels its tasks, or says there is no such job.
      Job before = jobOrNull(scheduler, jobId);
      if (before != null && finished(before.getState())) {
        throw new IllegalStateException(
            jobId
                + " already finished ("
                + Protos.enumName(before.getState(), "JOB_STATE_")
                + "); there is nothing to cancel");
      }
      if (before == null) {
        // CancelJob answers a finished array unchanged, as a finished job: say so, as for a job.
        List<Job> tasks = arrayTasks(scheduler, jobId).getJobsList();
        if (!tasks.isEmpty() && tasks.stream().allMatch(t -> finished(t.getState()))) {
          throw new IllegalStateException(
              "array "
                  + jobId
                  + " already finished: each of its "
                  + tasks.size()
                  + " tasks has ended; there is nothing to cancel");
        }
      }
      Job job =
          scheduler.call(
              c ->
                  JobServiceGrpc.newBlockingStub(c)
                      .cancelJob(
                          CancelJobRequest.newBuilder().setJobId(jobId).setReason(reason).build()));
      if (output.structured()) {
        out().println(output.render(Protos.json(job)));
      } else if (before == null) {
        out()
            .println(
                jobId + ": cancelled its tasks that had not ended (tern status " + jobId + ")");
      } else if (job.getCancelRequested() && job.getState() != JobState.JOB_STATE_CANCELLED) {
        out().println(job.getId() + ": stopping; it ends CANCELLED once its agent has stopped it");
      } else {
        out().println(job.getId() + ": " + Protos.enumName(job.getState(), "JOB_STATE_"));
      }
      out().flush();
      return 0;
    }
  }

  public static final class WatchCommand extends JobVerb {
    String jobId;

    public WatchCommand() {
      super(
          "watch",
          "Follow a job until it finishes, one line per change.",
          "Exit code: 0 if it succeeded, 1 if it failed or was cancelled.");
    }

    @Override
    protected void declare(CommandSpec model) {
      model.addPositional(jobParameter(() -> jobId, v -> jobId = v));
    }

    @Override
    int run(SchedulerClient scheduler) {
      Job last = null;
      while (true) {
        Iterator<Job> updates;
        try {
          updates =
              scheduler.call(
                  c ->
                      firstAnswer(
                          JobServiceGrpc.newBlockingStub(c)
                              .watchJob(WatchJobRequest.newBuilder().setJobId(jobId).build())));
        } catch (StatusRuntimeException e) {
          throw e.getStatus().getCode() == Status.Code.NOT_FOUND ? notAJob(scheduler, jobId, e) : e;
        }
        try {
          while (updates.hasNext()) {
            Job job = updates.next();
            if (last == null || !sameLine(last, job)) {
              print(job);
            }
            last = job;
          }
        } catch (StatusRuntimeException e) {
          if (e.getStatus().getCode() != Status.Code.UNAVAILABLE
              && e.getStatus().getCode() != Status.Code.FAILED_PRECONDITION) {
            throw e;
          }
          // The leader changed: follow the job on the new one.
        }
        if (last != null && finished(last.getState())) {
          return last.getState() == JobState.JOB_STATE_SUCCEEDED ? 0 : 1;
        }
      }
    }

    /** HH:mm:ss always (LocalTime's own text drops the seconds when they are 0). */
    private static final java.time.format.DateTimeFormatter WATCH_TIME =
        java.time.format.DateTimeFormatter.ofPattern("HH:mm:ss");

    private void print(Job job) {
      if (output.format() == OutputFormat.json) {
        out().println(Protos.json(job).replace("\n", "")); // one line per event
      } else if (output.format() == OutputFormat.yaml) {
        out().println("---\n" + output.render(Protos.json(job))); // one document per event
      } else {
        String detail =
            job.getState() == JobState.JOB_STATE_PENDING
                    || job.getState() == JobState.JOB_STATE_HELD
                ? job.getPendingReason()
                : job.getAttemptsCount() == 0
                    ? ""
                    : attemptLine(job.getAttempts(job.getAttemptsCount() - 1));
        // The first version is stamped with its last recorded change (the job may have ended
        // long ago); each later one arrives as it happens.
        java.time.Instant at = printed ? java.time.Instant.now() : lastChange(job);
        printed = true;
        out()
            .println(
                WATCH_TIME.format(at.atZone(java.time.ZoneId.systemDefault()))
                    + "  "
                    + job.getId()
                    + "  "
                    + Protos.enumName(job.getState(), "JOB_STATE_")
                    + (detail.isEmpty() ? "" : "  " + detail));
      }
      out().flush();
    }

    private boolean printed;

    /**
     * The latest time the job records: its submission, or its last attempt's placement, start or
     * end.
     */
    private static java.time.Instant lastChange(Job job) {
      com.google.protobuf.Timestamp latest = job.getSubmittedAt();
      for (Attempt a : job.getAttemptsList()) {
        for (com.google.protobuf.Timestamp t :
            List.of(a.getPlacedAt(), a.getStartedAt(), a.getEndedAt())) {
          if (t.getSeconds() > latest.getSeconds()
              || (t.getSeconds() == latest.getSeconds() && t.getNanos() > latest.getNanos())) {
            latest = t;
          }
        }
      }
      return latest.getSeconds() == 0
          ? java.time.Instant.now()
          : java.time.Instant.ofEpochSecond(latest.getSeconds(), latest.getNanos());
    }

    private static String attemptLine(Attempt a) {
      String line = "attempt " + a.getNumber() + " on " + String.join(",", a.getNodeIdsList());
      return a.getEndReason().isEmpty() ? line : line + ": " + a.getEndReason();
    }

    private static boolean sameLine(Job a, Job b) {
      return a.getState() == b.getState()
          && a.getAttemptsCount() == b.getAttemptsCount()
          && a.getPendingReason().equals(b.getPendingReason());
    }
  }

  public static final class LogsCommand extends JobVerb {
    String jobId;
    boolean follow;
    Integer attempt; // null: the latest
    int tail;

    public LogsCommand() {
      super(
          "logs",
          "Print a job's output, fetched from its node through the scheduler.",
          "Stdout and stderr as the job wrote them, byte for byte; with -f, keep printing while"
              + " the attempt runs.",
          "-o json: one JSON object a line for each piece of output, {\"attempt\":N,\"data\":\"...\"},"
              + " the bytes in data as base64 (as protobuf's JSON writes bytes); -o yaml: one"
              + " document each, with the same keys.");
    }

    @Override
    protected void declare(CommandSpec model) {
      model.addPositional(jobParameter(() -> jobId, v -> jobId = v));
      model.addOption(
          option(Boolean.class, () -> follow, v -> follow = v, "-f", "--follow")
              .description("Keep streaming until the attempt ends.")
              .build());
      model.addOption(
          option(Integer.class, () -> attempt, v -> attempt = v, "--attempt")
              .paramLabel("N")
              .description("Which attempt (default: the latest).")
              .build());
      model.addOption(
          option(Integer.class, () -> tail, v -> tail = v, "-n", "--tail")
              .paramLabel("LINES")
              .description("Start with the last LINES lines only (default: the whole log).")
              .build());
    }

    @Override
    int run(SchedulerClient scheduler) {
      if (attempt != null && attempt < 1) {
        throw new UserInputException("--attempt: must be 1 or more, got " + attempt);
      }
      if (tail < 0) {
        throw new UserInputException("--tail: must be 0 (the whole log) or more");
      }
      // The bytes as they came, not decoded: a log may hold any bytes, or a character cut in two
      // by a chunk's end.
      java.io.OutputStream stdout = output.structured() ? null : bytesOut();
      long printed = 0;
      while (true) {
        Iterator<io.tern.api.v1.LogChunk> chunks;
        try {
          chunks =
              scheduler.call(
                  c ->
                      firstAnswer(
                          JobServiceGrpc.newBlockingStub(c)
                              .streamLogs(
                                  io.tern.api.v1.StreamLogsRequest.newBuilder()
                                      .setJobId(jobId)
                                      .setAttempt(attempt == null ? 0 : attempt)
                                      .setFollow(follow)
                                      .setTailLines(tail)
                                      .build())));
        } catch (StatusRuntimeException e) {
          throw e.getStatus().getCode() == Status.Code.NOT_FOUND && printed == 0
              ? notAJob(scheduler, jobId, e)
              : e;
        }
        long seen = 0;
        try {
          while (chunks.hasNext()) {
            io.tern.api.v1.LogChunk chunk = chunks.next();
            com.google.protobuf.ByteString data = chunk.getData();
            // After a leader change the log is read again from the start: skip what was printed.
            int skip = (int) Math.max(0, Math.min(data.size(), printed - seen));
            seen += data.size();
            if (skip < data.size()) {
              print(stdout, chunk.getAttempt(), data.substring(skip));
              printed += data.size() - skip;
            }
          }
          return 0;
        } catch (StatusRuntimeException e) {
          if (!follow || e.getStatus().getCode() != Status.Code.UNAVAILABLE) {
            throw e;
          }
        }
      }
    }

    /** {@code data} as it came to {@code stdout}, or as a JSON line or YAML document of its own. */
    private void print(
        java.io.OutputStream stdout, int attempt, com.google.protobuf.ByteString data) {
      if (stdout != null) {
        try {
          data.writeTo(stdout);
          stdout.flush();
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
        return;
      }
      String json =
          "{\"attempt\":"
              + attempt
              + ",\"data\":\""
              + java.util.Base64.getEncoder().encodeToString(data.toByteArray())
              + "\"}";
      out().println(output.format() == OutputFormat.yaml ? "---\n" + output.render(json) : json);
      out().flush();
    }
  }

  /**
   * Waits for a stream's first answer inside the call, so that a follower's redirect or an
   * unreachable replica surfaces where {@link SchedulerClient#call} can follow the leader.
   */
  static <T> Iterator<T> firstAnswer(Iterator<T> stream) {
    stream.hasNext();
    return stream;
  }

  static boolean finished(JobState state) {
    return state == JobState.JOB_STATE_SUCCEEDED
        || state == JobState.JOB_STATE_FAILED
        || state == JobState.JOB_STATE_CANCELLED;
  }

  public static final class ExplainCommand extends JobVerb {
    String jobId;

    public ExplainCommand() {
      super("explain", "Say why a job is where it is; for a pending job, why it waits.");
    }

    @Override
    protected void declare(CommandSpec model) {
      model.addPositional(jobParameter(() -> jobId, v -> jobId = v));
    }

    @Override
    int run(SchedulerClient scheduler) {
      ExplainJobResponse answer =
          scheduler.call(
              c ->
                  JobServiceGrpc.newBlockingStub(c)
                      .explainJob(ExplainJobRequest.newBuilder().setJobId(jobId).build()));
      if (output.structured()) {
        out().println(output.render(Protos.json(answer)));
      } else {
        out().println(jobId + ": " + answer.getSummary());
        if (answer.getQueuePosition() > 0) {
          out().println("position in its team's queue: " + answer.getQueuePosition());
        }
        for (PendingReason reason : answer.getReasonsList()) {
          out()
              .println(
                  "  - "
                      + (reason.getNodeCount() > 0
                          ? reason.getNodeCount()
                              + (reason.getNodeCount() == 1 ? " node: " : " nodes: ")
                          : "")
                      + reason.getMessage()
                      + "  ["
                      + reason.getCode()
                      + "]");
        }
      }
      out().flush();
      return 0;
    }
  }
}
