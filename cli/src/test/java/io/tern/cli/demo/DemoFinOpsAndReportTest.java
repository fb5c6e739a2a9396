package io.tern.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Timestamp;
import io.tern.api.v1.Attempt;
import io.tern.api.v1.CapacityPreference;
import io.tern.api.v1.CheckpointPolicy;
import io.tern.api.v1.CheckpointRef;
import io.tern.api.v1.CostLine;
import io.tern.api.v1.CostReport;
import io.tern.api.v1.Job;
import io.tern.api.v1.JobSpec;
import io.tern.api.v1.OffPeakWindow;
import io.tern.api.v1.Priority;
import io.tern.api.v1.Resources;
import io.tern.scheduler.server.offpeak.WindowValidation;
import io.tern.simulator.report.SimulationSummary;
import io.tern.simulator.trace.NativeTraceWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo's new steps without a cluster: the window, the cost checks, the trace and report. */
class DemoFinOpsAndReportTest {
  @TempDir Path dir;

  @Test
  void theWindowIsOpenAtAnyTimeOfDay() {
    for (String at :
        List.of("2025-06-01T00:00:00Z", "2025-06-01T07:43:10Z", "2025-06-01T23:59:59.999Z")) {
      Instant now = Instant.parse(at);
      OffPeakWindow w = DemoFinOps.openNowWindow(now);
      assertThat(w.getTimeZone()).isEqualTo("UTC");
      assertThat(WindowValidation.toProto(WindowValidation.fromProto(w), now).getOpenNow())
          .as(at)
          .isTrue();
      // still open a minute later: the demo lists it right after setting it
      assertThat(
              WindowValidation.toProto(WindowValidation.fromProto(w), now.plusSeconds(60))
                  .getOpenNow())
          .as(at + " + 1 min")
          .isTrue();
      assertThat(DemoFinOps.closes(now)).isAfter(now.plusSeconds(3600));
    }
  }

  private static CostLine line(String key, double gpuH, double spot, double od, double lost) {
    return CostLine.newBuilder()
        .setKey(key)
        .setGpuHours(gpuH)
        .setSpotUsd(spot)
        .setOnDemandUsd(od)
        .setLostGpuHours(lost)
        .setIdleGpuHours(gpuH / 10)
        .setOnDemandPremiumUsd(od / 2)
        .build();
  }

  private static CostReport report(CostLine researchTeam) {
    CostLine j1 = line("job-1", 0.01, 0.001, 0.005, 0.001);
    CostLine j2 = line("job-2", 0.02, 0, 0.01, 0);
    CostLine j3 = line("job-3", 0.003, 0, 0.002, 0);
    return CostReport.newBuilder()
        .addTeams(line("nlp", 0.003, 0, 0.002, 0))
        .addTeams(researchTeam)
        .addJobs(j2)
        .addJobs(j1)
        .addJobs(j3)
        .setTotal(line("", 0.033, 0.001, 0.017, 0.001))
        .build();
  }

  private static final Map<String, String> TEAMS =
      Map.of("job-1", "research", "job-2", "research", "job-3", "nlp");

  @Test
  void aConsistentReportPassesAndTablesTeamsAndTotal() {
    CostReport r = report(line("research", 0.03, 0.001, 0.015, 0.001));
    assertThatCode(() -> DemoFinOps.checkConsistent(r, TEAMS)).doesNotThrowAnyException();
    List<String> table = DemoFinOps.table(r);
    assertThat(table.getFirst()).contains("TEAM", "GPU-HOURS", "LOST GPU-H", "OD PREMIUM");
    assertThat(table).hasSize(4);
    assertThat(table.getLast()).startsWith("total").contains("0.0330", "$0.0180");
  }

  @Test
  void theDeadlineJobsLineShowsItsSavingAndItsChangeoverBackToSpot() {
    CostLine job =
        line("job-1", 0.01, 0, 0.003, 0).toBuilder()
            .setSpotUsd(0.0016)
            .setSpotSavingUsd(0.0021)
            .setChangeovers(1)
            .setReturnsToSpot(1)
            .setChangeoverUsd(0.00002)
            .build();
    assertThat(DemoFinOps.returnToSpotLine(job))
        .isEqualTo(
            "job-1: $0.0030 on on-demand, then $0.0016 on spot for work on-demand would have billed"
                + " $0.0037: $0.0021 (57%) saved after 1 changeover back to spot, which cost"
                + " $0.0000");
    assertThatThrownBy(
            () -> DemoFinOps.returnToSpotLine(job.toBuilder().setReturnsToSpot(0).build()))
        .isInstanceOf(Poll.StepFailed.class)
        .hasMessageContaining("0 back to spot");
  }

