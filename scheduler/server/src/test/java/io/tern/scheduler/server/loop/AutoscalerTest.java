package io.tern.scheduler.server.loop;

import static org.assertj.core.api.Assertions.assertThat;

import io.tern.api.v1.CapacityType;
import io.tern.api.v1.JobState;
import io.tern.api.v1.Node;
import io.tern.api.v1.NodeState;
import io.tern.scheduler.core.plan.CapacityRequest;
import io.tern.scheduler.core.plan.Plan;
import io.tern.scheduler.core.policy.PolicySnapshot;
import io.tern.scheduler.core.policy.PoolOffer;
import io.tern.scheduler.server.cloud.CloudConnector;
import io.tern.scheduler.server.cloud.CloudInstance;
import io.tern.scheduler.server.cloud.CloudSetup;
import io.tern.scheduler.server.cloud.LaunchRequest;
import io.tern.scheduler.server.cloud.LaunchResult;
import io.tern.scheduler.server.cloud.ScalingSettings;
import io.tern.scheduler.server.cloud.SpotPrice;
import io.tern.testing.FakeScheduledExecutor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The autoscaler on a loop run by hand, with its cloud worker run by hand too: each connector call
 * happens when the test runs the worker, and its result reaches the loop as a task.
 */
class AutoscalerTest {
  private static final String POOL = "spot-a";
  private static final Duration IDLE_GRACE = Duration.ofMinutes(5);

  private final HandLoop loop = new HandLoop();
  private final FakeScheduledExecutor worker = new FakeScheduledExecutor(loop.clock);
  private final Instances cloud = new Instances();
  private final List<String> lost = new ArrayList<>();
  private final Autoscaler autoscaler =
      new Autoscaler(
          loop,
          loop.clock,
          (term, session, why) -> {
            lost.add(session.id() + ": " + why);
            session.node = session.node.toBuilder().setState(NodeState.NODE_STATE_LOST).build();
          },
          loop.plans,
          new CloudSetup(
              List.of(
                  new PoolOffer(
                      POOL,
                      io.tern.scheduler.core.model.CapacityType.SPOT,
                      "p4d.24xlarge",
                      "us-east-1a",
                      8,
                      "A100",
                      81920,
                      96,
                      1024 * 1024L,
                      10.0,
                      4)),
              new ScalingSettings(
                  Duration.ofMinutes(10), Duration.ofMinutes(10), IDLE_GRACE, 1000, true),
              address -> cloud),
          cloud,
          worker);

  /** A cloud that launches what it is asked at once and keeps its instances by id. */
  private final class Instances implements CloudConnector {
    final Map<String, CloudInstance> instances = new TreeMap<>();
    final List<LaunchRequest> launches = new ArrayList<>();
    final List<String> terminated = new ArrayList<>();

    @Override
    public LaunchResult launch(LaunchRequest request) {
      launches.add(request);
      List<CloudInstance> launched = new ArrayList<>();
      for (int i = 0; i < request.count(); i++) {
        CloudInstance instance = instance("i-" + (instances.size() + 1));
        instances.put(instance.id(), instance);
        launched.add(instance);
      }
      return new LaunchResult(request, launched, List.of());
    }

    @Override
    public List<CloudInstance> describe() {
      return new ArrayList<>(instances.values());
    }

    @Override
    public void terminate(Collection<String> instanceIds) {
      terminated.addAll(instanceIds);
      instanceIds.forEach(instances::remove);
    }

    @Override
    public List<SpotPrice> spotPriceHistory(String poolId) {
      return List.of();
    }

    @Override
    public void close() {}
  }

  private CloudInstance instance(String id) {
    return new CloudInstance(
        id,
        POOL,
        io.tern.scheduler.core.model.CapacityType.SPOT,
        "p4d.24xlarge",
        "us-east-1a",
        CloudInstance.State.RUNNING,
        loop.clock.instant());
  }

  private static Node cloudNode(String id) {
    return HandLoop.node(id, 8).toBuilder()
        .setPool(POOL)
        .setCapacityType(CapacityType.CAPACITY_TYPE_SPOT)
        .build();
  }

  /** Runs the worker's calls, then what they hand back to the loop. */
  private void runCloudCalls() {
    worker.runDue();
    loop.runDue();
  }

