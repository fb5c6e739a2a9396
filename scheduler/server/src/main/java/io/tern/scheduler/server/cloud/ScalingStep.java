package io.tern.scheduler.server.cloud;

import java.util.List;

/**
 * What to do after a launch result: more launches (fallbacks) and the pools that went on cool-down.
 *
 * @param launches launches to run now, in order
 * @param cooldowns pools that just went on cool-down; the loop replans so the core stops choosing
 *     them
 */
public record ScalingStep(List<LaunchRequest> launches, List<PoolCooldown> cooldowns) {
  public ScalingStep {
    launches = List.copyOf(launches);
    cooldowns = List.copyOf(cooldowns);
  }
}
