package io.tern.simulator.engine;

import io.tern.simulator.policy.ClusterPolicy;
import io.tern.simulator.report.GpuModelUsage;
import io.tern.simulator.report.Percentiles;
import io.tern.simulator.report.PolicyResult;
import io.tern.simulator.report.Rounding;
import io.tern.simulator.report.SavingsSplit;
import io.tern.simulator.report.TeamResult;
import io.tern.simulator.report.TimeSeries;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What one replay produced, before savings are known: turns the jobs' ledgers and the run metrics
 * into a {@link PolicyResult}. Also exposes per-job figures for tests.
 */
public final class RunOutcome {
  private final ClusterPolicy policy;
  private final List<SimJob> jobs;
  private final RunMetrics metrics;
  private final Map<String, double[]> usageByPriceClass;
  private final long plans;
  private final long coreCalls;
  private final long events;
  private final int reclaims;
  private final int preemptions;
  private final long endSeconds;

  RunOutcome(
      ClusterPolicy policy,
      List<SimJob> jobs,
      RunMetrics metrics,
      Map<String, double[]> usageByPriceClass,
      long plans,
      long coreCalls,
      long events,
      int reclaims,
      int preemptions,
      long endSeconds) {
    this.policy = policy;
    this.jobs = jobs;
    this.metrics = metrics;
    this.usageByPriceClass = usageByPriceClass;
    this.plans = plans;
    this.coreCalls = coreCalls;
    this.events = events;
    this.reclaims = reclaims;
    this.preemptions = preemptions;
    this.endSeconds = endSeconds;
  }

  /** Discrete events processed. */
  public long events() {
    return events;
  }

  /**
   * Scheduling rounds. A round with nothing queued and nothing to migrate skips the core (its plan
   * is known to be empty), so this counts more than {@link #coreCalls()}.
   */
  public long plans() {
    return plans;
  }

  /** Calls of the core's {@code plan}. */
  public long coreCalls() {
    return coreCalls;
  }

  /** Trace second at which the replay ended. */
  public long endSeconds() {
    return endSeconds;
  }

  /** Finish time of a job in trace seconds, or -1 if it never finished. */
  public long finishOf(String jobId) {
    return find(jobId).finish;
  }

  /** Money spent on a job. */
  public double costOf(String jobId) {
    return find(jobId).cost;
  }

  /** GPU-seconds a job was billed on spot capacity. */
  public double spotGpuSecondsOf(String jobId) {
    return find(jobId).spotGpuSeconds;
  }

  /** GPU-seconds a job was billed on on-demand capacity. */
  public double onDemandGpuSecondsOf(String jobId) {
    return find(jobId).onDemandGpuSeconds;
  }

  /** Whether a job met its deadline: false only for one with a deadline it did not finish by. */
  public boolean deadlineMetOf(String jobId) {
    return !missedDeadline(find(jobId));
  }

  private static boolean missedDeadline(SimJob job) {
    return job.trace.hasDeadline() && (job.finish < 0 || job.finish > job.trace.deadlineSeconds());
  }

  /** Attempts a job made. */
  public int attemptsOf(String jobId) {
    return find(jobId).attempt();
  }

  /** GPU-seconds of a job's work thrown away. */
  public double lostGpuSecondsOf(String jobId) {
    return find(jobId).lostGpuSeconds;
  }

  private SimJob find(String jobId) {
    return jobs.stream()
        .filter(j -> j.trace.id().equals(jobId))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no job " + jobId));
  }

  /** The result, with savings still zero (see {@link PolicyResult#withSavingsAgainst}). */
  public PolicyResult toResult() {
    double cost = 0;
    double lost = 0;
    double overhead = 0;
    double spot = 0;
    double onDemand = 0;
    double spotCost = 0;
    double onDemandCost = 0;
    double atOnDemandPrices = 0;
    double wasteAtOnDemandPrices = 0;
    int finished = 0;
    int deadlineJobs = 0;
    int misses = 0;
    List<Double> jct = new ArrayList<>();
    List<Double> wait = new ArrayList<>();
    Map<String, TeamAccumulator> teams = new TreeMap<>();
    for (SimJob job : jobs) {
      cost += job.cost;
      lost += job.lostGpuSeconds;
      overhead += job.overheadGpuSeconds;
      spot += job.spotGpuSeconds;
      onDemand += job.onDemandGpuSeconds;
      spotCost += job.spotCost;
      onDemandCost += job.onDemandCost;
      atOnDemandPrices += job.onDemandPricedCost;
      wasteAtOnDemandPrices += job.onDemandPricedWaste;
      TeamAccumulator team = teams.computeIfAbsent(job.trace.team(), k -> new TeamAccumulator());
      team.jobs++;
      team.cost += job.cost;
      team.lost += job.lostGpuSeconds;
      boolean missed = missedDeadline(job);
      if (job.trace.hasDeadline()) {
        deadlineJobs++;
      }
      if (missed) {
        misses++;
        team.misses++;
      }
      if (job.finish >= 0) {
        finished++;
        team.finished++;
        double hours = (job.finish - job.trace.submitSeconds()) / 3600.0;
        jct.add(hours);
        team.jct.add(hours);
      }
      if (job.firstStart >= 0) {
        wait.add((job.firstStart - job.trace.submitSeconds()) / 3600.0);
      }
    }
    SortedMap<String, TeamResult> teamResults = new TreeMap<>();
    teams.forEach(
        (name, t) ->
            teamResults.put(
                name,
                new TeamResult(
                    t.jobs,
                    t.finished,
                    Rounding.round2(t.cost),
                    t.misses,
                    Percentiles.of(toArray(t.jct)).p50(),
                    Rounding.round4(t.lost / 3600))));
    return new PolicyResult(
        policy.label(),
        policy.description(),
        Rounding.round2(cost),
        Rounding.round2(spotCost),
        Rounding.round2(onDemandCost),
        Rounding.round4(spot + onDemand > 0 ? spot / (spot + onDemand) : 0),
        0,
        0,
        SavingsSplit.NONE,
        Rounding.round2(atOnDemandPrices),
        Rounding.round2(wasteAtOnDemandPrices),
        gpuModels(),
        finished,
        jobs.size() - finished,
        deadlineJobs,
        misses,
        Percentiles.of(toArray(jct)),
        Percentiles.of(toArray(wait)),
        Rounding.round4(lost / 3600),
        Rounding.round4(overhead / 3600),
        reclaims,
        preemptions,
        Rounding.round4(metrics.utilization()),
        Rounding.round4(spot / 3600),
        Rounding.round4(onDemand / 3600),
        plans,
        events,
        teamResults,
        new TimeSeries(
            metrics.bucketSeconds() / 3600.0,
            metrics.cumulativeCost(),
            metrics.queueLength(),
            metrics.utilizationSeries()));
  }

  private SortedMap<String, GpuModelUsage> gpuModels() {
    SortedMap<String, GpuModelUsage> models = new TreeMap<>();
    usageByPriceClass.forEach(
        (priceClass, u) ->
            models.put(
                priceClass,
                new GpuModelUsage(
                    Rounding.round4(u[0] / 3600),
                    Rounding.round4(u[1] / 3600),
                    Rounding.round2(u[2]),
                    Rounding.round2(u[3]))));
    return models;
  }

  private static double[] toArray(List<Double> values) {
    double[] array = new double[values.size()];
    for (int i = 0; i < array.length; i++) {
      array[i] = values.get(i);
    }
    return array;
  }

  private static final class TeamAccumulator {
    int jobs;
    int finished;
    int misses;
    double cost;
    double lost;
    final List<Double> jct = new ArrayList<>();
  }
}