  @Test
  void aTermStartsByListingTheCloudAndAdoptsWhatRuns() {
    cloud.instances.put("i-1", instance("i-1"));
    loop.lead(List.of(), List.of(cloudNode("i-1")));
    loop.connect("i-1");

    autoscaler.begin(loop.term);
    assertThat(worker.queued()).as("describe runs on the worker").isEqualTo(1);
    runCloudCalls();

    // Adopted: idle past the grace, it is given back.
    autoscaler.tick(loop.term);
    loop.clock.advance(IDLE_GRACE.plusSeconds(1));
    autoscaler.tick(loop.term);
    assertThat(autoscaler.releasing("i-1")).isTrue();
    runCloudCalls();
    assertThat(cloud.terminated).containsExactly("i-1");
    assertThat(lost).containsExactly("i-1: terminated by the autoscaler");
  }

  @Test
  void aBusyNodeIsNotGivenBack() {
    cloud.instances.put("i-1", instance("i-1"));
    loop.lead(
        List.of(
            HandLoop.placed(
                "job-000001", HandLoop.spec("vision", 1), JobState.JOB_STATE_RUNNING, "i-1", 0)),
        List.of(cloudNode("i-1")));
    loop.connect("i-1");
    autoscaler.begin(loop.term);
    runCloudCalls();

    autoscaler.tick(loop.term);
    loop.clock.advance(IDLE_GRACE.multipliedBy(2));
    autoscaler.tick(loop.term);

    assertThat(autoscaler.releasing("i-1")).isFalse();
    runCloudCalls();
    assertThat(cloud.terminated).isEmpty();
  }

  @Test
  void aCapacityRequestLaunchesOnTheWorkerAndAsksForAPlanWhenItComesBack() {
    loop.lead(List.of(HandLoop.queued("job-000001", HandLoop.spec("vision", 8))), List.of());
    autoscaler.begin(loop.term);
    runCloudCalls();
    PolicySnapshot policy = autoscaler.withPools(PolicySnapshot.defaults());
    assertThat(policy.pools()).extracting(PoolOffer::id).containsExactly(POOL);

    autoscaler.afterPlan(
        loop.term,
        new Plan(
            List.of(),
            List.of(),
            List.of(),
            List.of(
                new CapacityRequest(
                    POOL,
                    1,
                    io.tern.scheduler.core.model.CapacityType.SPOT,
                    List.of("job-000001"))),
            List.of(),
            List.of()),
        policy);
    assertThat(cloud.launches).as("not on the loop").isEmpty();
    runCloudCalls();

    assertThat(cloud.launches).hasSize(1);
    assertThat(loop.plansRequested).isEqualTo(1);
    assertThat(autoscaler.withPools(PolicySnapshot.defaults()).launchingNodes())
        .containsEntry(POOL, 1);
    autoscaler.onRegistered("i-1");
    assertThat(autoscaler.withPools(PolicySnapshot.defaults()).launchingNodes())
        .doesNotContainEntry(POOL, 1);
  }

  @Test
  void aSilentNodeWhoseInstanceIsGoneIsLostAtTheNextListing() {
    loop.lead(List.of(), List.of(cloudNode("i-9"), cloudNode("i-8")));
    loop.connect("i-8"); // connected: alive whatever the cloud says
    cloud.instances.put("i-1", instance("i-1"));

    autoscaler.begin(loop.term);
    runCloudCalls();

    assertThat(lost).containsExactly("i-9: its instance is gone");
  }

  @Test
  void aResultForAnEndedTermIsDropped() {
    cloud.instances.put("i-1", instance("i-1"));
    loop.lead(List.of(), List.of(cloudNode("i-1")));
    loop.connect("i-1");
    autoscaler.begin(loop.term);
    runCloudCalls();
    autoscaler.tick(loop.term);
    loop.clock.advance(IDLE_GRACE.plusSeconds(1));
    autoscaler.tick(loop.term);

    loop.term = null; // stepped down while the worker terminated the node
    autoscaler.end();
    runCloudCalls();

    assertThat(cloud.terminated).containsExactly("i-1");
    assertThat(lost).isEmpty();
  }
}
