package io.tern.scheduler.server.loop;

import com.google.protobuf.Timestamp;
import io.tern.api.v1.Attempt;
import io.tern.api.v1.JobSpec;
import io.tern.scheduler.core.model.Allocation;
import io.tern.scheduler.core.model.CapacityPreference;
import io.tern.scheduler.core.model.CapacityType;
import io.tern.scheduler.core.model.Checkpointing;
import io.tern.scheduler.core.model.Gpu;
import io.tern.scheduler.core.model.GpuHealth;
import io.tern.scheduler.core.model.Job;
import io.tern.scheduler.core.model.Node;
import io.tern.scheduler.core.model.NodeAssignment;
import io.tern.scheduler.core.model.NodeState;
import io.tern.scheduler.core.model.PriorityClass;
import io.tern.scheduler.core.model.Resources;
import io.tern.scheduler.core.policy.SpotPolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Translates between the API's messages (what is stored and sent) and scheduler/core's model (what
 * is planned with). Pure functions; the core never sees a proto.
 */
final class CoreSnapshots {
  private static final long MIB_PER_GIB = 1024;

  /** The end reason of an attempt checkpointed to move back to spot (the core's RETURN_TO_SPOT). */
  static final String RETURNING_TO_SPOT = "returning to spot";

  private CoreSnapshots() {}

  static Job job(io.tern.api.v1.Job job) {
    JobSpec spec = job.getSpec();
    var r = spec.getResources();
    Job.Builder b =
        Job.builder(job.getId(), spec.getTeam())
            .priority(priority(spec.getPriority()))
            .capacity(capacity(spec.getCapacity()))
            .resources(
                new Resources(
                    r.getGpus(),
                    Math.max(1, r.getNodes()),
                    Math.round(r.getGpuMemoryGib() * MIB_PER_GIB),
                    new TreeSet<>(r.getGpuModelsList()),
                    (int) Math.ceil(r.getCpu()),
                    Math.round(r.getMemoryGib() * MIB_PER_GIB)))
            .deferrable(spec.getDeferrable())
            .shareable(spec.getShareable())
            .submittedAt(instant(job.getSubmittedAt()))
            .attempt(JobEntry.attemptNumber(job));
    if (spec.hasCheckpoint()) {
      b.checkpointing(
          new Checkpointing(
              true,
              Duration.ofSeconds(spec.getCheckpoint().getInterval().getSeconds()),
              Duration.ofSeconds(spec.getCheckpoint().getGrace().getSeconds())));
    }
    if (spec.hasDeadline()) {
      b.deadline(instant(spec.getDeadline()));
      if (spec.hasMaxRuntime()) {
        // The job's work is not known; its maximum runtime bounds it, which keeps the deadline
        // rule on the safe side (it waits for spot less than it could, never more).
        Duration total =
            Duration.ofSeconds(spec.getMaxRuntime().getSeconds(), spec.getMaxRuntime().getNanos());
        b.expectedDuration(total).remainingDuration(remaining(job, total));
      }
    }
    if (spec.getMaxCostUsd() > 0) {
      b.maxCostUsd(spec.getMaxCostUsd());
    }
    if (spec.hasSpotWait()) {
      b.spotWait(
          Duration.ofSeconds(spec.getSpotWait().getSeconds(), spec.getSpotWait().getNanos()));
    }
    lastCheckpoint(job).ifPresent(b::lastCheckpointAt);
    if (job.getAttemptsCount() > 0) {
      Attempt last = job.getAttempts(job.getAttemptsCount() - 1);
      if (last.getReclaimed() && !last.getPool().isEmpty()) {
        b.lastReclaimedPool(last.getPool());
      }
      if (last.hasEndedAt()) {
        Instant ended = instant(last.getEndedAt());
        b.queuedAt(ended);
        if (last.getEndReason().endsWith(RETURNING_TO_SPOT)) {
          // Checkpointed to move back to spot: it waits for spot a while rather than take
          // on-demand again (the core holds it to spot only while its deadline allows).
          b.spotPreferredUntil(ended.plus(SpotPolicy.RETURN_TO_SPOT_WAIT));
        }
      }
      // Interrupted (preempted, reclaimed, node lost) rather than ended by the job itself.
      b.resuming(
          last.hasEndedAt()
              && !last.hasExitCode()
              && !last.getEndReason().startsWith("start failed")
              && !last.getEndReason().startsWith("did not start"));
    }
    return b.build();
  }

  /**
   * Work left of {@code total}: less what earlier attempts kept, each from its start to its last
   * committed checkpoint (the work a resumed attempt starts from).
   */
  static Duration remaining(io.tern.api.v1.Job job, Duration total) {
    Duration done = Duration.ZERO;
    for (Attempt a : job.getAttemptsList()) {
      if (a.hasLastCheckpoint() && a.hasStartedAt()) {
        Duration kept =
            Duration.between(
                instant(a.getStartedAt()), instant(a.getLastCheckpoint().getCommittedAt()));
        if (kept.isPositive()) {
          done = done.plus(kept);
        }
      }
    }
    Duration left = total.minus(done);
    return left.isNegative() ? Duration.ZERO : left;
  }

