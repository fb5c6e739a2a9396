package io.tern.agent.job;

/**
 * Which program runs each attempt for the agent ({@link JobLauncher}): both keep the protocol
 * written at the top of {@code job-shim.sh} (the lease, the fence record, the job's pid and exit
 * records, the success record).
 */
public enum JobShim {
  /** {@link #NATIVE} where the build made it for this machine and it runs; {@link #BASH} if not. */
  AUTO,
  /**
   * One small process per attempt, compiled by the build from {@code src/main/c/job_shim.c} for the
   * build machine's architecture (a static Linux executable). It takes a fifth of the CPU of the
   * script's process chain, which dominates the cost of short jobs.
   */
  NATIVE,
  /** {@code setsid bash job-shim.sh}, with util-linux's setpriv for the parent-death signal. */
  BASH
}
