package io.tern.scheduler.server.cloud;

import io.tern.scheduler.core.policy.PolicySnapshot;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * What the scheduler loop knows that the {@link FleetScaler} needs to decide launches.
 *
 * @param policy the policy of the plan (team budgets; pools come from the scaler itself)
 * @param teamOfJob the team of a pending job id (null when unknown)
 * @param mayUseOnDemand whether a pending job may run on on-demand capacity (not spot-only)
 * @param registeredNodes registered, not released nodes per pool id
 */
public record ScalingContext(
    PolicySnapshot policy,
    Function<String, String> teamOfJob,
    Predicate<String> mayUseOnDemand,
    Map<String, Integer> registeredNodes) {

  public ScalingContext {
    Objects.requireNonNull(policy, "policy");
    Objects.requireNonNull(teamOfJob, "teamOfJob");
    Objects.requireNonNull(mayUseOnDemand, "mayUseOnDemand");
    registeredNodes = Map.copyOf(registeredNodes);
  }
}
