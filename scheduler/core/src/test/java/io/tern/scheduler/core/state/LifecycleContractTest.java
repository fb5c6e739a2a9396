package io.tern.scheduler.core.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.tern.scheduler.core.state.LifecycleContract.End;
import io.tern.scheduler.core.state.LifecycleContract.Event;
import io.tern.scheduler.core.state.LifecycleContract.Scenario;
import io.tern.scheduler.core.state.LifecycleContract.Step;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The contract's scenarios on the bare state machine: the reference the executors must match. */
class LifecycleContractTest {
  private final JobStateMachine machine = new JobStateMachine();

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.tern.scheduler.core.state.LifecycleContract#scenarios")
  void theStateMachineEndsWhereTheContractSays(Scenario scenario) {
    JobStatus status =
        JobStatus.submitted(LifecycleContract.JOB, scenario.retries(), scenario.checkpointable());
    for (Step step : scenario.steps()) {
      if (step instanceof Event e) {
        status = machine.on(status, e.event()).status();
      }
    }
    assertThat(new End(status.state(), status.attempt())).isEqualTo(scenario.end());
  }
}
