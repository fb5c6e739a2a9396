package io.tern.scheduler.core.model;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * A job as the core sees it: its spec plus what its earlier attempts left behind. Immutable; build
 * one with {@link #builder(String, String)}.
 *
 * @param id unique job id; also the final tie-break everywhere
 * @param team the owning team (quotas, budgets and fair share follow it)
 * @param priority priority class
 * @param capacity capacity preference from the spec
 * @param resources what each attempt needs
 * @param checkpointing whether and how it checkpoints
 * @param deferrable may wait for the next off-peak window
 * @param deadline finish-by time, or null
 * @param expectedDuration uninterrupted run time if known, or null
 * @param remainingDuration work left as of the last committed checkpoint if known, or null (then
 *     {@code expectedDuration} is used)
 * @param maxCostUsd cost cap for the job, {@link Double#POSITIVE_INFINITY} when uncapped
 * @param shareable may share GPUs with other shareable jobs
 * @param submittedAt submit time (FIFO order inside a team)
 * @param attempt number of attempts made so far (0 before the first placement)
 * @param lastCheckpointAt time of the last committed checkpoint, or null
 * @param lastReclaimedPool pool whose spot reclaim interrupted the last attempt, or null
 * @param resuming its last attempt was interrupted (preempted, reclaimed, its node lost) rather
 *     than ended by the job: it goes ahead of its priority class, so that an interruption costs it
 *     no place in the queue
 * @param spotWait how long this spot-ok job may wait for spot capacity before it takes any
 *     capacity, or null for its team's {@code spotWait}
 * @param queuedAt when the job last entered the queue (submit, or the end of its last attempt), or
 *     null for {@code submittedAt}; a spot wait counts from here
 * @param spotPreferredUntil set on a job checkpointed to move back to spot: until then it waits for
 *     spot capacity (free or being launched) rather than taking on-demand again; null otherwise
 */
public record Job(
    String id,
    String team,
    PriorityClass priority,
    CapacityPreference capacity,
    Resources resources,
    Checkpointing checkpointing,
    boolean deferrable,
    Instant deadline,
    Duration expectedDuration,
    Duration remainingDuration,
    double maxCostUsd,
    boolean shareable,
    Instant submittedAt,
    int attempt,
    Instant lastCheckpointAt,
    String lastReclaimedPool,
    boolean resuming,
    Duration spotWait,
    Instant queuedAt,
    Instant spotPreferredUntil,
    double spentUsd) {

  public Job {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(team, "team");
    Objects.requireNonNull(priority, "priority");
    Objects.requireNonNull(capacity, "capacity");
    Objects.requireNonNull(resources, "resources");
    Objects.requireNonNull(checkpointing, "checkpointing");
    Objects.requireNonNull(submittedAt, "submittedAt");
    if (attempt < 0) {
      throw new IllegalArgumentException("attempt must be >= 0: " + attempt);
    }
    if (!(maxCostUsd > 0)) {
      throw new IllegalArgumentException("maxCostUsd must be > 0 (infinity = uncapped)");
    }
    if (!(spentUsd >= 0)) {
      throw new IllegalArgumentException("spentUsd must be >= 0: " + spentUsd);
    }
    if (spotWait != null && spotWait.isNegative()) {
      throw new IllegalArgumentException("spotWait must be >= 0: " + spotWait);
    }
  }

  /** When the job last entered the queue: {@code queuedAt}, else its submit time. */
  public Instant queuedSince() {
    return queuedAt != null ? queuedAt : submittedAt;
  }

  public static Builder builder(String id, String team) {
    return new Builder(id, team);
  }

  public Builder toBuilder() {
    return new Builder(this);
  }

  public boolean checkpointable() {
    return checkpointing.enabled();
  }

  public boolean hasCostCap() {
    return maxCostUsd != Double.POSITIVE_INFINITY;
  }

  /** Work still to do if known (remaining, else expected), or null. */
  public Duration workLeft() {
    return remainingDuration != null ? remainingDuration : expectedDuration;
  }

  /** Fluent builder; every field but id and team has a default. */
  public static final class Builder {
    private String id;
    private String team;
    private PriorityClass priority = PriorityClass.NORMAL;
    private CapacityPreference capacity = CapacityPreference.SPOT_OK;
    private Resources resources = Resources.gpus(1);
    private Checkpointing checkpointing = Checkpointing.NONE;
    private boolean deferrable;
    private Instant deadline;
    private Duration expectedDuration;
    private Duration remainingDuration;
    private double maxCostUsd = Double.POSITIVE_INFINITY;
    private boolean shareable;
    private Instant submittedAt = Instant.EPOCH;
    private int attempt;
    private Instant lastCheckpointAt;
    private String lastReclaimedPool;
    private boolean resuming;
    private Duration spotWait;
    private Instant queuedAt;
    private Instant spotPreferredUntil;
    private double spentUsd;

    private Builder(String id, String team) {
      this.id = id;
      this.team = team;
    }

    private Builder(Job job) {
      this.id = job.id;
      this.team = job.team;
      this.priority = job.priority;
      this.capacity = job.capacity;
      this.resources = job.resources;
      this.checkpointing = job.checkpointing;
      this.deferrable = job.deferrable;
      this.deadline = job.deadline;
      this.expectedDuration = job.expectedDuration;
      this.remainingDuration = job.remainingDuration;
      this.maxCostUsd = job.maxCostUsd;
      this.shareable = job.shareable;
      this.submittedAt = job.submittedAt;
      this.attempt = job.attempt;
      this.lastCheckpointAt = job.lastCheckpointAt;
      this.lastReclaimedPool = job.lastReclaimedPool;
      this.resuming = job.resuming;
      this.spotWait = job.spotWait;
      this.queuedAt = job.queuedAt;
      this.spotPreferredUntil = job.spotPreferredUntil;
      this.spentUsd = job.spentUsd;
    }

    public Builder id(String id) {
      this.id = id;
      return this;
    }

    public Builder team(String team) {
      this.team = team;
      return this;
    }

    public Builder priority(PriorityClass priority) {
      this.priority = priority;
      return this;
    }

    public Builder capacity(CapacityPreference capacity) {
      this.capacity = capacity;
      return this;
    }

    public Builder resources(Resources resources) {
      this.resources = resources;
      return this;
    }

    public Builder gpus(int gpus) {
      this.resources = Resources.gpus(gpus);
      return this;
    }

    public Builder checkpointing(Checkpointing checkpointing) {
      this.checkpointing = checkpointing;
      return this;
    }

    public Builder deferrable(boolean deferrable) {
      this.deferrable = deferrable;
      return this;
    }

    public Builder deadline(Instant deadline) {
      this.deadline = deadline;
      return this;
    }

    public Builder expectedDuration(Duration expectedDuration) {
      this.expectedDuration = expectedDuration;
      return this;
    }

    public Builder remainingDuration(Duration remainingDuration) {
      this.remainingDuration = remainingDuration;
      return this;
    }

    public Builder maxCostUsd(double maxCostUsd) {
      this.maxCostUsd = maxCostUsd;
      return this;
    }

    public Builder shareable(boolean shareable) {
      this.shareable = shareable;
      return this;
    }

    public Builder submittedAt(Instant submittedAt) {
      this.submittedAt = submittedAt;
      return this;
    }

    public Builder attempt(int attempt) {
      this.attempt = attempt;
      return this;
    }

    public Builder lastCheckpointAt(Instant lastCheckpointAt) {
      this.lastCheckpointAt = lastCheckpointAt;
      return this;
    }

    public Builder lastReclaimedPool(String lastReclaimedPool) {
      this.lastReclaimedPool = lastReclaimedPool;
      return this;
    }

    public Builder resuming(boolean resuming) {
      this.resuming = resuming;
      return this;
    }

    public Builder spotWait(Duration spotWait) {
      this.spotWait = spotWait;
      return this;
    }

    public Builder queuedAt(Instant queuedAt) {
      this.queuedAt = queuedAt;
      return this;
    }

    public Builder spotPreferredUntil(Instant spotPreferredUntil) {
      this.spotPreferredUntil = spotPreferredUntil;
      return this;
    }

    public Builder spentUsd(double spentUsd) {
      this.spentUsd = spentUsd;
      return this;
    }

    public Job build() {
      return new Job(
          id,
          team,
          priority,
          capacity,
          resources,
          checkpointing,
          deferrable,
          deadline,
          expectedDuration,
          remainingDuration,
          maxCostUsd,
          shareable,
          submittedAt,
          attempt,
          lastCheckpointAt,
          lastReclaimedPool,
          resuming,
          spotWait,
          queuedAt,
          spotPreferredUntil,
          spentUsd);
    }
  }
}