  @Test
  void aTeamThatDoesNotAddUpFails() {
    CostReport r = report(line("research", 0.03, 0.001, 0.016, 0.001));
    assertThatThrownBy(() -> DemoFinOps.checkConsistent(r, TEAMS))
        .isInstanceOf(Poll.StepFailed.class)
        .hasMessageContaining("team research's on-demand $");
  }

  @Test
  void aMissingJobFails() {
    CostReport r = report(line("research", 0.03, 0.001, 0.015, 0.001));
    assertThatThrownBy(
            () ->
                DemoFinOps.checkConsistent(
                    r,
                    Map.of(
                        "job-1", "research", "job-2", "research", "job-3", "nlp", "job-4", "nlp")))
        .isInstanceOf(Poll.StepFailed.class)
        .hasMessageContaining("no line for job-4");
  }

  private static Timestamp ts(Instant i) {
    return Timestamp.newBuilder().setSeconds(i.getEpochSecond()).setNanos(i.getNano()).build();
  }

  /** A job whose attempts ran {@code runs} ms each, each resuming from the last one's end. */
  private static Job job(String id, long submit, JobSpec spec, long... runs) {
    Instant t0 = Instant.parse("2025-06-01T10:00:00Z");
    Job.Builder b =
        Job.newBuilder().setId(id).setSpec(spec).setSubmittedAt(ts(t0.plusSeconds(submit)));
    Instant at = t0.plusSeconds(submit);
    for (int i = 0; i < runs.length; i++) {
      Attempt.Builder attempt =
          Attempt.newBuilder()
              .setNumber(i + 1)
              .setStartedAt(ts(at))
              .setEndedAt(ts(at.plusMillis(runs[i])));
      if (i > 0) {
        attempt.setResumedFrom(
            CheckpointRef.newBuilder().setAttempt(i).setCommittedAt(ts(at.minusMillis(500))));
      }
      b.addAttempts(attempt);
      at = at.plusMillis(runs[i] + 500);
    }
    return b.build();
  }

  @Test
  void theTraceHasTheJobsAsMeasuredAndTheReportIsWritten() throws Exception {
    JobSpec train =
        JobSpec.newBuilder()
            .setTeam("research")
            .setResources(Resources.newBuilder().setGpus(1).setNodes(1))
            .setPriority(Priority.PRIORITY_NORMAL)
            .setCapacity(CapacityPreference.CAPACITY_SPOT_OK)
            .setCheckpoint(
                CheckpointPolicy.newBuilder()
                    .setInterval(com.google.protobuf.Duration.newBuilder().setSeconds(60)))
            .build();
    JobSpec gang =
        JobSpec.newBuilder()
            .setTeam("nlp")
            .setResources(Resources.newBuilder().setGpus(1).setNodes(2))
            .setCapacity(CapacityPreference.CAPACITY_ON_DEMAND)
            .build();
    List<Job> jobs = List.of(job("job-2", 14, gang, 2_100), job("job-1", 0, train, 13_000, 37_200));
    assertThat(DemoReport.trace(jobs))
        .isEqualTo(
            NativeTraceWriter.HEADER
                + "\n"
                + "job-1,0,51,1,1,research,normal,spot-ok,60,,,\n"
                + "job-2,14,3,1,2,nlp,normal,on-demand,,,,\n");
    // The demo's own nodes: two with 2 x L4 each, as the demo's agents register.
    List<io.tern.api.v1.Node> nodes = new java.util.ArrayList<>();
    for (String id : List.of("local-1", "local-2")) {
      io.tern.api.v1.Node.Builder node = io.tern.api.v1.Node.newBuilder().setId(id);
      for (int i = 0; i < 2; i++) {
        node.addGpus(
            io.tern.api.v1.Gpu.newBuilder().setIndex(i).setModel("L4").setMemoryTotalMib(24576));
      }
      nodes.add(node.build());
    }
    SimulationSummary summary = DemoReport.write(jobs, nodes, dir, null);
    assertThat(summary.jobs()).isEqualTo(2);
    assertThat(dir.resolve(DemoReport.REPORT)).isNotEmptyFile();
    String html = Files.readString(dir.resolve(DemoReport.REPORT));
    assertThat(html)
        .contains("<html", "on 2 nodes / 4 GPUs", "nodes: 2 from demo-nodes.csv", "<td>L4</td>")
        .doesNotContain("x V100 sized");
    // A run shorter than a chart bucket still draws its points.
    assertThat(html.split("<h2>Cost over time</h2>")[1].split("</svg>")[0]).contains("<circle");
    assertThat(DemoReport.policyLines(summary)).anyMatch(l -> l.startsWith("tern"));
  }
}
