package io.tern.simulator.engine;

import io.tern.scheduler.core.model.Allocation;
import io.tern.scheduler.core.model.CapacityType;
import io.tern.scheduler.core.model.Job;
import io.tern.scheduler.core.state.JobStatus;
import io.tern.simulator.trace.TraceJob;
import java.util.List;

/** Mutable simulation state of one job across its attempts. */
final class SimJob {
  final int index;
  final TraceJob trace;
  // The trace's team, one String instance per team across all jobs: the core looks teams up per
  // running job in every plan, and equal instances compare at once and stay in cache.
  final String team;
  final long checkpointInterval;
  final double gpuEquivalents;
  // Position of the job in id order (set once by the simulation).
  int idRank;
  // Where the job stands in its lifecycle; only the simulation's JobStateMachine calls change it.
  JobStatus status;
  long remaining;
  Job queued;
  Allocation allocation;
  long allocationCheckpoints;
  List<SimNode> nodes = List.of();
  CapacityType capacityType;
  long attemptStart;
  long workStart;
  double costPerSecond;
  // The current attempt's cost rate had its GPUs been bought on-demand (same models), and its GPUs
  // by price class (parallel arrays), for the like-with-like cost split.
  double onDemandPricedPerSecond;
  String[] attemptPriceClasses = new String[0];
  double[] attemptClassGpus = new double[0];
  double[] attemptClassCostPerSecond = new double[0];
  long stopWorkDone;
  // When the job last entered the queue, and (after a move back to spot) until when it waits for
  // spot; -1 when not set.
  long queuedAt = -1;
  long spotPreferredUntil = -1;
  long lastCheckpointAt = -1;
  String lastReclaimedPool;
  long firstStart = -1;
  long finish = -1;
  double cost;
  double spotCost;
  double onDemandCost;
  // Billed time priced at on-demand rates of the models it ran on, and the part of it that was
  // thrown away (lost work) or spent saving and restoring checkpoints.
  double onDemandPricedCost;
  double onDemandPricedWaste;
  double lostGpuSeconds;
  double overheadGpuSeconds;
  double spotGpuSeconds;
  double onDemandGpuSeconds;

  SimJob(int index, TraceJob trace, String team, long checkpointInterval) {
    this.index = index;
    this.trace = trace;
    this.team = team;
    this.checkpointInterval = checkpointInterval;
    this.remaining = trace.durationSeconds();
    this.gpuEquivalents = trace.gpuEquivalents();
    this.status = JobStatus.submitted(trace.id(), 0, checkpointInterval > 0);
  }

  /** The current (or last) attempt's number; 0 before the first placement. */
  int attempt() {
    return status.attempt();
  }

  /** Whether the current attempt holds GPUs (starting, running or checkpointing). */
  boolean allocated() {
    return status.state().holdsResources();
  }

  /** Work done in the current attempt at time {@code t}. */
  long workDone(long t) {
    return Math.max(0, Math.min(remaining, t - workStart));
  }

  /** Work of the current attempt committed by periodic checkpoints at time {@code t}. */
  long committedWork(long t) {
    if (checkpointInterval <= 0) {
      return 0;
    }
    return workDone(t) / checkpointInterval * checkpointInterval;
  }
}
