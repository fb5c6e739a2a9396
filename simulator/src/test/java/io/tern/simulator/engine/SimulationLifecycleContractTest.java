package io.tern.simulator.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.tern.scheduler.core.model.CapacityPreference;
import io.tern.scheduler.core.model.PriorityClass;
import io.tern.scheduler.core.state.LifecycleContract;
import io.tern.scheduler.core.state.LifecycleContract.End;
import io.tern.scheduler.core.state.LifecycleContract.Event;
import io.tern.scheduler.core.state.LifecycleContract.Scenario;
import io.tern.scheduler.core.state.LifecycleContract.Step;
import io.tern.simulator.ProgressListener;
import io.tern.simulator.TestPaths;
import io.tern.simulator.policy.ClusterPolicy;
import io.tern.simulator.spot.PriceTable;
import io.tern.simulator.spot.SpotFleetModel;
import io.tern.simulator.spot.SpotTraceReader;
import io.tern.simulator.trace.TraceJob;
import io.tern.simulator.trace.TraceNode;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The lifecycle contract on the simulator: each event goes through the simulation's own executor
 * ({@link ClusterSimulation#apply}), which books the attempt's GPUs, work and cost and requeues or
 * finishes the job as the state machine says. The simulator has no leader (a failover changes
 * nothing) and its traces carry no retries, so scenarios that need retries do not apply.
 */
class SimulationLifecycleContractTest {

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.tern.scheduler.core.state.LifecycleContract#scenarios")
  void theSimulatorEndsWhereTheContractSays(Scenario scenario) {
    assumeTrue(scenario.retries() == 0, "simulated jobs have no retries");
    List<TraceNode> nodes = List.of(new TraceNode("node-1", 8, "V100", 16));
    TraceJob trace =
        new TraceJob(
            LifecycleContract.JOB,
            0,
            7200,
            1,
            1000,
            1,
            "vision",
            PriorityClass.NORMAL,
            CapacityPreference.ON_DEMAND,
            scenario.checkpointable() ? 600 : 0,
            TraceJob.NO_DEADLINE,
            List.of(),
            0);
    SpotFleetModel spot =
        SpotFleetModel.build(
            nodes,
            List.of(SpotTraceReader.read(TestPaths.resource("spot/us-west-2a_v100_1.txt"))),
            7,
            false);
    ClusterSimulation simulation =
        new ClusterSimulation(
            List.of(trace),
            nodes,
            ClusterPolicy.ON_DEMAND,
            SimulationSettings.defaults(),
            PriceTable.defaults(),
            spot,
            ProgressListener.NONE);
    SimJob job = simulation.job(LifecycleContract.JOB);

    long now = 0;
    for (Step step : scenario.steps()) {
      now += 60;
      if (step instanceof Event e) {
        simulation.apply(job, e.event(), now);
      }
    }

    assertThat(new End(job.status.state(), job.attempt())).isEqualTo(scenario.end());
    assertThat(job.allocated()).isEqualTo(scenario.end().state().holdsResources());
  }
}
