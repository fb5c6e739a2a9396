package io.tern.cli.jobs;

import static io.tern.cli.CommandModels.option;
import static io.tern.cli.CommandModels.positional;

import com.google.protobuf.Timestamp;
import io.tern.api.v1.HoldJobRequest;
import io.tern.api.v1.Job;
import io.tern.api.v1.JobServiceGrpc;
import io.tern.api.v1.JobState;
import io.tern.api.v1.Priority;
import io.tern.api.v1.ReleaseJobRequest;
import io.tern.api.v1.RequeueJobRequest;
import io.tern.api.v1.UpdateJobRequest;
import io.tern.cli.UserInputException;
import io.tern.cli.client.Protos;
import io.tern.cli.client.SchedulerClient;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/** The client verbs that change a job besides submit and cancel: hold, release, requeue, update. */
public final class JobControlCommands {
  private JobControlCommands() {}

  /** A verb on one job that prints the job it changed: a line for people, or the job as JSON. */
  abstract static class JobChange extends JobCommands.JobVerb {
    String jobId;

    JobChange(String name, String... description) {
      super(name, description);
    }

    @Override
    protected void declare(CommandSpec model) {
      model.addPositional(
          positional(String.class, () -> jobId, v -> jobId = v)
              .paramLabel("JOB")
              .description("The job id, or an array's id (each of its tasks this applies to).")
              .build());
    }

    /** The {@code --reason} option of a change, described as {@code description}. */
    static OptionSpec reasonOption(Supplier<String> get, Consumer<String> set, String description) {
      return option(String.class, get, set, "--reason")
          .paramLabel("TEXT")
          .description(description)
          .build();
    }

    @Override
    int run(SchedulerClient scheduler) {
      Job job = change(scheduler);
      if (output.structured()) {
        out().println(output.render(Protos.json(job)));
      } else if (!job.getId().equals(jobId)
          && job.getSpec().getArray().getArrayId().equals(jobId)) {
        // An array's id: the answer is its first task changed.
        out().println(jobId + ": " + tasksChanged() + " (tern status " + jobId + ")");
      } else {
        out().println(job.getId() + ": " + line(job));
      }
      out().flush();
      return 0;
    }

    abstract Job change(SchedulerClient scheduler);

    /** What an array's id did to its tasks. */
    abstract String tasksChanged();

    /** What the job is now, after the id. */
    String line(Job job) {
      String state = Protos.enumName(job.getState(), "JOB_STATE_");
      return job.getPendingReason().isEmpty() ? state : state + " (" + job.getPendingReason() + ")";
    }
  }

  public static final class HoldCommand extends JobChange {
    public HoldCommand() {
      super(
          "hold",
          "Hold a queued job: it is not placed until 'tern release'.",
          "A job that has started cannot be held; requeue it first.");
    }

    @Override
    protected void declare(CommandSpec model) {
      super.declare(model);
      model.addOption(reasonOption(() -> reason, v -> reason = v, "Shown as the job's reason."));
    }

    @Override
    String tasksChanged() {
      return "held its queued tasks";
    }

    String reason = "";

    @Override
    Job change(SchedulerClient scheduler) {
      return scheduler.call(
          c ->
              JobServiceGrpc.newBlockingStub(c)
                  .holdJob(HoldJobRequest.newBuilder().setJobId(jobId).setReason(reason).build()));
    }
  }

  public static final class ReleaseCommand extends JobChange {
    public ReleaseCommand() {
      super("release", "Release a job held with 'tern hold': it queues again.");
    }

    @Override
    String tasksChanged() {
      return "no task of it is held by a user now";
    }

    @Override
    Job change(SchedulerClient scheduler) {
      return scheduler.call(
          c ->
              JobServiceGrpc.newBlockingStub(c)
                  .releaseJob(ReleaseJobRequest.newBuilder().setJobId(jobId).build()));
    }
  }

  public static final class RequeueCommand extends JobChange {
    public RequeueCommand() {
      super(
          "requeue",
          "Put a running job back in the queue: it checkpoints (a job that cannot checkpoint is"
              + " stopped and loses its work) and resumes at its next placement. Uses no retry.");
    }

    @Override
    protected void declare(CommandSpec model) {
      super.declare(model);
      model.addOption(
          reasonOption(() -> reason, v -> reason = v, "Sent with the checkpoint request."));
    }

    @Override
    String tasksChanged() {
      return "requeued its running tasks";
    }

    String reason = "";

    @Override
    Job change(SchedulerClient scheduler) {
      return scheduler.call(
          c ->
              JobServiceGrpc.newBlockingStub(c)
                  .requeueJob(
                      RequeueJobRequest.newBuilder().setJobId(jobId).setReason(reason).build()));
    }

