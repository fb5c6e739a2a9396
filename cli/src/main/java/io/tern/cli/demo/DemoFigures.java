package io.tern.cli.demo;

import com.google.protobuf.Timestamp;
import io.tern.api.v1.Attempt;
import io.tern.api.v1.CapacityType;
import io.tern.api.v1.Job;
import io.tern.cli.client.Protos;
import io.tern.cli.client.Table;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** What the demo measured, and the summary it ends with. Filled in by {@link DemoScenario}. */
final class DemoFigures {
  String deadlineId;
  String trainId;
  String lowId;
  String highId;
  String gangId;
  int returnStepsLost;
  double returnCheckpointSeconds;
  double returnRunningSeconds;
  String returnLine;
  int reclaimStepsLost;
  double noticeToCheckpointSeconds;
  double noticeToRunningSeconds;
  int preemptionStepsLost;
  double highWaitedSeconds;
  double failoverSeconds;
  List<Job> jobs = List.of();
  List<String> costTable = List.of();
  String budgetLine;
  java.nio.file.Path reportPath;

  static Instant instant(Timestamp t) {
    return Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
  }

  /** A job's attempts as a small table, like `tern status` prints them. */
  static List<String> attemptLines(Job job) {
    Table table =
        new Table("#", "NODES", "CAPACITY", "STARTED", "ENDED", "WHY IT ENDED", "CHECKPOINT");
    for (Attempt a : job.getAttemptsList()) {
      table.row(
          a.getNumber(),
          String.join(",", a.getNodeIdsList()),
          capacity(a),
          a.hasStartedAt() ? Protos.time(a.getStartedAt()) : "-",
          a.hasEndedAt() ? Protos.time(a.getEndedAt()) : "-",
          a.getEndReason().isEmpty() ? "-" : a.getEndReason(),
          a.hasLastCheckpoint()
              ? a.getLastCheckpoint().getName()
              : a.hasResumedFrom() ? "resumed from " + a.getResumedFrom().getName() : "-");
    }
    StringWriter text = new StringWriter();
    table.print(new PrintWriter(text, true));
    List<String> lines = new ArrayList<>();
    lines.add(job.getId() + " (" + job.getSpec().getName() + "):");
    text.toString().lines().forEach(l -> lines.add("  " + l));
    return lines;
  }

  private static String capacity(Attempt a) {
    return a.getCapacityType() == CapacityType.CAPACITY_TYPE_SPOT ? "spot" : "on-demand";
  }

  void printSummary(PrintWriter out, double wallSeconds) {
    out.println();
    out.println("Summary");
    Table table = new Table("JOB", "NAME", "PRIORITY", "STATE", "ATTEMPTS");
    for (Job job : jobs) {
      List<String> attempts = new ArrayList<>();
      for (Attempt a : job.getAttemptsList()) {
        attempts.add(
            a.getNumber()
                + ": "
                + String.join("+", a.getNodeIdsList())
                + " ("
                + capacity(a)
                + ")"
                + (a.getEndReason().isEmpty() ? "" : ", " + a.getEndReason()));
      }
      table.row(
          job.getId(),
          job.getSpec().getName(),
          Protos.enumName(job.getSpec().getPriority(), "PRIORITY_").toLowerCase(Locale.ROOT),
          Protos.enumName(job.getState(), "JOB_STATE_"),
          String.join("; ", attempts));
    }
    StringWriter text = new StringWriter();
    table.print(new PrintWriter(text, true));
    text.toString().lines().forEach(l -> out.println("  " + l));
    out.println();
    out.printf(
        Locale.ROOT,
        "  back to spot     spot node READY -> checkpoint committed %.1f s, -> running on spot"
            + " %.1f s; work lost: %d steps%n",
        returnCheckpointSeconds,
        returnRunningSeconds,
        returnStepsLost);
    out.printf(
        Locale.ROOT,
        "  spot reclaim     notice -> checkpoint committed %.1f s, -> running again on on-demand"
            + " %.1f s; work lost: %d steps (%.1f s of a %.0f s job)%n",
        noticeToCheckpointSeconds,
        noticeToRunningSeconds,
        reclaimStepsLost,
        reclaimStepsLost * DemoJobs.TRAIN_STEP_SECONDS,
        DemoJobs.TRAIN_STEPS * DemoJobs.TRAIN_STEP_SECONDS);
    out.printf(
        Locale.ROOT,
        "  preemption       the high-priority job ran %.1f s after submission; the low-priority"
            + " one lost %d steps (%.2f s)%n",
        highWaitedSeconds,
        preemptionStepsLost,
        preemptionStepsLost * DemoJobs.LOW_STEP_SECONDS);
    out.printf(
        Locale.ROOT,
        "  failover         the standby led %.1f s after kill -9 of the leader; no job restarted%n",
        failoverSeconds);
    if (!costTable.isEmpty()) {
      out.println();
      out.println("  cost and waste   (GetCostReport over the demo)");
      costTable.forEach(l -> out.println("    " + l));
      if (returnLine != null) {
        out.println("    " + returnLine);
      }
      if (budgetLine != null) {
        out.println("    " + budgetLine);
      }
    }
    if (reportPath != null) {
      out.println();
      out.println("  HTML report      " + reportPath);
    }
    out.printf(Locale.ROOT, "  demo wall time   %.1f s%n", wallSeconds);
    out.flush();
  }
}
