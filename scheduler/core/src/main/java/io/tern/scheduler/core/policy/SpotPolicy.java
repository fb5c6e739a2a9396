package io.tern.scheduler.core.policy;

import io.tern.scheduler.core.explain.PendingReason;
import io.tern.scheduler.core.explain.ReasonKind;
import io.tern.scheduler.core.model.CapacityPreference;
import io.tern.scheduler.core.model.Job;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * Decides, per job and plan, between holding it and which capacity it may use:
 *
 * <ol>
 *   <li>hard budget exceeded: hold (no new starts);
 *   <li>deadline slack gone (see {@link DeadlineRule}): on-demand now, unless the job is spot-only;
 *   <li>deferrable (or any job of a team past its soft budget) while no window is open: hold until
 *       the next window, if waiting still leaves deadline slack;
 *   <li>past the soft budget spot-ok becomes spot-only, and a job that asks for on-demand is held;
 *   <li>a spot-ok job with a deadline and known work waits for spot (spot only) while it is ahead
 *       of uniform progress, until {@link DeadlineRule#onDemandAt}; behind the line it takes spot
 *       first, else on-demand, except that a job whose cost bound would keep it on on-demand for
 *       good once there (see {@link #spotAffordable}) goes on waiting until {@link
 *       DeadlineRule#lastSafeWait}. A job checkpointed to move back to spot waits for spot until
 *       its {@code spotPreferredUntil}, if its deadline allows;
 *   <li>a spot-ok job without a deadline waits for spot for its spot wait (its own, else its
 *       team's; zero by default) from the time it was queued;
 *   <li>otherwise spot first inside an off-peak window, either type (cheapest wins) outside one.
 * </ol>
 *
 * Immutable and thread-safe.
 */
public final class SpotPolicy {
  private static final DateTimeFormatter CLOCK =
      DateTimeFormatter.ofPattern("HH:mm", Locale.ROOT).withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter DAY_CLOCK =
      DateTimeFormatter.ofPattern("MMM d HH:mm", Locale.ROOT).withZone(ZoneOffset.UTC);

  /**
   * How long a job checkpointed to move back to spot ({@code RETURN_TO_SPOT}) waits for spot
   * capacity, free or launched for it, before it takes on-demand again: whoever requeues such a job
   * sets its {@code spotPreferredUntil} to the requeue time plus this.
   */
  public static final Duration RETURN_TO_SPOT_WAIT = Duration.ofMinutes(10);

  private final DeadlineRule deadlines;
  private final double onDemandPerGpuHour;
  private final double spotPerGpuHour;

  /** A policy that knows no prices: it never stops a deadline job from trying spot. */
  public SpotPolicy(DeadlineRule deadlines) {
    this(deadlines, Double.NaN, Double.NaN);
  }

  /**
   * @param onDemandPerGpuHour the cheapest on-demand price per GPU-hour in the cluster (NaN if
   *     unknown), what a deadline job's cost is measured against
   * @param spotPerGpuHour the cheapest spot price per GPU-hour (NaN if unknown)
   */
  public SpotPolicy(DeadlineRule deadlines, double onDemandPerGpuHour, double spotPerGpuHour) {
    this.deadlines = deadlines;
    this.onDemandPerGpuHour = onDemandPerGpuHour;
    this.spotPerGpuHour = spotPerGpuHour;
  }

  /**
   * The cost bound of a deadline job with known work: measured against running the whole job on
   * on-demand (work plus one changeover), its excess (spent, less what its work done plus one
   * changeover would have cost on on-demand) may take one more changeover on spot only while even
   * the worst case of that start (reclaimed at once, then a changeover back to on-demand) keeps it
   * within two changeovers of on-demand: {@code excess + d × spot <= d × onDemand}. Spot work
   * lowers the excess, so a job that gains on spot keeps trying; one whose spot starts keep failing
   * stops and finishes on on-demand. True when the prices or the work are unknown.
   */
  public static boolean spotAffordable(
      Job job, Duration overhead, double onDemandPerHour, double spotPerHour, Duration workLeft) {
    Duration total = job.expectedDuration();
    if (total == null
        || workLeft == null
        || Double.isNaN(onDemandPerHour)
        || Double.isNaN(spotPerHour)) {
      return true;
    }
    double doneHours = total.minus(workLeft).toMillis() / 3_600_000.0;
    double d = overhead.toMillis() / 3_600_000.0;
    double excess = job.spentUsd() - (doneHours + d) * onDemandPerHour;
    return excess + d * spotPerHour <= d * onDemandPerHour + 1e-9;
  }

  public CapacityDecision decide(Job job, TeamPolicy team, OffPeakStatus offPeak, Instant now) {
    return decide(job, team, offPeak, now, true);
  }

  /**
   * @param perJobWaits false to decide as if the job had no spot wait of its own running (the
   *     planning loop's shared decision for deadline-less jobs whose wait is over or never was)
   */
  public CapacityDecision decide(
      Job job, TeamPolicy team, OffPeakStatus offPeak, Instant now, boolean perJobWaits) {
    Budget.Status budget = team.budget().status();
    if (budget == Budget.Status.HARD_EXCEEDED) {
      return budgetHold(
          ReasonKind.BUDGET_HARD, team, team.budget().hardLimitUsd(), " hard limit", now);
    }
    CapacityPreference pref = job.capacity();
    if (pref != CapacityPreference.SPOT_ONLY && deadlines.requiresOnDemand(job, now)) {
      return CapacityDecision.DEADLINE_ON_DEMAND;
    }
    boolean soft = budget == Budget.Status.SOFT_EXCEEDED;
    boolean wantsWindow = job.deferrable() || (soft && job.deadline() == null);
    if (wantsWindow
        && !offPeak.open()
        && offPeak.nextOpensAt() != null
        && deadlines.canWaitUntil(job, offPeak.nextOpensAt())) {
      String why = soft && !job.deferrable() ? " (team past its soft budget)" : "";
      return CapacityDecision.held(
          PendingReason.of(
              ReasonKind.HELD_OFF_PEAK,
              "held for off-peak: next window opens at " + offPeak.nextOpensAt() + why),
          offPeak.nextOpensAt());
    }
    if (soft && pref == CapacityPreference.ON_DEMAND) {
      // Spot only past the soft budget: a job that asks for on-demand waits for the budget (a
      // new month, a raised limit) unless its deadline needs it now (above).
      return budgetHold(
          ReasonKind.BUDGET_SOFT,
          team,
          team.budget().softLimitUsd(),
          " soft limit: spot only, and this job asks for on-demand",
          now);
    }
    if (soft && pref == CapacityPreference.SPOT_OK) {
      pref = CapacityPreference.SPOT_ONLY;
    }
    return switch (pref) {
      case SPOT_ONLY -> CapacityDecision.SPOT_ONLY;
      case ON_DEMAND -> CapacityDecision.ON_DEMAND_ONLY;
      case SPOT_OK -> spotOk(job, team, offPeak, now, perJobWaits);
    };
  }

  private CapacityDecision spotOk(
      Job job, TeamPolicy team, OffPeakStatus offPeak, Instant now, boolean perJobWaits) {
    if (perJobWaits) {
      Instant preferred = job.spotPreferredUntil();
      if (preferred != null && now.isBefore(preferred) && deadlines.canWaitUntil(job, preferred)) {
        return CapacityDecision.waitForSpot(
            PendingReason.of(
                ReasonKind.WAITING_FOR_SPOT,
                "returning to spot: waits for spot capacity until "
                    + at(preferred, now)
                    + ", then takes any"),
            preferred);
      }
    }
    if (job.deadline() != null) {
      long gpus = Math.max(1, job.resources().totalGpus());
      if (!spotAffordable(
          job,
          deadlines.restartOverhead(),
          onDemandPerGpuHour * gpus,
          spotPerGpuHour * gpus,
          job.workLeft())) {
        return CapacityDecision.ON_DEMAND_ONLY; // spot has cost it its allowance: finish on-demand
      }
      Instant onDemandAt = deadlines.onDemandAt(job);
      // On the line counts as ahead (the paper's rule: on-demand once strictly behind).
      if (onDemandAt != null && !now.isAfter(onDemandAt)) {
        return waiting(job, onDemandAt, now);
      }
      if (onDemandAt != null) {
        Instant lastSafe = deadlines.lastSafeWait(job);
        if (!now.isAfter(lastSafe) && onDemandForGood(job, gpus)) {
          // Behind the line, but on-demand now could not afford a move back to spot: wait for
          // spot while the deadline allows, then on-demand.
          return waiting(job, lastSafe, now);
        }
        return CapacityDecision.SPOT_FIRST; // behind the line: spot if there is any, else on-demand
      }
    } else if (perJobWaits) {
      Duration wait = job.spotWait() != null ? job.spotWait() : team.spotWait();
      if (!wait.isZero()) {
        Instant until = job.queuedSince().plus(wait);
        if (now.isBefore(until)) {
          return CapacityDecision.waitForSpot(
              PendingReason.of(
                  ReasonKind.WAITING_FOR_SPOT,
                  "waiting for spot until "
                      + at(until, now)
                      + " (spot wait "
                      + human(wait)
                      + "), then any capacity"),
              until);
        }
      }
    }
    return offPeak.open() ? CapacityDecision.SPOT_FIRST : CapacityDecision.EITHER;
  }

  /**
   * True when a waiting deadline job that took on-demand now could not afford to leave it again:
   * after the changeover onto on-demand, {@link #spotAffordable} would refuse it spot, so it would
   * finish there.
   */
  private boolean onDemandForGood(Job job, long gpus) {
    if (Double.isNaN(onDemandPerGpuHour) || Double.isNaN(spotPerGpuHour)) {
      return false;
    }
    double changeover = deadlines.restartOverhead().toMillis() / 3_600_000.0;
    Job onDemand =
        job.toBuilder().spentUsd(job.spentUsd() + changeover * onDemandPerGpuHour * gpus).build();
    return !spotAffordable(
        onDemand,
        deadlines.restartOverhead(),
        onDemandPerGpuHour * gpus,
        spotPerGpuHour * gpus,
        job.workLeft());
  }

  private CapacityDecision waiting(Job job, Instant until, Instant now) {
    Duration slack = deadlines.slack(job, now);
    return CapacityDecision.waitForSpot(
        PendingReason.of(
            ReasonKind.WAITING_FOR_SPOT,
            String.format(
                Locale.ROOT,
                "waiting for spot: %.1f h of slack; on-demand at %s if spot has not returned",
                slack.toMillis() / 3_600_000.0,
                at(until, now))),
        until);
  }

  /**
   * A time for people: {@code 14:20 UTC} within a day of now, else with the date. Rounded up to the
   * minute, so that what happens "at" or "until" it has happened by the minute shown.
   */
  /**
   * Holds a job for its team's budget: what was spent against {@code limitUsd}, and until when (the
   * budget's period starts again) where that is known.
   */
  private static CapacityDecision budgetHold(
      ReasonKind kind, TeamPolicy team, double limitUsd, String limit, Instant now) {
    Instant resetsAt = team.budget().resetsAt();
    return CapacityDecision.held(
        PendingReason.of(
            kind,
            "budget: team "
                + team.team()
                + " spent "
                + Budget.usd(team.budget().spentUsd())
                + " of its "
                + Budget.usd(limitUsd)
                + limit
                + (resetsAt == null
                    ? ""
                    : "; until "
                        + at(resetsAt, now)
                        + ", when its period starts again, or a higher limit")),
        resetsAt);
  }

  static String at(Instant t, Instant now) {
    boolean soon = Duration.between(now, t).abs().compareTo(Duration.ofHours(20)) < 0;
    Instant minute = t.truncatedTo(java.time.temporal.ChronoUnit.MINUTES);
    Instant shown = minute.equals(t) ? t : minute.plus(Duration.ofMinutes(1));
    return (soon ? CLOCK : DAY_CLOCK).format(shown) + " UTC";
  }

  static String human(Duration d) {
    long minutes = d.toMinutes();
    if (minutes % 60 == 0) {
      return minutes / 60 + "h";
    }
    return minutes >= 60 ? minutes / 60 + "h" + minutes % 60 + "m" : minutes + "m";
  }
}
