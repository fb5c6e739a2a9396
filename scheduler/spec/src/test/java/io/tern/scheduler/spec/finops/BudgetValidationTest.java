package io.tern.scheduler.spec.finops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.tern.api.v1.Budget;
import org.junit.jupiter.api.Test;

class BudgetValidationTest {
  private static InvalidBudgetException refused(Budget.Builder budget) {
    return catchThrowableOfType(
        InvalidBudgetException.class, () -> BudgetValidation.validate(budget.build()));
  }

  @Test
  void aTeamNameNoJobCouldHaveIsRefusedByTheJobsRule() {
    assertThat(refused(Budget.newBuilder().setTeam("NLP").setMonthlyUsd(100)).fieldErrors())
        .containsOnlyKeys("team")
        .hasEntrySatisfying(
            "team", m -> assertThat(m).startsWith("may contain only lower-case letters"));
    assertThat(refused(Budget.newBuilder().setTeam("nlp.x").setMonthlyUsd(100)).fieldErrors())
        .containsOnlyKeys("team");
    assertThat(
            BudgetValidation.validate(Budget.newBuilder().setTeam("nlp").setMonthlyUsd(100).build())
                .getTeam())
        .isEqualTo("nlp");
  }

  @Test
  void limitsMustBePlausible() {
    assertThat(refused(Budget.newBuilder().setTeam("nlp").setMonthlyUsd(1e30)).fieldErrors())
        .containsOnlyKeys("monthly_usd");
    assertThat(
            refused(Budget.newBuilder().setTeam("nlp").setMonthlyUsd(10).setDailyUsd(50))
                .fieldErrors())
        .containsEntry(
            "daily_usd",
            "is more than monthly_usd (50.0 > 10.0): the daily limit could never be reached");
    // A tiny limit is a limit (a test of a budget hold on a cheap job sets one).
    assertThat(
            BudgetValidation.validate(
                    Budget.newBuilder().setTeam("nlp").setDailyUsd(0.0005).build())
                .getDailyUsd())
        .isEqualTo(0.0005);
  }
}
