package io.tern.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

class FakeScheduledExecutorTest {
  private final TestClock clock = TestClock.at("2026-05-04T06:00:00Z");
  private final FakeScheduledExecutor executor = new FakeScheduledExecutor(clock);
  private final List<String> ran = new ArrayList<>();

  @Test
  void nothingRunsUntilTheTestSaysSo() {
    executor.execute(() -> ran.add("a"));
    assertThat(ran).isEmpty();
    assertThat(executor.hasDue()).isTrue();

    assertThat(executor.runDue()).isEqualTo(1);
    assertThat(ran).containsExactly("a");
    assertThat(executor.queued()).isZero();
  }

  @Test
  void tasksRunInDueOrderThenSubmissionOrderEachAtItsOwnTime() {
    List<Instant> seen = new ArrayList<>();
    executor.schedule(() -> ran.add("late"), 2, TimeUnit.SECONDS);
    executor.schedule(() -> seen.add(clock.instant()), 1, TimeUnit.SECONDS);
    executor.schedule(() -> ran.add("early"), 1, TimeUnit.SECONDS);
    executor.execute(() -> ran.add("now"));

    executor.advance(Duration.ofMillis(1500));
    assertThat(ran).containsExactly("now", "early");
    assertThat(seen).containsExactly(Instant.parse("2026-05-04T06:00:01Z"));
    assertThat(clock.instant()).isEqualTo(Instant.parse("2026-05-04T06:00:01.500Z"));
    assertThat(executor.delays()).containsExactly(Duration.ofMillis(500));

    executor.advance(Duration.ofSeconds(1));
    assertThat(ran).containsExactly("now", "early", "late");
  }

  @Test
  void aTaskQueuedByATaskForNowRunsInTheSameStep() {
    executor.execute(() -> executor.execute(() -> ran.add("second")));
    executor.runDue();
    assertThat(ran).containsExactly("second");
  }

  @Test
  void periodicTasksComeBackAfterTheirDelayUntilCancelled() {
    ScheduledFuture<?> tick =
        executor.scheduleWithFixedDelay(() -> ran.add("tick"), 100, 100, TimeUnit.MILLISECONDS);
    executor.advance(Duration.ofMillis(350));
    assertThat(ran).hasSize(3);

    tick.cancel(false);
    executor.advance(Duration.ofSeconds(1));
    assertThat(ran).hasSize(3);
    assertThat(executor.queued()).isZero();
  }

  @Test
  void aFailingTaskFailsItsFutureAndTheNextStillRuns() {
    ScheduledFuture<?> failing =
        executor.schedule(
            () -> {
              throw new IllegalStateException("boom");
            },
            0,
            TimeUnit.SECONDS);
    executor.execute(() -> ran.add("after"));
    executor.runDue();
    assertThat(ran).containsExactly("after");
    assertThatThrownBy(failing::get)
        .isInstanceOf(ExecutionException.class)
        .hasRootCauseMessage("boom");
  }

  @Test
  void afterShutdownNewTasksAreRefusedAndQueuedOnesStillRun() {
    executor.execute(() -> ran.add("queued"));
    executor.shutdown();
    assertThatThrownBy(() -> executor.execute(() -> ran.add("late")))
        .isInstanceOf(RejectedExecutionException.class);
    assertThat(executor.isTerminated()).isFalse();
    executor.runDue();
    assertThat(ran).containsExactly("queued");
    assertThat(executor.isTerminated()).isTrue();
  }

  @Test
  void awaitDueWaitsForATaskFromAnotherThread() throws Exception {
    Thread other = Thread.ofPlatform().start(() -> executor.execute(() -> ran.add("handed")));
    executor.awaitDue(Duration.ofSeconds(10));
    other.join();
    executor.runDue();
    assertThat(ran).containsExactly("handed");

    assertThatThrownBy(() -> executor.awaitDue(Duration.ofMillis(10)))
        .isInstanceOf(TimeoutException.class);
  }
}