  /**
   * The node of {@code session} as the planner sees it at {@code now}: a READY one whose agent is
   * not connected (yet, after a failover) is UNREACHABLE, one resting after a fault of its own
   * RESTING, one that takes no job for another reason ({@code schedulable} false: stopping, being
   * released) CORDONED.
   */
  static Node node(NodeSession session, boolean schedulable, Instant now, Instant idleSince) {
    NodeState state;
    if (!session.connected()) {
      state = NodeState.UNREACHABLE;
    } else if (now.isBefore(session.faultedUntil)) {
      state = NodeState.RESTING;
    } else {
      state = schedulable ? NodeState.READY : NodeState.CORDONED;
    }
    return node(session.node, session.gpus, state, idleSince);
  }

  /**
   * {@code n} with {@code reported}, its GPUs as last reported (registration or telemetry); {@code
   * whenReady} is its state when ZooKeeper says it is READY.
   */
  static Node node(
      io.tern.api.v1.Node n,
      List<io.tern.api.v1.Gpu> reported,
      NodeState whenReady,
      Instant idleSince) {
    List<Gpu> gpus = new ArrayList<>();
    for (io.tern.api.v1.Gpu g : reported) {
      gpus.add(
          new Gpu(
              g.getIndex(),
              g.getUuid(),
              g.getModel(),
              g.getMemoryTotalMib(),
              Math.min(g.getMemoryUsedMib(), g.getMemoryTotalMib()),
              Math.max(0, Math.min(100, g.getUtilizationPercent())),
              health(g.getHealth())));
    }
    NodeState state =
        switch (n.getState()) {
          case NODE_STATE_READY -> whenReady;
          case NODE_STATE_DRAINING -> NodeState.DRAINING;
          default -> NodeState.LOST;
        };
    return new Node(
        n.getId(),
        capacityType(n.getCapacityType()),
        n.getPool(),
        n.getPricePerHourUsd(),
        new TreeMap<>(n.getLabelsMap()),
        state,
        (int) Math.ceil(n.getCpu()),
        Math.round(n.getMemoryGib() * MIB_PER_GIB),
        gpus,
        idleSince);
  }

  static Allocation allocation(JobEntry entry, boolean stopping) {
    Attempt attempt = entry.currentAttempt().orElseThrow();
    List<NodeAssignment> assignments = new ArrayList<>();
    for (int i = 0; i < attempt.getNodeIdsCount(); i++) {
      assignments.add(new NodeAssignment(attempt.getNodeIds(i), attempt.getGpus(i).getIndexList()));
    }
    Instant started =
        attempt.hasStartedAt() ? instant(attempt.getStartedAt()) : instant(attempt.getPlacedAt());
    return new Allocation(
        entry.coreJob(),
        attempt.getNumber(),
        capacityType(attempt.getCapacityType()),
        assignments,
        started,
        lastCheckpoint(entry.job).orElse(null),
        stopping);
  }

  static java.util.Optional<Instant> lastCheckpoint(io.tern.api.v1.Job job) {
    for (int i = job.getAttemptsCount() - 1; i >= 0; i--) {
      Attempt a = job.getAttempts(i);
      if (a.hasLastCheckpoint()) {
        return java.util.Optional.of(instant(a.getLastCheckpoint().getCommittedAt()));
      }
    }
    return java.util.Optional.empty();
  }

  static io.tern.api.v1.CapacityType capacityType(CapacityType type) {
    return type == CapacityType.SPOT
        ? io.tern.api.v1.CapacityType.CAPACITY_TYPE_SPOT
        : io.tern.api.v1.CapacityType.CAPACITY_TYPE_ON_DEMAND;
  }

  static CapacityType capacityType(io.tern.api.v1.CapacityType type) {
    return type == io.tern.api.v1.CapacityType.CAPACITY_TYPE_SPOT
        ? CapacityType.SPOT
        : CapacityType.ON_DEMAND;
  }

  static Instant instant(Timestamp t) {
    return Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
  }

  static Timestamp timestamp(Instant i) {
    return Timestamp.newBuilder().setSeconds(i.getEpochSecond()).setNanos(i.getNano()).build();
  }

  /** The core's class for a stored priority; an unset one is normal, as submission reads it. */
  static PriorityClass priority(io.tern.api.v1.Priority p) {
    return switch (p) {
      case PRIORITY_HIGH -> PriorityClass.HIGH;
      case PRIORITY_LOW -> PriorityClass.LOW;
      default -> PriorityClass.NORMAL;
    };
  }

  private static CapacityPreference capacity(io.tern.api.v1.CapacityPreference c) {
    return switch (c) {
      case CAPACITY_SPOT_ONLY -> CapacityPreference.SPOT_ONLY;
      case CAPACITY_ON_DEMAND -> CapacityPreference.ON_DEMAND;
      default -> CapacityPreference.SPOT_OK;
    };
  }

  private static GpuHealth health(io.tern.api.v1.GpuHealth h) {
    return switch (h) {
      case GPU_HEALTH_XID_ERROR, GPU_HEALTH_LOST -> GpuHealth.XID_ERROR;
      case GPU_HEALTH_ECC_ERROR -> GpuHealth.ECC_ERROR;
      default -> GpuHealth.OK;
    };
  }
}
