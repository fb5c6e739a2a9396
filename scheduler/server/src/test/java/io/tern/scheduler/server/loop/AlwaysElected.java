package io.tern.scheduler.server.loop;

import io.tern.scheduler.server.leader.LeaderElector;
import java.util.Optional;

/**
 * An elector under which this replica leads whenever the test calls {@link SchedulerLoop#elected}.
 */
final class AlwaysElected implements LeaderElector {
  /** Who the election says leads, as {@link #leaderAddress()} answers it. */
  volatile Optional<String> leader = Optional.empty();

  @Override
  public void start(Listener listener) {}

  @Override
  public boolean isLeader() {
    return true;
  }

  @Override
  public Optional<String> leaderAddress() {
    return leader;
  }

  @Override
  public void close() {}
}
