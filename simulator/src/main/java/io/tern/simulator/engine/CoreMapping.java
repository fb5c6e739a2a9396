package io.tern.simulator.engine;

import io.tern.scheduler.core.EngineConfig;
import io.tern.scheduler.core.model.CapacityPreference;
import io.tern.scheduler.core.model.Checkpointing;
import io.tern.scheduler.core.model.Job;
import io.tern.scheduler.core.model.PriorityClass;
import io.tern.scheduler.core.model.Resources;
import io.tern.simulator.policy.ClusterPolicy;
import io.tern.simulator.trace.TraceJob;
import java.time.Duration;

/**
 * Maps simulator jobs to the core's {@link Job} under a policy, and picks the core configuration of
 * each policy. This is the only place where a policy changes what the core is told.
 */
final class CoreMapping {
  private final ClusterPolicy policy;
  private final SimulationSettings settings;

  CoreMapping(ClusterPolicy policy, SimulationSettings settings) {
    this.policy = policy;
    this.settings = settings;
  }

  /** Core configuration: pool-diversity scorers only for Tern; the settings' deadline rule. */
  EngineConfig engineConfig() {
    EngineConfig.Builder config =
        EngineConfig.builder()
            .deadlineRule(
                Duration.ofSeconds(settings.deadlineOverheadSeconds()),
                Duration.ofSeconds(settings.deadlineMarginSeconds()));
    if (policy != ClusterPolicy.TERN) {
      config.scorerWeight("reclaimed-pool", 0).scorerWeight("reclaim-risk", 0);
    }
    return config.build();
  }

  /** The checkpoint interval the job keeps under this policy; 0 = none. */
  long checkpointInterval(TraceJob job) {
    return policy.periodicCheckpoints() || policy == ClusterPolicy.ON_DEMAND
        ? job.checkpointIntervalSeconds()
        : 0;
  }

  /** The job as the core should see it now. */
  Job queuedJob(SimJob job) {
    TraceJob t = job.trace;
    Job.Builder b =
        Job.builder(t.id(), job.team)
            .priority(t.priority())
            .capacity(capacity(t))
            .resources(
                Resources.of(t.gpus(), t.nodes(), t.gpuMemGib() * 1024L, t.gpuModels(), 0, 0))
            .expectedDuration(Duration.ofSeconds(t.durationSeconds()))
            .remainingDuration(Duration.ofSeconds(job.remaining))
            .shareable(t.shareable())
            .submittedAt(VirtualClock.at(t.submitSeconds()))
            .attempt(job.attempt());
    if (job.checkpointInterval > 0) {
      b.checkpointing(
          Checkpointing.every(
              Duration.ofSeconds(job.checkpointInterval),
              Duration.ofSeconds(settings.checkpointSaveSeconds())));
    }
    if (t.hasDeadline()) {
      b.deadline(VirtualClock.at(t.deadlineSeconds()));
    }
    if (policy == ClusterPolicy.TERN) {
      b.deferrable(
          settings.deferLowPriority()
              && !settings.offPeak().isEmpty()
              && t.priority() == PriorityClass.LOW
              && !t.hasDeadline());
      b.lastReclaimedPool(job.lastReclaimedPool);
      if (job.spotPreferredUntil >= 0) {
        b.spotPreferredUntil(VirtualClock.at(job.spotPreferredUntil));
      }
      b.spentUsd(job.cost);
    }
    if (job.queuedAt >= 0) {
      b.queuedAt(VirtualClock.at(job.queuedAt));
    }
    if (job.lastCheckpointAt >= 0) {
      b.lastCheckpointAt(VirtualClock.at(job.lastCheckpointAt));
    }
    return b.build();
  }

  private CapacityPreference capacity(TraceJob t) {
    if (policy == ClusterPolicy.ON_DEMAND) {
      return CapacityPreference.ON_DEMAND;
    }
    return switch (t.capacity()) {
      case ON_DEMAND -> CapacityPreference.ON_DEMAND;
      case SPOT_ONLY -> CapacityPreference.SPOT_ONLY;
      case SPOT_OK ->
          policy.onDemandFallback() ? CapacityPreference.SPOT_OK : CapacityPreference.SPOT_ONLY;
    };
  }
}
