package io.tern.scheduler.core.policy;

import static io.tern.scheduler.core.Fixtures.NOW;
import static io.tern.scheduler.core.Fixtures.job;
import static org.assertj.core.api.Assertions.assertThat;

import io.tern.scheduler.core.explain.ReasonKind;
import io.tern.scheduler.core.model.CapacityPreference;
import io.tern.scheduler.core.placement.CapacityTiers;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class SpotPolicyTest {
  private final SpotPolicy policy =
      new SpotPolicy(new DeadlineRule(Duration.ofMinutes(10), Duration.ofMinutes(30)));
  private final TeamPolicy team = TeamPolicy.defaultFor("team-a");
  private final Instant nextWindow = NOW.plus(Duration.ofHours(6));
  private final OffPeakStatus closed = OffPeakStatus.closedUntil(nextWindow);
  private final OffPeakStatus open = OffPeakStatus.openUntil(NOW.plus(Duration.ofHours(2)));

  @Test
  void spotOkPrefersSpotInsideAWindowAndHasNoPreferenceOutside() {
    var j = job("j", 1).build();
    assertThat(policy.decide(j, team, open, NOW).tiers()).isEqualTo(CapacityTiers.SPOT_FIRST);
    assertThat(policy.decide(j, team, closed, NOW).tiers()).isEqualTo(CapacityTiers.EITHER);
  }

  @Test
  void explicitPreferencesAreKept() {
    assertThat(
            policy
                .decide(job("j", 1).capacity(CapacityPreference.SPOT_ONLY).build(), team, open, NOW)
                .tiers())
        .isEqualTo(CapacityTiers.SPOT_ONLY);
    assertThat(
            policy
                .decide(job("j", 1).capacity(CapacityPreference.ON_DEMAND).build(), team, open, NOW)
                .tiers())
        .isEqualTo(CapacityTiers.ON_DEMAND_ONLY);
  }

  @Test
  void deferrableJobsWaitForTheNextWindow() {
    var d = policy.decide(job("j", 1).deferrable(true).build(), team, closed, NOW);
    assertThat(d.isHeld()).isTrue();
    assertThat(d.hold().kind()).isEqualTo(ReasonKind.HELD_OFF_PEAK);
    assertThat(d.holdUntil()).isEqualTo(nextWindow);
    assertThat(d.hold().detail())
        .isEqualTo("held for off-peak: next window opens at " + nextWindow);
    assertThat(policy.decide(job("j", 1).deferrable(true).build(), team, open, NOW).isHeld())
        .isFalse();
  }

  @Test
  void aDeferrableJobWhoseDeadlineCannotWaitRunsNow() {
    var j =
        job("j", 1)
            .deferrable(true)
            .deadline(NOW.plus(Duration.ofHours(8)))
            .expectedDuration(Duration.ofHours(3))
            .build();
    var d = policy.decide(j, team, closed, NOW);
    assertThat(d.isHeld()).isFalse();
    assertThat(d.deadlineForced()).isFalse();
  }

  @Test
  void whenSlackRunsOutTheJobMustRunOnDemand() {
    var j =
        job("j", 1)
            .deadline(NOW.plus(Duration.ofHours(2)))
            .remainingDuration(Duration.ofMinutes(71))
            .build();
    // 120 min - 71 min of work - 10 min restart leaves 39 min of slack: a start on spot needs the
    // 30-minute margin plus room for one more restart (a reclaim, then on-demand).
    var d = policy.decide(j, team, open, NOW);
    assertThat(d.deadlineForced()).isTrue();
    assertThat(d.tiers()).isEqualTo(CapacityTiers.ON_DEMAND_ONLY);
    var relaxed = j.toBuilder().remainingDuration(Duration.ofMinutes(70)).build();
    assertThat(policy.decide(relaxed, team, open, NOW).deadlineForced()).isFalse();
  }

  @Test
  void spotOnlyJobsStayOnSpotEvenPastTheirSlack() {
    var j =
        job("j", 1)
            .capacity(CapacityPreference.SPOT_ONLY)
            .deadline(NOW.plus(Duration.ofMinutes(30)))
            .expectedDuration(Duration.ofHours(1))
            .build();
    assertThat(policy.decide(j, team, open, NOW).tiers()).isEqualTo(CapacityTiers.SPOT_ONLY);
  }

  @Test
  void pastTheSoftBudgetSpotOkBecomesSpotOnlyAndWorkWaitsForTheWindow() {
    var soft = team.withBudget(new Budget(150, 100, 200));
    assertThat(policy.decide(job("j", 1).build(), soft, open, NOW).tiers())
        .isEqualTo(CapacityTiers.SPOT_ONLY);
    var d = policy.decide(job("j", 1).build(), soft, closed, NOW);
    assertThat(d.isHeld()).isTrue();
    assertThat(d.hold().detail()).endsWith("(team past its soft budget)");

    var onDemand = job("j", 1).capacity(CapacityPreference.ON_DEMAND).build();
    var held = policy.decide(onDemand, soft, open, NOW);
    assertThat(held.isHeld()).isTrue();
    assertThat(held.hold().kind()).isEqualTo(ReasonKind.BUDGET_SOFT);
    assertThat(held.hold().detail())
        .isEqualTo(
            "budget: team "
                + soft.team()
                + " spent $150.00 of its $100.00 soft limit: spot only, and this job asks for"
                + " on-demand");
    var dueSoon =
        job("j", 1)
            .capacity(CapacityPreference.ON_DEMAND)
            .deadline(NOW.plus(Duration.ofMinutes(30)))
            .expectedDuration(Duration.ofMinutes(29))
            .build();
    assertThat(policy.decide(dueSoon, soft, open, NOW).tiers())
        .as("its deadline first")
        .isEqualTo(CapacityTiers.ON_DEMAND_ONLY);
  }

  @Test
  void pastTheHardBudgetNothingStartsUntilItsPeriodStartsAgain() {
    Instant reset = NOW.plus(Duration.ofDays(3)).truncatedTo(java.time.temporal.ChronoUnit.DAYS);
    var hard = team.withBudget(new Budget(250, 100, 200, reset));
    var d = policy.decide(job("j", 1).build(), hard, open, NOW);
    assertThat(d.isHeld()).isTrue();
    assertThat(d.holdUntil()).isEqualTo(reset);
    assertThat(d.hold().detail())
        .endsWith(
            " hard limit; until "
                + SpotPolicy.at(reset, NOW)
                + ", when its period starts again, or a higher limit");
    assertThat(d.hold().kind()).isEqualTo(ReasonKind.BUDGET_HARD);
    assertThat(d.hold().detail())
        .startsWith("budget: team team-a spent $250.00 of its $200.00 hard limit; until ");
    var tiny = team.withBudget(new Budget(0.007, 0.003, 0.006));
    assertThat(policy.decide(job("j", 1).build(), tiny, open, NOW).hold().detail())
        .as("a budget under a dollar does not read $0.01 of $0.01")
        .isEqualTo("budget: team team-a spent $0.0070 of its $0.0060 hard limit");
  }

  @Test
  void timesShownRoundUpToTheMinuteSoWhatHappensUntilThemHasHappenedByThen() {
    Instant now = Instant.parse("2026-12-06T17:38:33Z");

    assertThat(SpotPolicy.at(Instant.parse("2026-12-06T17:40:33.800Z"), now))
        .isEqualTo("17:41 UTC");
    assertThat(SpotPolicy.at(Instant.parse("2026-12-06T17:40:00Z"), now)).isEqualTo("17:40 UTC");
    assertThat(SpotPolicy.at(Instant.parse("2026-12-08T09:00:01Z"), now))
        .isEqualTo("Dec 8 09:01 UTC");
  }
}
