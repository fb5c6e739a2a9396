package io.tern.scheduler.server.zk;

import org.apache.curator.utils.ZKPaths;

/**
 * Where Tern keeps its state in ZooKeeper, under one root (default {@code /tern}).
 *
 * <pre>
 * /cluster-id                 a random UUID drawn when the state was created; never changes
 * /epoch                      the leader epoch (decimal); each new leader increments it
 * /leader                     Curator LeaderLatch; participant id = the replica's gRPC address
 * /jobs/SHARD/JOB_ID          tern.v1.Job, one shard per 1,000 job numbers
 * /nodes/NODE_ID              tern.v1.Node as last registered
 * /offpeak/NAME               tern.v1.OffPeakWindow
 * /budgets/TEAM               tern.v1.Budget
 * /checkpoints-retired        an instant (ISO-8601): every finished job whose last attempt ended
 *                             before it has had its checkpoints deleted (retired)
 * /checkpoint-store           the identity (JSON) of the file checkpoint store the cluster uses,
 *                             as its .tern-store.json says; written once, when a scheduler first
 *                             initialises or adopts the store (CheckpointStoreRecord)
 * </pre>
 */
public record ZkPaths(String root) {
  /** Jobs per shard znode: keeps every child list far below ZooKeeper's 1 MB response limit. */
  public static final int JOBS_PER_SHARD = 1000;

  public static ZkPaths defaults() {
    return new ZkPaths("/tern");
  }

  public String clusterId() {
    return root + "/cluster-id";
  }

  public String epoch() {
    return root + "/epoch";
  }

  public String leader() {
    return root + "/leader";
  }

  public String jobs() {
    return root + "/jobs";
  }

  public String jobShard(long jobNumber) {
    return jobs() + "/" + JobIds.zeroPadded(jobNumber / JOBS_PER_SHARD, 5);
  }

  public String job(String jobId) {
    return jobShard(JobIds.number(jobId)) + "/" + jobId;
  }

  public String nodes() {
    return root + "/nodes";
  }

  public String node(String nodeId) {
    return ZKPaths.makePath(nodes(), nodeId);
  }

  public String offPeakWindows() {
    return root + "/offpeak";
  }

  public String offPeakWindow(String name) {
    return ZKPaths.makePath(offPeakWindows(), name);
  }

  public String budgets() {
    return root + "/budgets";
  }

  public String budget(String team) {
    return ZKPaths.makePath(budgets(), team);
  }

  public String checkpointsRetired() {
    return root + "/checkpoints-retired";
  }

  public String checkpointStore() {
    return root + "/checkpoint-store";
  }
}
