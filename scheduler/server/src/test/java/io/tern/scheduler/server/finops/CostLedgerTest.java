package io.tern.scheduler.server.finops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.tern.api.v1.CostLine;
import io.tern.api.v1.CostReport;
import io.tern.scheduler.core.model.CapacityType;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CostLedgerTest {
  private static final Instant T0 = Instant.parse("2026-05-04T00:00:00Z");
  private static final double EPS = 1e-9;

  private static Instant at(double hours) {
    return T0.plus(Duration.ofSeconds(Math.round(hours * 3600)));
  }

  private static CostLedger.Slice spot(String node, int gpus, double price) {
    return new CostLedger.Slice(node, "a100-spot", CapacityType.SPOT, gpus, 8, price, Double.NaN);
  }

  private final CostLedger ledger = new CostLedger(CostLedger.IdleRule.defaults());

  @Test
  void aJobsCostIsItsAttemptsUpToNowAndNoOtherJobs() {
    ledger.attemptStarted("job-1", "vision", 1, List.of(spot("n1", 4, 16)), at(0));
    ledger.attemptEnded("job-1", 1, at(2), true);
    ledger.attemptStarted("job-1", "vision", 2, List.of(spot("n2", 8, 8)), at(3));
    ledger.attemptStarted("job-10", "vision", 1, List.of(spot("n3", 8, 100)), at(0));

    // Attempt 1: half a $16/h node for 2 h; attempt 2: a whole $8/h node for 1 h so far.
    assertThat(ledger.jobCostUsd("job-1", at(4))).isCloseTo(16 + 8, within(EPS));
    assertThat(ledger.jobCostUsd("job-2", at(4))).isZero();
    // What the core weighs as already spent: the ended attempt only.
    assertThat(ledger.endedAttemptsCostUsd("job-1")).isCloseTo(16, within(EPS));
    assertThat(ledger.endedAttemptsCostUsd("job-10")).isZero();
  }

  @Test
  void costsGpuHoursAndOnDemandPremium() {
    ledger.attemptStarted("job-1", "vision", 1, List.of(spot("n1", 4, 16)), at(0));
    ledger.attemptEnded("job-1", 1, at(2), false);
    ledger.attemptStarted(
        "job-2",
        "nlp",
        1,
        List.of(new CostLedger.Slice("n2", "a100-od", CapacityType.ON_DEMAND, 8, 8, 32, 12)),
        at(1));

    CostReport r = ledger.report(at(0), at(3), null);

    CostLine job1 = line(r.getJobsList(), "job-1");
    assertThat(job1.getGpuHours()).isCloseTo(8, within(EPS));
    assertThat(job1.getSpotUsd()).isCloseTo(16, within(EPS)); // half the node for 2 h
    assertThat(job1.getOnDemandUsd()).isZero();
    CostLine job2 = line(r.getJobsList(), "job-2");
    assertThat(job2.getGpuHours())
        .as("still running: up to the range's end")
        .isCloseTo(16, within(EPS));
    assertThat(job2.getOnDemandUsd()).isCloseTo(64, within(EPS));
    assertThat(job2.getOnDemandPremiumUsd()).isCloseTo(40, within(EPS));
    assertThat(r.getJobsList()).extracting(CostLine::getKey).containsExactly("job-2", "job-1");
    assertThat(r.getTeamsList()).extracting(CostLine::getKey).containsExactly("nlp", "vision");
    assertThat(r.getTotal().getSpotUsd() + r.getTotal().getOnDemandUsd())
        .isCloseTo(80, within(EPS));

    CostReport clipped = ledger.report(at(1.5), at(2.5), "vision");
    assertThat(clipped.getJobsList()).extracting(CostLine::getKey).containsExactly("job-1");
    assertThat(clipped.getTotal().getSpotUsd()).isCloseTo(4, within(EPS));
    assertThat(ledger.spentUsd("nlp", at(0), at(1.5))).isCloseTo(16, within(EPS));
  }

  @Test
  void workLostToAnInterruptionCountsFromTheLastCheckpoint() {
    ledger.attemptStarted("job-1", "vision", 1, List.of(spot("n1", 4, 16)), at(0));
    ledger.checkpointCommitted("job-1", 1, at(1.5));
    ledger.attemptEnded("job-1", 1, at(2), true);
    // A job that cannot checkpoint loses the whole attempt.
    ledger.attemptStarted("job-2", "vision", 1, List.of(spot("n2", 2, 16)), at(0));
    ledger.attemptEnded("job-2", 1, at(3), true);
    // A job that finished loses nothing.
    ledger.attemptStarted("job-3", "vision", 1, List.of(spot("n3", 2, 16)), at(0));
    ledger.attemptEnded("job-3", 1, at(3), false);

    CostReport r = ledger.report(at(0), at(4), "vision");
    assertThat(line(r.getJobsList(), "job-1").getLostGpuHours()).isCloseTo(2, within(EPS));
    assertThat(line(r.getJobsList(), "job-2").getLostGpuHours()).isCloseTo(6, within(EPS));
    assertThat(line(r.getJobsList(), "job-3").getLostGpuHours()).isZero();
    assertThat(r.getTotal().getLostGpuHours()).isCloseTo(8, within(EPS));
    assertThat(ledger.report(at(2.5), at(4), "vision").getTotal().getLostGpuHours())
        .as("booked at the interruption")
        .isCloseTo(6, within(EPS));
  }

  @Test
  void idleAllocatedGpuTimeNeedsALongEnoughStretch() {
    ledger.attemptStarted("job-1", "vision", 1, List.of(spot("n1", 2, 16)), at(0));
    // GPU 0: busy, then idle from 1h to 2h (closed by a busy sample).
    ledger.gpuUtilization("job-1", 1, "n1", 0, 95, at(0.5));
    ledger.gpuUtilization("job-1", 1, "n1", 0, 0.0, at(1));
    ledger.gpuUtilization("job-1", 1, "n1", 0, 0.5, at(1.5));
    ledger.gpuUtilization("job-1", 1, "n1", 0, 90, at(2));
    // GPU 1: a 5-minute blip (under the 10-minute rule), then idle from 3h until the end at 4h.
    ledger.gpuUtilization("job-1", 1, "n1", 1, 0, at(1));
    ledger.gpuUtilization("job-1", 1, "n1", 1, 80, at(1 + 5 / 60.0));
    ledger.gpuUtilization("job-1", 1, "n1", 1, 0, at(3));
    ledger.gpuUtilization("job-1", 1, "n1", 1, 0, at(3.5));

    assertThat(ledger.report(at(0), at(5), null).getTotal().getIdleGpuHours())
        .as("running: the open stretch counts up to its last sample")
        .isCloseTo(1.5, within(EPS));
    ledger.attemptEnded("job-1", 1, at(4), false);
    assertThat(ledger.report(at(0), at(5), null).getTotal().getIdleGpuHours())
        .isCloseTo(2, within(EPS));
    assertThat(ledger.report(at(1.5), at(3.5), null).getTotal().getIdleGpuHours())
        .isCloseTo(1, within(EPS));
  }

  @Test
  void jobsAddUpToTeamsWhichAddUpToWhatTheNodesCostForTheirAllocatedTime() {
    Random random = new Random(42);
    record NodeSpec(String id, CapacityType type, int gpus, double price) {}
    List<NodeSpec> nodes = new ArrayList<>();
    for (int n = 0; n < 6; n++) {
      boolean od = n % 3 == 0;
      nodes.add(
          new NodeSpec(
              "n" + n, od ? CapacityType.ON_DEMAND : CapacityType.SPOT, 8, od ? 32 : 9 + n));
    }
    // Per node: the cost of allocated GPU time, computed independently of the ledger.
    Map<String, Double> nodeCost = new HashMap<>();
    Instant since = at(10);
    Instant until = at(40);
    String[] teams = {"vision", "nlp", "speech"};
    for (int j = 0; j < 60; j++) {
      NodeSpec node = nodes.get(random.nextInt(nodes.size()));
      int gpus = 1 + random.nextInt(node.gpus());
      double start = random.nextDouble() * 45;
      double end = start + random.nextDouble() * 12;
      boolean running = random.nextInt(5) == 0;
      String job = "job-" + j;
      ledger.attemptStarted(
          job,
          teams[j % 3],
          1,
          List.of(new CostLedger.Slice(node.id(), "p", node.type(), gpus, 8, node.price(), 9)),
          at(start));
      if (!running) {
        ledger.attemptEnded(job, 1, at(end), random.nextBoolean());
      }
      Instant from = at(start).isAfter(since) ? at(start) : since;
      Instant to = running || at(end).isAfter(until) ? until : at(end);
      if (to.isAfter(from)) {
        double hours = Duration.between(from, to).toMillis() / 3_600_000.0;
        nodeCost.merge(node.id(), node.price() * gpus / node.gpus() * hours, Double::sum);
      }
    }

    CostReport r = ledger.report(since, until, "");

    double jobs =
        r.getJobsList().stream().mapToDouble(l -> l.getSpotUsd() + l.getOnDemandUsd()).sum();
    double teamSum =
        r.getTeamsList().stream().mapToDouble(l -> l.getSpotUsd() + l.getOnDemandUsd()).sum();
    double total = r.getTotal().getSpotUsd() + r.getTotal().getOnDemandUsd();
    double nodesSum = nodeCost.values().stream().mapToDouble(Double::doubleValue).sum();
    assertThat(nodesSum).isGreaterThan(100);
    assertThat(jobs).isCloseTo(teamSum, within(1e-6));
    assertThat(teamSum).isCloseTo(total, within(1e-6));
    assertThat(total).isCloseTo(nodesSum, within(1e-6));
    for (String field : List.of("gpu", "lost", "idle", "premium")) {
      assertThat(sum(r.getJobsList(), field))
          .as(field)
          .isCloseTo(sum(r.getTeamsList(), field), within(1e-6));
    }
    for (CostLine team : r.getTeamsList()) {
      double spent = ledger.spentUsd(team.getKey(), since, until);
      assertThat(team.getSpotUsd() + team.getOnDemandUsd()).isCloseTo(spent, within(1e-6));
    }
    assertThat(ledger.report(since, until, "")).as("deterministic").isEqualTo(r);
  }

  private static double sum(List<CostLine> lines, String field) {
    return lines.stream()
        .mapToDouble(
            l ->
                switch (field) {
                  case "gpu" -> l.getGpuHours();
                  case "lost" -> l.getLostGpuHours();
                  case "idle" -> l.getIdleGpuHours();
                  default -> l.getOnDemandPremiumUsd();
                })
        .sum();
  }

  @Test
  void
      changeoversBetweenCapacityTypesAreCountedWithWhatTheInterruptedAttemptsPaidAfterCheckpoint() {
    // On-demand for 1 h (checkpoint at 0.9 h), back to spot; reclaimed at 3 h (checkpoint at 2.5),
    // then on-demand again; a preemption on on-demand that resumes on on-demand is no changeover.
    CostLedger.Slice onDemand =
        new CostLedger.Slice("od", "od-pool", CapacityType.ON_DEMAND, 2, 8, 32, 12);
    CostLedger.Slice spot = new CostLedger.Slice("sp", "sp-pool", CapacityType.SPOT, 2, 8, 12, 32);
    ledger.attemptStarted("job-1", "vision", 1, List.of(onDemand), at(0));
    ledger.checkpointCommitted("job-1", 1, at(0.9));
    ledger.attemptEnded("job-1", 1, at(1), true);
    ledger.attemptStarted("job-1", "vision", 2, List.of(spot), at(1.1));
    ledger.checkpointCommitted("job-1", 2, at(2.5));
    ledger.attemptEnded("job-1", 2, at(3), true);
    ledger.attemptStarted("job-1", "vision", 3, List.of(onDemand), at(3.2));
    ledger.attemptEnded("job-1", 3, at(4), true);
    ledger.attemptStarted("job-1", "vision", 4, List.of(onDemand), at(4.5));
    ledger.attemptEnded("job-1", 4, at(5), false);

    CostLine job = line(ledger.report(at(0), at(6), null).getJobsList(), "job-1");

    assertThat(job.getChangeovers()).isEqualTo(2);
    assertThat(job.getReturnsToSpot()).isEqualTo(1);
    // 0.1 h after the checkpoint on on-demand at $8/h (2 of 8 GPUs of $32), then 0.5 h on spot at
    // $3/h.
    assertThat(job.getChangeoverUsd()).isCloseTo(0.1 * 8 + 0.5 * 3, within(EPS));
    // 1.9 h on spot, each 2 GPUs' share of $32 - $12 an hour.
    assertThat(job.getSpotSavingUsd()).isCloseTo(1.9 * 5, within(EPS));
    assertThat(job.getOnDemandPremiumUsd()).isCloseTo((1 + 0.8 + 0.5) * 5, within(EPS));
    CostLine laterOnly = line(ledger.report(at(2), at(6), null).getJobsList(), "job-1");
    assertThat(laterOnly.getChangeovers()).as("booked when the new attempt starts").isEqualTo(1);
    assertThat(laterOnly.getReturnsToSpot()).isZero();
  }

  private static CostLine line(List<CostLine> lines, String key) {
    return lines.stream().filter(l -> l.getKey().equals(key)).findFirst().orElseThrow();
  }
}
