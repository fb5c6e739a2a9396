package io.tern.scheduler.server.loop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tern.api.v1.Budget;
import io.tern.api.v1.OffPeakWindow;
import io.tern.offpeak.WindowSpec;
import io.tern.scheduler.server.zk.ZkPaths;
import io.tern.scheduler.server.zk.ZkWrite;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import org.junit.jupiter.api.Test;

/** FinOpsService's requests on a loop run by hand. */
class FinOpsRequestsTest {
  private static final WindowSpec NIGHTS =
      new WindowSpec("nights", "0 0 20 ? * *", Duration.ofHours(10), ZoneId.of("UTC"));

  private final HandLoop loop = new HandLoop();
  private final List<List<String>> armed = new ArrayList<>();
  private final FinOpsRequests finOps =
      new FinOpsRequests(
          loop,
          loop.clock,
          loop.writes,
          term -> armed.add(term.windowSpecs().stream().map(WindowSpec::name).toList()),
          loop.plans);

  @Test
  void aNewWindowIsCreatedArmedAndPlannedForAndAnsweredWithItsNextOpening() throws Exception {
    loop.lead(List.of(), List.of());

    var reply = finOps.setWindow(NIGHTS);
    loop.runDue();
    assertThat(armed).containsExactly(List.of("nights"));
    assertThat(loop.plansRequested).isEqualTo(1);
    assertThat(reply).isNotDone();

    loop.settle();
    OffPeakWindow window = reply.get();
    assertThat(window.getName()).isEqualTo("nights");
    assertThat(window.getOpenNow()).isFalse(); // 06:00 UTC
    assertThat(window.getNextOpen()).isEqualTo(HandLoop.at(Instant.parse("2026-05-04T20:00:00Z")));
    assertThat(loop.committed.getFirst()).isInstanceOf(ZkWrite.Create.class);
    assertThat(loop.committedPaths()).containsExactly(ZkPaths.defaults().offPeakWindow("nights"));
  }

  @Test
  void replacingAWindowUpdatesTheVersionItWrote() throws Exception {
    loop.lead(List.of(), List.of());
    finOps.setWindow(NIGHTS);
    loop.settle();

    finOps.setWindow(
        new WindowSpec("nights", "0 0 22 ? * *", Duration.ofHours(8), ZoneId.of("UTC")));
    finOps.deleteWindow("nights");
    loop.settle();

    ZkWrite.Update update = (ZkWrite.Update) loop.committed.get(1);
    assertThat(update.path()).isEqualTo(ZkPaths.defaults().offPeakWindow("nights"));
    assertThat(update.expectedVersion()).isZero();
    assertThat(loop.committed.get(2))
        .isEqualTo(new ZkWrite.Delete(ZkPaths.defaults().offPeakWindow("nights"), 1));
    assertThat(loop.term.windows).isEmpty();
    assertThat(armed).hasSize(3).last().isEqualTo(List.of());
  }

  @Test
  void deletingAnUnknownWindowIsNotFound() {
    loop.lead(List.of(), List.of());
    var reply = finOps.deleteWindow("weekends");
    loop.runDue();
    assertThatThrownBy(reply::get)
        .cause()
        .isInstanceOf(NoSuchElementException.class)
        .hasMessage("no off-peak window named 'weekends'");
    assertThat(loop.uncommitted).isEmpty();
  }

  @Test
  void aBudgetIsStoredAndAnsweredWithTheTeamsSpendAndStatus() throws Exception {
    loop.lead(List.of(), List.of());

    var reply = finOps.setBudget(Budget.newBuilder().setTeam("vision").setMonthlyUsd(100).build());
    loop.settle();

    assertThat(reply.get().getSpentMonthUsd()).isZero();
    assertThat(reply.get().getStatus()).isEqualTo("ok");
    assertThat(loop.plansRequested).isEqualTo(1);
    var listed = finOps.listBudgets();
    loop.runDue();
    assertThat(listed.get().getBudgetsList()).extracting(Budget::getTeam).containsExactly("vision");
  }

  @Test
  void aCostReportNeedsSinceBeforeUntil() {
    loop.lead(List.of(), List.of());
    var reply = finOps.costReport(HandLoop.T0, HandLoop.T0, "");
    loop.runDue();
    assertThatThrownBy(reply::get)
        .cause()
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("since: must be before until");
  }
}
