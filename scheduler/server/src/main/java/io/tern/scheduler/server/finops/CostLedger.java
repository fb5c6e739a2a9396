package io.tern.scheduler.server.finops;

import com.google.protobuf.Timestamp;
import io.tern.api.v1.CostLine;
import io.tern.api.v1.CostReport;
import io.tern.scheduler.core.model.CapacityType;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The cost and waste ledger, per job and team, built from attempt intervals. An attempt holds
 * {@code gpus} of a node's {@code nodeGpus} from its start to its end and pays that share of the
 * node's price; a report over {@code [since, until)} clips every interval to the range (an attempt
 * still running counts up to {@code until}). Hence, for any range: the job lines add up to the team
 * lines, which add up to the total, which is what the nodes cost for the GPUs they had allocated.
 *
 * <p>Waste: GPU time lost to an interruption (since the attempt's last committed checkpoint, or its
 * start) is booked at the interruption, and booked back further when a later attempt could not
 * restore that checkpoint ({@link #workLostSince}); idle GPU time is a stretch of utilization
 * samples at or under {@link IdleRule#maxUtilizationPercent} lasting at least {@link
 * IdleRule#minStretch}. The on-demand premium is what an on-demand slice cost beyond the spot price
 * of the same pool, when that is known; the spot saving is what a spot slice would have cost on
 * on-demand beyond what it cost, when that is known.
 *
 * <p>Changeovers: an attempt that resumes an interrupted one on the other capacity type (spot to
 * on-demand, or on-demand back to spot, a "return to spot") is a changeover, booked at its start.
 * Its cost is what the interrupted attempt paid after its last committed checkpoint (the time it
 * took to stop, and any work that has to be done again); the restore on the new capacity is the
 * job's own and not seen here.
 *
 * <p>Pure: no clock (every call takes its time), no I/O. Not thread-safe: the scheduler loop owns
 * it. Records arrive in time order per attempt; a record for an unknown attempt is ignored.
 */
public final class CostLedger {
  private static final double SECONDS_PER_HOUR = 3600.0;

  /**
   * What counts as idle.
   *
   * @param maxUtilizationPercent a GPU at or under this utilization is idle (e.g. 1.0)
   * @param minStretch shorter idle stretches (data loading, a checkpoint) are not waste
   */
  public record IdleRule(double maxUtilizationPercent, Duration minStretch) {
    public static IdleRule defaults() {
      return new IdleRule(1.0, Duration.ofMinutes(10));
    }
  }

  /**
   * What one attempt holds on one node.
   *
   * @param nodeId the node
   * @param poolId its pool
   * @param capacityType spot or on-demand
   * @param gpus GPUs the attempt holds there
   * @param nodeGpus GPUs the node has (0: the attempt pays the whole node)
   * @param nodePricePerHourUsd what the node costs per hour
   * @param comparablePricePerHourUsd what a node like this one costs per hour on the other capacity
   *     type: for an on-demand node its spot price (the on-demand premium), for a spot node its
   *     on-demand price (the spot saving); NaN when unknown
   */
  public record Slice(
      String nodeId,
      String poolId,
      CapacityType capacityType,
      int gpus,
      int nodeGpus,
      double nodePricePerHourUsd,
      double comparablePricePerHourUsd) {

    public Slice {
      Objects.requireNonNull(nodeId, "nodeId");
      Objects.requireNonNull(capacityType, "capacityType");
      if (gpus < 0 || nodeGpus < 0 || (nodeGpus > 0 && gpus > nodeGpus)) {
        throw new IllegalArgumentException("slice on " + nodeId + ": bad GPU counts");
      }
      if (!(nodePricePerHourUsd >= 0)) {
        throw new IllegalArgumentException("slice on " + nodeId + ": bad price");
      }
    }

    /** The attempt's share of the node's price per hour. */
    public double usdPerHour() {
      return nodeGpus == 0 ? nodePricePerHourUsd : nodePricePerHourUsd * gpus / nodeGpus;
    }

    double premiumPerHour() {
      return capacityType == CapacityType.ON_DEMAND
          ? share(nodePricePerHourUsd - comparablePricePerHourUsd)
          : 0;
    }

    double spotSavingPerHour() {
      return capacityType == CapacityType.SPOT
          ? share(comparablePricePerHourUsd - nodePricePerHourUsd)
          : 0;
    }

    /** The attempt's share of a per-node difference in price; 0 when it is unknown or negative. */
    private double share(double perNode) {
      if (Double.isNaN(perNode) || perNode <= 0) {
        return 0;
      }
      return nodeGpus == 0 ? perNode : perNode * gpus / nodeGpus;
    }
  }

  private record Interval(Instant from, Instant to) {}

  private static final class AttemptRecord {
    final String jobId;
    final String team;
    final List<Slice> slices;
    final Instant start;
    Instant end;
    Instant lastCheckpoint;
    boolean interrupted;

    /** Work before this is safe; null until the attempt is interrupted. */
    Instant safe;

    double lostGpuHours;

    /** This attempt resumed an interrupted one on the other capacity type. */
    boolean changeover;

    /** What that changeover cost (see the class comment). */
    double changeoverUsd;

    final List<Interval> idle = new ArrayList<>();
    final Map<String, Instant> idleSince = new HashMap<>();
    final Map<String, Instant> lastSample = new HashMap<>();

    AttemptRecord(String jobId, String team, List<Slice> slices, Instant start) {
      this.jobId = jobId;
      this.team = team;
      this.slices = List.copyOf(slices);
      this.start = start;
    }

    int gpus() {
      return slices.stream().mapToInt(Slice::gpus).sum();
    }

    double usdPerHour() {
      return slices.stream().mapToDouble(Slice::usdPerHour).sum();
    }

    CapacityType capacityType() {
      return slices.isEmpty() ? null : slices.getFirst().capacityType();
    }

    /**
     * Since when its work was not yet kept by a checkpoint (moved back by {@link #workLostSince}
     * when a later attempt could not restore it).
     */
    Instant safeUntil() {
      if (safe != null) {
        return safe;
      }
      return lastCheckpoint != null && lastCheckpoint.isAfter(start) ? lastCheckpoint : start;
    }
  }

  private final IdleRule idleRule;

  /** Sorted, so sums are added in the same order every time. */
  private final TreeMap<String, AttemptRecord> attempts = new TreeMap<>();

  public CostLedger(IdleRule idleRule) {
    this.idleRule = idleRule;
  }

  /** An attempt started holding {@code slices} at {@code at}. Replaces a record of the same key. */
  public void attemptStarted(
      String jobId, String team, int attempt, List<Slice> slices, Instant at) {
    AttemptRecord r = new AttemptRecord(jobId, team, slices, at);
    AttemptRecord before = attempts.get(key(jobId, attempt - 1));
    if (before != null
        && before.interrupted
        && before.capacityType() != null
        && before.capacityType() != r.capacityType()) {
      r.changeover = true;
      r.changeoverUsd = before.usdPerHour() * hours(before.safeUntil(), before.end);
    }
    attempts.put(key(jobId, attempt), r);
  }

  /** The attempt committed a checkpoint at {@code at}: work before it is safe. */
  public void checkpointCommitted(String jobId, int attempt, Instant at) {
    AttemptRecord r = attempts.get(key(jobId, attempt));
    if (r != null && r.end == null) {
      r.lastCheckpoint = at;
    }
  }

  /**
   * The attempt released its GPUs at {@code at}.
   *
   * @param interrupted preempted, reclaimed or lost: the work since its last checkpoint is lost (a
   *     job that finished, failed or was cancelled loses nothing the ledger can blame on us)
   */
  public void attemptEnded(String jobId, int attempt, Instant at, boolean interrupted) {
    AttemptRecord r = attempts.get(key(jobId, attempt));
    if (r == null || r.end != null) {
      return;
    }
    r.end = at.isBefore(r.start) ? r.start : at;
    for (String gpu : new ArrayList<>(r.idleSince.keySet())) {
      closeIdle(r, gpu, r.end);
    }
    if (interrupted) {
      r.interrupted = true;
      r.safe = r.safeUntil();
      r.lostGpuHours = r.gpus() * hours(r.safe, r.end);
    }
  }

  /**
   * An attempt booked as interrupted (its node was given up as lost) turned out to have finished
   * the job (its exit 0 arrived late): none of its work was lost.
   */
  public void finishedAfterAll(String jobId, int attempt) {
    AttemptRecord r = attempts.get(key(jobId, attempt));
    if (r != null && r.interrupted) {
      r.interrupted = false;
      r.lostGpuHours = 0;
    }
  }

  /**
   * A later attempt could not resume from the work this interrupted attempt saved after {@code
   * safeUntil} (its checkpoints failed verification): that work is lost too. {@code safeUntil}
   * null: none of the attempt's work survived. Only moves the safe point back, so repeating it
   * changes nothing.
   */
  public void workLostSince(String jobId, int attempt, Instant safeUntil) {
    AttemptRecord r = attempts.get(key(jobId, attempt));
    if (r == null || !r.interrupted) {
      return;
    }
    Instant safe = safeUntil == null || safeUntil.isBefore(r.start) ? r.start : safeUntil;
    if (safe.isBefore(r.safe)) {
      r.safe = safe;
      r.lostGpuHours = r.gpus() * hours(r.safe, r.end);
    }
  }

  /**
   * An interrupted attempt's work was kept until {@code at} after all: a later attempt restored a
   * checkpoint it committed that the scheduler had not heard of when the attempt ended (its report
   * was lost with a ZooKeeper outage, say). Only moves the safe point forward, up to the end.
   */
  public void workKeptUntil(String jobId, int attempt, Instant at) {
    AttemptRecord r = attempts.get(key(jobId, attempt));
    if (r == null || !r.interrupted || !at.isAfter(r.safeUntil())) {
      return;
    }
    r.safe = at.isAfter(r.end) ? r.end : at;
    r.lostGpuHours = r.gpus() * hours(r.safe, r.end);
  }

  /** A utilization sample of one GPU an attempt holds. */
  public void gpuUtilization(
      String jobId, int attempt, String nodeId, int gpuIndex, double percent, Instant at) {
    AttemptRecord r = attempts.get(key(jobId, attempt));
    if (r == null || r.end != null || at.isBefore(r.start)) {
      return;
    }
    String gpu = nodeId + "/" + gpuIndex;
    r.lastSample.put(gpu, at);
    if (percent <= idleRule.maxUtilizationPercent()) {
      r.idleSince.putIfAbsent(gpu, at);
    } else {
      closeIdle(r, gpu, at);
    }
  }

  /** What a team spent (spot plus on-demand) over {@code [since, until)}. */
  public double spentUsd(String team, Instant since, Instant until) {
    double sum = 0;
    for (AttemptRecord r : attempts.values()) {
      if (r.team.equals(team)) {
        double h = hours(clipFrom(r, since), clipTo(r, until));
        for (Slice s : r.slices) {
          sum += s.usdPerHour() * h;
        }
      }
    }
    return sum;
  }

  /**
   * What job {@code jobId} has cost so far: every attempt the ledger holds, a running one up to
   * {@code now}, at the prices it was placed at. The same sums as the job's line in {@link #report}
   * over all time.
   */
  public double jobCostUsd(String jobId, Instant now) {
    double sum = 0;
    // Keys are "job#attempt": the job's records sort together, between "job#" and "job$".
    for (AttemptRecord r : attempts.subMap(jobId + "#", jobId + "$").values()) {
      double h = hours(r.start, r.end == null ? now : r.end);
      for (Slice s : r.slices) {
        sum += s.usdPerHour() * h;
      }
    }
    return sum;
  }

  /**
   * What the job's ended attempts cost: the money already spent that the core's deadline and spot
   * rules weigh (a running attempt's cost is added by the core itself), as the simulator books it.
   */
  public double endedAttemptsCostUsd(String jobId) {
    double sum = 0;
    for (AttemptRecord r : attempts.subMap(jobId + "#", jobId + "$").values()) {
      if (r.end != null) {
        double h = hours(r.start, r.end);
        for (Slice s : r.slices) {
          sum += s.usdPerHour() * h;
        }
      }
    }
    return sum;
  }

  /** A team's spend in the UTC day and month containing {@code now}, for {@link BudgetGuard}. */
  public TeamSpend spend(String team, Instant now) {
    return new TeamSpend(
        spentUsd(team, BudgetGuard.dayStart(now), now),
        spentUsd(team, BudgetGuard.monthStart(now), now));
  }

  /**
   * The report over {@code [since, until)}: teams sorted by name, jobs most expensive first (then
   * by id), the total.
   *
   * @param team only this team; null or empty for all
   */
  public CostReport report(Instant since, Instant until, String team) {
    Map<String, CostLine.Builder> jobs = new TreeMap<>();
    Map<String, String> teamOfJob = new HashMap<>();
    for (AttemptRecord r : attempts.values()) {
      if (team != null && !team.isEmpty() && !r.team.equals(team)) {
        continue;
      }
      CostLine.Builder line = jobs.computeIfAbsent(r.jobId, k -> CostLine.newBuilder().setKey(k));
      teamOfJob.put(r.jobId, r.team);
      add(line, r, since, until);
    }
    Map<String, CostLine.Builder> teams = new TreeMap<>();
    CostLine.Builder total = CostLine.newBuilder().setKey("total");
    List<CostLine> jobLines = new ArrayList<>();
    for (var e : jobs.entrySet()) {
      CostLine line = e.getValue().build();
      if (isEmpty(line)) {
        continue;
      }
      jobLines.add(line);
      String t = teamOfJob.get(e.getKey());
      sum(teams.computeIfAbsent(t, k -> CostLine.newBuilder().setKey(k)), line);
    }
    CostReport.Builder report =
        CostReport.newBuilder().setSince(timestamp(since)).setUntil(timestamp(until));
    for (CostLine.Builder t : teams.values()) {
      CostLine line = t.build();
      report.addTeams(line);
      sum(total, line);
    }
    jobLines.sort(
        Comparator.comparingDouble((CostLine l) -> -(l.getSpotUsd() + l.getOnDemandUsd()))
            .thenComparing(CostLine::getKey));
    return report.addAllJobs(jobLines).setTotal(total).build();
  }

  /** Forgets attempts that ended before {@code before} (they no longer show in any report). */
  public void forgetEndedBefore(Instant before) {
    attempts.values().removeIf(r -> r.end != null && r.end.isBefore(before));
  }

  // ---- arithmetic -----------------------------------------------------------------------------

  private void add(CostLine.Builder line, AttemptRecord r, Instant since, Instant until) {
    Instant from = clipFrom(r, since);
    Instant to = clipTo(r, until);
    double h = hours(from, to);
    for (Slice s : r.slices) {
      double usd = s.usdPerHour() * h;
      line.setGpuHours(line.getGpuHours() + s.gpus() * h);
      if (s.capacityType() == CapacityType.SPOT) {
        line.setSpotUsd(line.getSpotUsd() + usd);
      } else {
        line.setOnDemandUsd(line.getOnDemandUsd() + usd);
      }
      line.setOnDemandPremiumUsd(line.getOnDemandPremiumUsd() + s.premiumPerHour() * h);
      line.setSpotSavingUsd(line.getSpotSavingUsd() + s.spotSavingPerHour() * h);
    }
    if (r.changeover && !r.start.isBefore(since) && r.start.isBefore(until)) {
      line.setChangeovers(line.getChangeovers() + 1)
          .setChangeoverUsd(line.getChangeoverUsd() + r.changeoverUsd);
      if (r.capacityType() == CapacityType.SPOT) {
        line.setReturnsToSpot(line.getReturnsToSpot() + 1);
      }
    }
    if (r.end != null && !r.end.isBefore(since) && r.end.isBefore(until)) {
      line.setLostGpuHours(line.getLostGpuHours() + r.lostGpuHours);
    }
    double idle = 0;
    for (Interval i : r.idle) {
      idle += hours(max(i.from(), since), min(i.to(), until));
    }
    if (r.end == null) {
      for (var e : r.idleSince.entrySet()) {
        Instant last = r.lastSample.get(e.getKey());
        if (Duration.between(e.getValue(), last).compareTo(idleRule.minStretch()) >= 0) {
          idle += hours(max(e.getValue(), since), min(last, until));
        }
      }
    }
    line.setIdleGpuHours(line.getIdleGpuHours() + idle);
  }

  private void closeIdle(AttemptRecord r, String gpu, Instant at) {
    Instant since = r.idleSince.remove(gpu);
    if (since != null && Duration.between(since, at).compareTo(idleRule.minStretch()) >= 0) {
      r.idle.add(new Interval(since, at));
    }
  }

  private static void sum(CostLine.Builder into, CostLine l) {
    into.setGpuHours(into.getGpuHours() + l.getGpuHours())
        .setSpotUsd(into.getSpotUsd() + l.getSpotUsd())
        .setOnDemandUsd(into.getOnDemandUsd() + l.getOnDemandUsd())
        .setLostGpuHours(into.getLostGpuHours() + l.getLostGpuHours())
        .setIdleGpuHours(into.getIdleGpuHours() + l.getIdleGpuHours())
        .setOnDemandPremiumUsd(into.getOnDemandPremiumUsd() + l.getOnDemandPremiumUsd())
        .setChangeovers(into.getChangeovers() + l.getChangeovers())
        .setChangeoverUsd(into.getChangeoverUsd() + l.getChangeoverUsd())
        .setReturnsToSpot(into.getReturnsToSpot() + l.getReturnsToSpot())
        .setSpotSavingUsd(into.getSpotSavingUsd() + l.getSpotSavingUsd());
  }

  private static boolean isEmpty(CostLine l) {
    return l.getGpuHours() == 0
        && l.getSpotUsd() == 0
        && l.getOnDemandUsd() == 0
        && l.getLostGpuHours() == 0
        && l.getIdleGpuHours() == 0
        && l.getChangeovers() == 0;
  }

  private static Instant clipFrom(AttemptRecord r, Instant since) {
    return max(r.start, since);
  }

  private static Instant clipTo(AttemptRecord r, Instant until) {
    return r.end == null ? until : min(r.end, until);
  }

  private static double hours(Instant from, Instant to) {
    return to.isAfter(from) ? Duration.between(from, to).toNanos() / 1e9 / SECONDS_PER_HOUR : 0;
  }

  private static Instant max(Instant a, Instant b) {
    return a.isAfter(b) ? a : b;
  }

  private static Instant min(Instant a, Instant b) {
    return a.isBefore(b) ? a : b;
  }

  private static Timestamp timestamp(Instant t) {
    return Timestamp.newBuilder().setSeconds(t.getEpochSecond()).setNanos(t.getNano()).build();
  }

  private static String key(String jobId, int attempt) {
    return jobId + "#" + attempt;
  }
}
