package io.tern.scheduler.core.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.tern.scheduler.core.state.JobDependencies.Dependency;
import io.tern.scheduler.core.state.JobDependencies.Never;
import io.tern.scheduler.core.state.JobDependencies.Ready;
import io.tern.scheduler.core.state.JobDependencies.Type;
import io.tern.scheduler.core.state.JobDependencies.Waiting;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class JobDependenciesTest {
  private static JobDependencies.Verdict evaluate(Map<String, JobState> states, Dependency... d) {
    return JobDependencies.evaluate(List.of(d), id -> Optional.ofNullable(states.get(id)));
  }

  @ParameterizedTest(name = "{0} after a {1} parent: {2}")
  @CsvSource({
    "AFTER_OK, SUCCEEDED, ready",
    "AFTER_OK, FAILED, never",
    "AFTER_OK, CANCELLED, never",
    "AFTER_OK, RUNNING, waiting",
    "AFTER_ANY, SUCCEEDED, ready",
    "AFTER_ANY, FAILED, ready",
    "AFTER_ANY, CANCELLED, ready",
    "AFTER_ANY, PENDING, waiting",
    "AFTER_NOT_OK, FAILED, ready",
    "AFTER_NOT_OK, CANCELLED, ready",
    "AFTER_NOT_OK, SUCCEEDED, never",
    "AFTER_NOT_OK, HELD, waiting"
  })
  void eachTypeWaitsForItsOwnEnd(Type type, JobState parent, String expected) {
    var verdict = evaluate(Map.of("job-000001", parent), new Dependency("job-000001", type));

    assertThat(
            switch (verdict) {
              case Ready r -> "ready";
              case Waiting w -> "waiting";
              case Never n -> "never";
            })
        .isEqualTo(expected);
  }

  @Test
  void aDoomedDependencyWinsOverOnesStillWaitingAndSaysWhy() {
    var verdict =
        evaluate(
            Map.of("job-000001", JobState.RUNNING, "job-000002", JobState.FAILED),
            new Dependency("job-000001", Type.AFTER_OK),
            new Dependency("job-000002", Type.AFTER_OK));

    assertThat(verdict).hasToString("job-000002 FAILED (afterok)");
  }

  @Test
  void waitingNamesEveryParentNotYetEndedInOrder() {
    var verdict =
        evaluate(
            Map.of(
                "job-000003",
                JobState.PENDING,
                "job-000001",
                JobState.SUCCEEDED,
                "job-000002",
                JobState.RUNNING),
            new Dependency("job-000003", Type.AFTER_ANY),
            new Dependency("job-000001", Type.AFTER_OK),
            new Dependency("job-000002", Type.AFTER_OK));

    assertThat(verdict).hasToString("waiting for job-000003, job-000002");
  }

  @Test
  void anUnknownParentCanNeverBeMet() {
    assertThat(evaluate(Map.of(), new Dependency("job-000009", Type.AFTER_ANY)))
        .hasToString("job-000009 is unknown (afterany)");
  }
}
