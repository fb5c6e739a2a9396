package io.tern.cli.jobs;

import com.google.protobuf.Timestamp;
import io.tern.api.v1.HoldJobRequest;
import io.tern.api.v1.Job;
import io.tern.api.v1.JobServiceGrpc;
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
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The client verbs that change a job besides submit and cancel: hold, release, requeue, update. */
public final class JobControlCommands {
  private JobControlCommands() {}

  /** A verb on one job that prints the job it changed: a line for people, or the job as JSON. */
  abstract static class JobChange extends JobCommands.JobVerb {
    @Parameters(
        paramLabel = "JOB",
        description = "The job id, or an array's id (each of its tasks this applies to).")
    String jobId;

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

  @Command(
      name = "hold",
      description = {
        "Hold a queued job: it is not placed until 'tern release'.",
        "A job that has started cannot be held; requeue it first."
      })
  public static final class HoldCommand extends JobChange {
    @Override
    String tasksChanged() {
      return "held its queued tasks";
    }

    @Option(names = "--reason", paramLabel = "TEXT", description = "Shown as the job's reason.")
    String reason = "";

    @Override
    Job change(SchedulerClient scheduler) {
      return scheduler.call(
          c ->
              JobServiceGrpc.newBlockingStub(c)
                  .holdJob(HoldJobRequest.newBuilder().setJobId(jobId).setReason(reason).build()));
    }
  }

  @Command(name = "release", description = "Release a job held with 'tern hold': it queues again.")
  public static final class ReleaseCommand extends JobChange {
    @Override
    String tasksChanged() {
      return "released its held tasks";
    }

    @Override
    Job change(SchedulerClient scheduler) {
      return scheduler.call(
          c ->
              JobServiceGrpc.newBlockingStub(c)
                  .releaseJob(ReleaseJobRequest.newBuilder().setJobId(jobId).build()));
    }
  }

  @Command(
      name = "requeue",
      description = {
        "Put a running job back in the queue: it checkpoints (a job that cannot checkpoint is",
        "stopped and loses its work) and resumes at its next placement. Uses no retry."
      })
  public static final class RequeueCommand extends JobChange {
    @Override
    String tasksChanged() {
      return "requeued its running tasks";
    }

    @Option(
        names = "--reason",
        paramLabel = "TEXT",
        description = "Sent with the checkpoint request.")
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
      return Protos.enumName(job.getState(), "JOB_STATE_")
          + "; it queues again once it has checkpointed or stopped";
    }
  }

  @Command(
      name = "update",
      description = "Change the priority, deadline or retries of a queued job.")
  public static final class UpdateCommand extends JobChange {
    @Override
    String tasksChanged() {
      return "updated its queued tasks";
    }

    @Option(names = "--priority", paramLabel = "CLASS", description = "high | normal | low.")
    String priority;

    @Option(
        names = "--deadline",
        paramLabel = "TIME",
        description = "Finish by, e.g. 2026-12-01T08:00:00Z; 'none' removes the deadline.")
    String deadline;

    @Option(names = "--retries", paramLabel = "N", description = "Retries after a failure.")
    Integer retries;

    @Override
    Job change(SchedulerClient scheduler) {
      UpdateJobRequest request = request();
      return scheduler.call(c -> JobServiceGrpc.newBlockingStub(c).updateJob(request));
    }

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
