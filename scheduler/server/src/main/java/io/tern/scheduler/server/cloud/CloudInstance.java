package io.tern.scheduler.server.cloud;

import io.tern.scheduler.core.model.CapacityType;
import java.time.Instant;
import java.util.Objects;

/**
 * An instance a connector manages. Its id is the node id its agent registers with.
 *
 * @param id instance id (= node id)
 * @param poolId the pool it was launched into
 * @param capacityType spot or on-demand
 * @param instanceType e.g. {@code p4d.24xlarge}, or {@code local}
 * @param zone e.g. {@code us-east-1a}, or {@code local}
 * @param state where it is in its life
 * @param launchedAt when it was launched (null if the provider did not say)
 */
public record CloudInstance(
    String id,
    String poolId,
    CapacityType capacityType,
    String instanceType,
    String zone,
    State state,
    Instant launchedAt) {

  public CloudInstance {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(state, "state");
  }

  /** Instance life, provider states folded into four. */
  public enum State {
    PENDING,
    RUNNING,
    /** Shutting down or stopping: it will not serve jobs again. */
    STOPPING,
    TERMINATED;

    /** Whether it counts against the pool's limit (it exists or is coming). */
    public boolean live() {
      return this == PENDING || this == RUNNING;
    }
  }
}
