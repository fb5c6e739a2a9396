package io.tern.scheduler.server.finops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.tern.api.v1.Budget;
import io.tern.scheduler.core.model.CapacityType;
import io.tern.scheduler.core.plan.CapacityRequest;
import io.tern.scheduler.core.policy.OffPeakStatus;
import io.tern.scheduler.core.policy.PolicySnapshot;
import io.tern.scheduler.core.policy.PoolOffer;
import io.tern.scheduler.server.cloud.FleetScaler;
import io.tern.scheduler.server.cloud.LaunchRequest;
import io.tern.scheduler.server.cloud.ScalingContext;
import io.tern.scheduler.server.cloud.ScalingSettings;
import io.tern.scheduler.spec.finops.BudgetValidation;
import io.tern.scheduler.spec.finops.InvalidBudgetException;
import io.tern.testing.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A team runs into its soft, then its hard limit; past hard nothing new is launched. */
class BudgetScenarioTest {
  private static final long GIB = 1024;

  private static PoolOffer pool(String id, CapacityType type, double price) {
    return new PoolOffer(
        id, type, "p4d.24xlarge", "us-east-1a", 8, "A100", 40 * GIB, 96, 1152 * GIB, price, 50);
  }

  @Test
  void softThenHardThenNothing() {
    TestClock clock = TestClock.at("2026-05-04T00:00:00Z");
    Budget budget =
        BudgetValidation.validate(
            Budget.newBuilder().setTeam("vision").setDailyUsd(100).setSoftAt(0.5).build());
    List<PoolOffer> pools =
        List.of(pool("spot", CapacityType.SPOT, 10), pool("od", CapacityType.ON_DEMAND, 30));
    FleetScaler scaler = new FleetScaler(pools, ScalingSettings.defaults(), clock);
    CostLedger ledger = new CostLedger(CostLedger.IdleRule.defaults());
    // One on-demand node, $30/h, all 8 GPUs to a vision job since midnight.
    ledger.attemptStarted(
        "job-1",
        "vision",
        1,
        List.of(new CostLedger.Slice("n1", "od", CapacityType.ON_DEMAND, 8, 8, 30, 10)),
        clock.instant());

    record Step(long hours, BudgetStatus status, int spotLaunches, int onDemandLaunches) {}
    List<Step> steps =
        List.of(
            new Step(1, BudgetStatus.OK, 1, 1), // $30
            new Step(1, BudgetStatus.SOFT, 1, 0), // $60: spot only
            new Step(1, BudgetStatus.SOFT, 1, 0), // $90
            new Step(1, BudgetStatus.HARD, 0, 0), // $120: nothing new
            new Step(19, BudgetStatus.HARD, 0, 0), // 23:00, $690
            new Step(2, BudgetStatus.OK, 1, 1)); // 01:00 the next UTC day: $30 again
    for (Step step : steps) {
      clock.advance(Duration.ofHours(step.hours()));
      Instant now = clock.instant();
      TeamSpend spend = ledger.spend("vision", now);
      assertThat(BudgetGuard.status(budget, spend)).as("at %s", now).isEqualTo(step.status());
      PolicySnapshot policy =
          BudgetGuard.apply(
              PolicySnapshot.of(OffPeakStatus.NO_WINDOWS, List.of(), pools),
              List.of(budget),
              Map.of("vision", spend),
              now);
      ScalingContext context = new ScalingContext(policy, job -> "vision", job -> true, Map.of());
      List<LaunchRequest> launches =
          scaler.launches(
              List.of(
                  new CapacityRequest("spot", 1, CapacityType.SPOT, List.of("job-2")),
                  new CapacityRequest("od", 1, CapacityType.ON_DEMAND, List.of("job-3"))),
              context);
      assertThat(launches.stream().filter(l -> l.poolId().equals("spot")).count())
          .as("spot launches at %s", now)
          .isEqualTo(step.spotLaunches());
      assertThat(launches.stream().filter(l -> l.poolId().equals("od")).count())
          .as("on-demand launches at %s", now)
          .isEqualTo(step.onDemandLaunches());
      // Launched nodes would register; forget them so each step asks afresh.
      launches.forEach(
          l ->
              scaler.onLaunchResult(
                  new io.tern.scheduler.server.cloud.LaunchResult(l, List.of(), List.of()),
                  context));
    }
    Budget listed = BudgetGuard.withStatus(budget, ledger.spend("vision", clock.instant()));
    assertThat(listed.getStatus()).isEqualTo("ok");
    assertThat(listed.getSpentDayUsd()).isCloseTo(30, within(1e-9));
    assertThat(listed.getSpentMonthUsd()).isCloseTo(25 * 30, within(1e-9));
  }