    @Override
    String line(Job job) {
      // RUNNING in the answer: the job cannot checkpoint, and its agent was told to stop it.
      return job.getState() == JobState.JOB_STATE_CHECKPOINTING
          ? "CHECKPOINTING; it queues again once its checkpoint is in"
          : Protos.enumName(job.getState(), "JOB_STATE_")
              + ", being stopped (it cannot checkpoint: the work of this attempt is lost); it"
              + " queues again once stopped";
    }
  }

  public static final class UpdateCommand extends JobChange {
    public UpdateCommand() {
      super("update", "Change the priority, deadline or retries of a queued job.");
    }

    @Override
    protected void declare(CommandSpec model) {
      super.declare(model);
      model.addOption(
          option(String.class, () -> priority, v -> priority = v, "--priority")
              .paramLabel("CLASS")
              .description("high | normal | low.")
              .build());
      model.addOption(
          option(String.class, () -> deadline, v -> deadline = v, "--deadline")
              .paramLabel("TIME")
              .description("Finish by, e.g. 2026-12-01T08:00:00Z; 'none' removes the deadline.")
              .build());
      model.addOption(
          option(Integer.class, () -> retries, v -> retries = v, "--retries")
              .paramLabel("N")
              .description("Retries after a failure.")
              .build());
    }

    @Override
    String tasksChanged() {
      return "updated its queued tasks";
    }

    String priority;

    String deadline;

    Integer retries;

    /**
     * The request's fields, as the scheduler names them in its errors, → the flag that sets each.
     */
    private static final Map<String, String> FLAGS =
        Map.of(
            "priority", "--priority",
            "deadline", "--deadline",
            "clear_deadline", "--deadline none",
            "retries", "--retries");

    @Override
    Job change(SchedulerClient scheduler) {
      UpdateJobRequest request = request();
      try {
        return scheduler.call(c -> JobServiceGrpc.newBlockingStub(c).updateJob(request));
      } catch (UserInputException e) {
        // The scheduler names the request's fields ("retries: must be ..."); name the flags, as
        // this command's own checks and submit's do.
        throw new UserInputException(byFlag(e.getMessage()));
      }
    }

    /**
     * {@code errors} ("field: problem; field: problem") with each field the flag that sets it;
     * anything else as it is.
     */
    static String byFlag(String errors) {
      Matcher field = ERROR_FIELD.matcher(errors);
      StringBuilder out = new StringBuilder();
      while (field.find()) {
        String flag = FLAGS.getOrDefault(field.group(2), field.group(2));
        field.appendReplacement(out, Matcher.quoteReplacement(field.group(1) + flag + ": "));
      }
      return field.appendTail(out).toString();
    }

    /** A field at the start of an error, or after the "; " that separates errors. */
    private static final Pattern ERROR_FIELD = Pattern.compile("(^|; )([a-z_]+): ");

    @Override
    String line(Job job) {
      var spec = job.getSpec();
      return "priority "
          + Protos.enumName(spec.getPriority(), "PRIORITY_").toLowerCase(Locale.ROOT)
          + ", deadline "
          + (spec.hasDeadline() ? Protos.time(spec.getDeadline()) : "none")
          + ", retries "
          + spec.getRetries();
    }

    UpdateJobRequest request() {
      if (priority == null && deadline == null && retries == null) {
        throw new UserInputException("give --priority, --deadline or --retries");
      }
      UpdateJobRequest.Builder out = UpdateJobRequest.newBuilder().setJobId(jobId);
      if (priority != null) {
        out.setPriority(priority(priority));
      }
      if (deadline != null) {
        if (deadline.equals("none")) {
          out.setClearDeadline(true);
        } else {
          out.setDeadline(timestamp(deadline));
        }
      }
      if (retries != null) {
        out.setRetries(retries);
      }
      return out.build();
    }

    private static Priority priority(String text) {
      return switch (text.toLowerCase(Locale.ROOT)) {
        case "high" -> Priority.PRIORITY_HIGH;
        case "normal" -> Priority.PRIORITY_NORMAL;
        case "low" -> Priority.PRIORITY_LOW;
        default ->
            throw new UserInputException(
                "--priority: expected high, normal or low, got '" + text + "'");
      };
    }

    private static Timestamp timestamp(String text) {
      try {
        Instant at = Instant.parse(text);
        return Timestamp.newBuilder()
            .setSeconds(at.getEpochSecond())
            .setNanos(at.getNano())
            .build();
      } catch (DateTimeParseException e) {
        throw new UserInputException(
            "--deadline: expected a time like 2026-12-01T08:00:00Z or 'none', got '" + text + "'");
      }
    }
  }
}
