package io.tern.scheduler.server.loop;

import io.tern.api.v1.Budget;
import io.tern.api.v1.CostReport;
import io.tern.api.v1.ListBudgetsResponse;
import io.tern.api.v1.ListOffPeakWindowsResponse;
import io.tern.api.v1.OffPeakWindow;
import io.tern.offpeak.WindowSpec;
import io.tern.scheduler.server.finops.BudgetGuard;
import io.tern.scheduler.server.offpeak.WindowValidation;
import io.tern.scheduler.server.zk.ZkWrite;
import io.tern.scheduler.spec.SpecLimits;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;

/**
 * What FinOpsService asks of the scheduler, run on the loop. Arguments arrive validated (see {@link
 * WindowValidation} and {@link io.tern.scheduler.spec.finops.BudgetValidation#validate}); replies
 * that report a change complete only once the change is in ZooKeeper. A changed window takes effect
 * at once: the calendar is rebuilt, the triggers re-armed and a plan requested.
 */
public final class FinOpsRequests {
  private final LoopThread loop;
  private final Clock clock;
  private final StateWrites writes;
  private final OffPeakArming offPeak;
  private final PlanTrigger plans;

  FinOpsRequests(
      LoopThread loop, Clock clock, StateWrites writes, OffPeakArming offPeak, PlanTrigger plans) {
    this.loop = loop;
    this.clock = clock;
    this.writes = writes;
    this.offPeak = offPeak;
    this.plans = plans;
  }

  /** Creates or replaces the window named {@code spec.name()}; answers it with its next opening. */
  public CompletableFuture<OffPeakWindow> setWindow(WindowSpec spec) {
    return loop.callAsync(
        term -> {
          LeaderTerm.Stored<WindowSpec> stored = term.windows.get(spec.name());
          String path = writes.paths().offPeakWindow(spec.name());
          byte[] data = WindowValidation.toProto(spec).toByteArray();
          ZkWrite write;
          WindowSpec before = stored == null ? null : stored.value;
          if (stored == null) {
            write = new ZkWrite.Create(path, data);
            term.windows.put(spec.name(), new LeaderTerm.Stored<>(spec, 0));
          } else {
            write = new ZkWrite.Update(path, data, stored.version);
            stored.value = spec;
            stored.version++;
          }
          try {
            windowsChanged(term);
          } catch (RuntimeException e) {
            // Not stored: memory goes back to what ZooKeeper holds, and the triggers with it.
            if (stored == null) {
              term.windows.remove(spec.name());
            } else {
              stored.value = before;
              stored.version--;
            }
            windowsChanged(term);
            throw e;
          }
          return committed(write, () -> WindowValidation.toProto(spec, clock.instant()));
        });
  }

  /** Every window, sorted by name, with {@code open_now} and {@code next_open}. */
  public CompletableFuture<ListOffPeakWindowsResponse> listWindows() {
    return loop.call(
        term -> {
          Instant now = clock.instant();
          ListOffPeakWindowsResponse.Builder out = ListOffPeakWindowsResponse.newBuilder();
          for (var stored : term.windows.values()) {
            out.addWindows(WindowValidation.toProto(stored.value, now));
          }
          return out.build();
        });
  }

  /** Deletes a window; fails with {@link NoSuchElementException} when there is none by the name. */
  public CompletableFuture<Void> deleteWindow(String name) {
    return loop.callAsync(
        term -> {
          LeaderTerm.Stored<WindowSpec> stored = term.windows.remove(name);
          if (stored == null) {
            throw new NoSuchElementException(
                "no off-peak window named '" + SpecLimits.echo(name) + "'");
          }
          windowsChanged(term);
          return committed(
              new ZkWrite.Delete(writes.paths().offPeakWindow(name), stored.version), () -> null);
        });
  }

  /** Removes a team's budget; fails with {@link NoSuchElementException} when it has none. */
  public CompletableFuture<Void> deleteBudget(String team) {
    return loop.callAsync(
        term -> {
          LeaderTerm.Stored<Budget> stored = term.budgets.remove(team);
          if (stored == null) {
            throw new NoSuchElementException("no budget for team '" + SpecLimits.echo(team) + "'");
          }
          plans.requestPlan();
          return committed(
              new ZkWrite.Delete(writes.paths().budget(team), stored.version), () -> null);
        });
  }

  /** Creates or replaces a (validated) budget; answers it with the team's spend and status. */
  public CompletableFuture<Budget> setBudget(Budget budget) {
    return loop.callAsync(
        term -> {
          String team = budget.getTeam();
          LeaderTerm.Stored<Budget> stored = term.budgets.get(team);
          String path = writes.paths().budget(team);
          ZkWrite write;
          if (stored == null) {
            write = new ZkWrite.Create(path, budget.toByteArray());
            term.budgets.put(team, new LeaderTerm.Stored<>(budget, 0));
          } else {
            write = new ZkWrite.Update(path, budget.toByteArray(), stored.version);
            stored.value = budget;
            stored.version++;
          }
          plans.requestPlan();
          return committed(write, () -> withStatus(term, budget));
        });
  }

  /** Every budget, sorted by team, with what the team spent today and this month. */
  public CompletableFuture<ListBudgetsResponse> listBudgets() {
    return loop.call(
        term -> {
          ListBudgetsResponse.Builder out = ListBudgetsResponse.newBuilder();
          for (var stored : term.budgets.values()) {
            out.addBudgets(withStatus(term, stored.value));
          }
          return out.build();
        });
  }

  /**
   * The ledger over {@code [since, until)}.
   *
   * @param since null for the start of the current UTC month
   * @param until null for now
   * @param team empty for all teams
   */
  public CompletableFuture<CostReport> costReport(Instant since, Instant until, String team) {
    return loop.call(
        term -> {
          Instant now = clock.instant();
          Instant to = until != null ? until : now;
          Instant from = since != null ? since : BudgetGuard.monthStart(now);
          if (!from.isBefore(to)) {
            throw new IllegalArgumentException(
                "since: must be before until (" + from + " is not before " + to + ")");
          }
          return term.costs.ledger().report(from, to, team);
        });
  }

  /** The budget with its team's spend and status, and a warning if the team never submitted. */
  private Budget withStatus(LeaderTerm term, Budget budget) {
    Budget out =
        BudgetGuard.withStatus(
            budget.toBuilder().clearWarning().build(),
            term.costs.spend(budget.getTeam(), clock.instant()));
    String team = budget.getTeam();
    boolean submitted =
        term.jobs.values().stream().anyMatch(e -> e.job.getSpec().getTeam().equals(team));
    return submitted
        ? out
        : out.toBuilder()
            .setWarning(
                "team '"
                    + team
                    + "' has never submitted a job: check the name (a budget guards one team, by"
                    + " name)")
            .build();
  }

  private void windowsChanged(LeaderTerm term) {
    offPeak.rearm(term);
    plans.requestPlan();
  }

  /** Queues {@code write}; completes with {@code reply} (computed on the loop) once it commits. */
  private <T> CompletableFuture<T> committed(ZkWrite write, java.util.function.Supplier<T> reply) {
    CompletableFuture<T> result = new CompletableFuture<>();
    writes.write(List.of(write), () -> result.complete(reply.get()), result::completeExceptionally);
    return result;
  }
}
