package io.tern.scheduler.spec;

import com.google.protobuf.Duration;
import io.tern.api.v1.CapacityPreference;
import io.tern.api.v1.JobSpec;
import io.tern.api.v1.Priority;

/**
 * Fills in what a spec may leave out, so that every stored spec is complete: the scheduler and the
 * agent never guess a default of their own.
 */
public final class JobSpecDefaults {
  public static final String DEFAULT_SIGNAL = "SIGUSR1";
  public static final Duration DEFAULT_GRACE = Duration.newBuilder().setSeconds(90).build();

  private JobSpecDefaults() {}

  /** {@code spec} with defaults applied; set fields are kept as they are. */
  public static JobSpec normalize(JobSpec spec) {
    JobSpec.Builder out = spec.toBuilder();
    if (out.getPriority() == Priority.PRIORITY_UNSPECIFIED) {
      out.setPriority(Priority.PRIORITY_NORMAL);
    }
    if (out.getCapacity() == CapacityPreference.CAPACITY_UNSPECIFIED) {
      out.setCapacity(CapacityPreference.CAPACITY_SPOT_OK);
    }
    if (out.getResources().getNodes() == 0) {
      out.getResourcesBuilder().setNodes(1);
    }
    if (out.hasCheckpoint()) {
      if (out.getCheckpoint().getSignal().isEmpty()) {
        out.getCheckpointBuilder().setSignal(DEFAULT_SIGNAL);
      }
      if (!out.getCheckpoint().hasGrace()) {
        out.getCheckpointBuilder().setGrace(DEFAULT_GRACE);
      }
    }
    return out.build();
  }
}
