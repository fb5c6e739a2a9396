package io.tern.agent;

import io.tern.agent.job.JobShim;
import io.tern.api.v1.CapacityType;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How a node agent introduces itself and behaves. Build with {@link #builder}.
 *
 * @param schedulers scheduler replicas ({@code HOST:PORT}); any will do, followers name the leader
 * @param workDir where attempts keep logs and checkpoints ({@link io.tern.agent.job.WorkDir})
 * @param defaultGrace the time a job gets between SIGTERM and SIGKILL (and to checkpoint) when its
 *     spec gives none
 * @param stopJobsOnClose stop every job (SIGTERM, grace, SIGKILL) when the agent closes. The
 *     default is true. Jobs left running are fenced by their shims when the agent's lease runs out
 *     and stopped by the next agent that starts here. Jobs keep running across a scheduler
 *     failover.
 * @param reconnectInitial first reconnect delay; doubles up to {@code reconnectMax} (2 s by
 *     default: well under the time an agent may go without a leader before it fences itself, see
 *     {@link io.tern.agent.link.LeaderLease})
 * @param defaultTelemetryInterval used until (and if) Registered names one
 * @param checkpointPoll how often running attempts' checkpoint directories are scanned for finished
 *     checkpoints to commit (when the agent has a checkpoint store)
 * @param jobShim the program each attempt runs under ({@link JobShim}; {@link JobShim#AUTO} by
 *     default)
 * @param reportsStore whether the agent names its file store's marker to the leader when it
 *     registers, for a cluster that records no store to record it; false for the default store on
 *     the agent's own disk, which is no cluster's shared store
 * @param keepFinished how long the folder of an attempt that ended here stays after the leader
 *     acknowledged its end ({@link io.tern.agent.job.FinishedAttempts}); null keeps it for good
 */
public record AgentConfig(
    String nodeId,
    List<String> schedulers,
    CapacityType capacityType,
    String pool,
    double pricePerHourUsd,
    Map<String, String> labels,
    double cpu,
    double memoryGib,
    Path workDir,
    Duration defaultGrace,
    boolean stopJobsOnClose,
    Duration reconnectInitial,
    Duration reconnectMax,
    Duration defaultTelemetryInterval,
    String agentVersion,
    Duration checkpointPoll,
    JobShim jobShim,
    boolean reportsStore,
    Duration keepFinished) {

  public AgentConfig {
    Objects.requireNonNull(nodeId, "nodeId");
    if (nodeId.isBlank()) {
      throw new IllegalArgumentException("node id is empty");
    }
    schedulers = List.copyOf(schedulers);
    if (schedulers.isEmpty()) {
      throw new IllegalArgumentException("no scheduler address");
    }
    labels = Map.copyOf(labels);
    Objects.requireNonNull(capacityType, "capacityType");
    Objects.requireNonNull(workDir, "workDir");
    Objects.requireNonNull(jobShim, "jobShim");
    if (keepFinished != null && (keepFinished.isNegative() || keepFinished.isZero())) {
      throw new IllegalArgumentException("keep finished must be positive, got " + keepFinished);
    }
    if (checkpointPoll == null || checkpointPoll.isNegative() || checkpointPoll.isZero()) {
      throw new IllegalArgumentException("checkpoint poll must be positive, got " + checkpointPoll);
    }
  }

  /** How long a finished attempt's folder stays by default ({@code tern agent --keep-finished}). */
  public static final Duration DEFAULT_KEEP_FINISHED = Duration.ofDays(7);

  public static Builder builder(String nodeId, List<String> schedulers, Path workDir) {
    return new Builder(nodeId, schedulers, workDir);
  }

  /**
   * Defaults: on-demand, pool "local", price 0, this host's CPUs and memory, 10 s grace, checkpoint
   * directories scanned every second.
   */
  public static final class Builder {
    private final String nodeId;
    private final List<String> schedulers;
    private final Path workDir;
    private CapacityType capacityType = CapacityType.CAPACITY_TYPE_ON_DEMAND;
    private String pool = "local";
    private double pricePerHourUsd;
    private Map<String, String> labels = Map.of();
    private double cpu = NodeResources.cpus();
    private double memoryGib = NodeResources.memoryGib();
    private Duration defaultGrace = Duration.ofSeconds(10);
    private boolean stopJobsOnClose = true;
    private Duration reconnectInitial = Duration.ofMillis(200);
    private Duration reconnectMax = Duration.ofSeconds(2);
    private Duration defaultTelemetryInterval = Duration.ofSeconds(5);
    private String agentVersion = NodeResources.agentVersion();
    private Duration checkpointPoll = Duration.ofSeconds(1);
    private JobShim jobShim = JobShim.AUTO;
    private boolean reportsStore = true;
    private Duration keepFinished = DEFAULT_KEEP_FINISHED;

    private Builder(String nodeId, List<String> schedulers, Path workDir) {
      this.nodeId = nodeId;
      this.schedulers = schedulers;
      this.workDir = workDir;
    }

    public Builder capacityType(CapacityType value) {
      capacityType = value;
      return this;
    }

    public Builder pool(String value) {
      pool = value;
      return this;
    }

    public Builder pricePerHourUsd(double value) {
      pricePerHourUsd = value;
      return this;
    }

    public Builder labels(Map<String, String> value) {
      labels = value;
      return this;
    }

    public Builder cpu(double value) {
      cpu = value;
      return this;
    }

    public Builder memoryGib(double value) {
      memoryGib = value;
      return this;
    }

    public Builder defaultGrace(Duration value) {
      defaultGrace = value;
      return this;
    }

    public Builder stopJobsOnClose(boolean value) {
      stopJobsOnClose = value;
      return this;
    }

    public Builder reconnect(Duration initial, Duration max) {
      reconnectInitial = initial;
      reconnectMax = max;
      return this;
    }

    public Builder defaultTelemetryInterval(Duration value) {
      defaultTelemetryInterval = value;
      return this;
    }

    public Builder agentVersion(String value) {
      agentVersion = value;
      return this;
    }

    public Builder checkpointPoll(Duration value) {
      checkpointPoll = value;
      return this;
    }

    public Builder jobShim(JobShim value) {
      jobShim = value;
      return this;
    }

    public Builder reportsStore(boolean value) {
      reportsStore = value;
      return this;
    }

    /** How long a finished attempt's folder stays; null keeps it for good. */
    public Builder keepFinished(Duration value) {
      keepFinished = value;
      return this;
    }

    public AgentConfig build() {
      return new AgentConfig(
          nodeId,
          schedulers,
          capacityType,
          pool,
          pricePerHourUsd,
          labels,
          cpu,
          memoryGib,
          workDir,
          defaultGrace,
          stopJobsOnClose,
          reconnectInitial,
          reconnectMax,
          defaultTelemetryInterval,
          agentVersion,
          checkpointPoll,
          jobShim,
          reportsStore,
          keepFinished);
    }
  }
}