  @Test
  void theBindingLimitIsTheOneSpentFurthest() {
    Budget b = Budget.newBuilder().setTeam("nlp").setMonthlyUsd(1000).setDailyUsd(100).build();
    var daily = BudgetGuard.coreBudget(b, new TeamSpend(90, 200));
    assertThat(daily.hardLimitUsd()).isEqualTo(100);
    assertThat(daily.softLimitUsd()).as("default soft_at 0.8").isCloseTo(80, within(1e-9));
    assertThat(BudgetGuard.status(b, new TeamSpend(90, 200))).isEqualTo(BudgetStatus.SOFT);
    var monthly = BudgetGuard.coreBudget(b, new TeamSpend(10, 1000));
    assertThat(monthly.hardLimitUsd()).isEqualTo(1000);
    assertThat(BudgetGuard.status(b, new TeamSpend(10, 1000))).isEqualTo(BudgetStatus.HARD);
    assertThat(BudgetGuard.monthStart(Instant.parse("2026-05-31T23:59:59Z")))
        .isEqualTo(Instant.parse("2026-05-01T00:00:00Z"));
    Instant now = Instant.parse("2026-12-31T15:00:00Z");
    assertThat(BudgetGuard.coreBudget(b, new TeamSpend(90, 200), now).resetsAt())
        .as("a day's limit binds: the next UTC midnight")
        .isEqualTo(Instant.parse("2027-01-01T00:00:00Z"));
    assertThat(
            BudgetGuard.coreBudget(
                    b, new TeamSpend(10, 1000), Instant.parse("2026-05-04T06:00:00Z"))
                .resetsAt())
        .as("a month's limit binds: the first of the next month")
        .isEqualTo(Instant.parse("2026-06-01T00:00:00Z"));
    assertThat(
            BudgetGuard.coreBudget(
                    b, new TeamSpend(150, 1200), Instant.parse("2026-12-15T15:00:00Z"))
                .resetsAt())
        .as("past both limits: the day's resets first, but the month's still holds")
        .isEqualTo(Instant.parse("2027-01-01T00:00:00Z"));
  }

  @Test
  void aBudgetsSpotWaitIsItsTeamsDefaultSpotWait() {
    Budget b =
        BudgetValidation.validate(
            Budget.newBuilder()
                .setTeam("vision")
                .setMonthlyUsd(100)
                .setSpotWait(com.google.protobuf.Duration.newBuilder().setSeconds(1800))
                .build());
    var policy =
        BudgetGuard.apply(
            PolicySnapshot.of(OffPeakStatus.NO_WINDOWS, List.of(), List.of()),
            List.of(b),
            Map.of(),
            Instant.parse("2026-05-04T06:00:00Z"));
    assertThat(policy.team("vision").spotWait()).isEqualTo(Duration.ofMinutes(30));
    assertThat(policy.team("nlp").spotWait()).isZero();
    assertThatThrownBy(
            () ->
                BudgetValidation.validate(
                    b.toBuilder()
                        .setSpotWait(com.google.protobuf.Duration.newBuilder().setSeconds(-1))
                        .build()))
        .isInstanceOfSatisfying(
            InvalidBudgetException.class,
            e -> assertThat(e.fieldErrors()).containsOnlyKeys("spot_wait"));
  }

  @Test
  void validationNamesTheField() {
    assertThatThrownBy(
            () ->
                BudgetValidation.validate(
                    Budget.newBuilder().setTeam("").setDailyUsd(-1).setSoftAt(1.5).build()))
        .isInstanceOfSatisfying(
            InvalidBudgetException.class,
            e -> assertThat(e.fieldErrors()).containsOnlyKeys("team", "daily_usd", "soft_at"));
    assertThatThrownBy(() -> BudgetValidation.validate(Budget.newBuilder().setTeam("x").build()))
        .hasMessageContaining("monthly_usd");
    assertThat(
            BudgetValidation.validate(
                    Budget.newBuilder().setTeam("x").setDailyUsd(5).setStatus("hard").build())
                .getStatus())
        .as("output-only fields are dropped")
        .isEmpty();
  }
}
