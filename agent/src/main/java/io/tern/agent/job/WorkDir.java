package io.tern.agent.job;

import java.nio.file.Path;

/**
 * Where an agent keeps its jobs' files, one directory per attempt:
 *
 * <pre>
 * WORK_DIR/jobs/JOB_ID/attempt-N/output.log    stdout and stderr of the attempt
 * WORK_DIR/jobs/JOB_ID/attempt-N/checkpoints/  TERN_CHECKPOINT_DIR (empty at start)
 * WORK_DIR/jobs/JOB_ID/attempt-N/resume/       TERN_RESUME_DIR (only when resuming)
 * WORK_DIR/jobs/JOB_ID/attempt-N/run/          the working directory when the spec names none;
 *                                              the job's shipped code is unpacked here
 * WORK_DIR/jobs/JOB_ID/attempt-N/tern-attempt  ... the attempt's record ({@link AttemptRecord})
 * WORK_DIR/lease                               the agent's lease, read by every job's shim
 * WORK_DIR/checkpoint-store.json               the store its leader last named (held to at start)
 * WORK_DIR/bin/job-shim                        the native shim each job runs under ({@link JobLauncher})
 * WORK_DIR/bin/job-shim.sh                     the script shim, where the native one is not used
 * </pre>
 */
public record WorkDir(Path root) {
  public WorkDir {
    root = root.toAbsolutePath().normalize();
  }

  public Path attempt(AttemptId id) {
    return root.resolve("jobs").resolve(id.jobId()).resolve("attempt-" + id.attempt());
  }

  public Path log(AttemptId id) {
    return attempt(id).resolve("output.log");
  }

  public Path checkpoints(AttemptId id) {
    return attempt(id).resolve("checkpoints");
  }

  public Path resume(AttemptId id) {
    return attempt(id).resolve("resume");
  }

  public Path run(AttemptId id) {
    return attempt(id).resolve("run");
  }

  /** Every attempt's directory has this parent's parent: {@code WORK_DIR/jobs}. */
  public Path jobs() {
    return root.resolve("jobs");
  }

  /** The lease file ({@link LeaseFile}). */
  public Path lease() {
    return root.resolve("lease");
  }

  /**
   * The identity of the checkpoint store the agent's leader last named: a restarted agent holds its
   * store to it before it registers, so that what it commits then goes nowhere else.
   */
  public Path checkpointStore() {
    return root.resolve("checkpoint-store.json");
  }

  /**
   * Where the agent installs the {@code tern} Python package ({@code tern.checkpoint}) it puts on
   * every job's {@code PYTHONPATH}.
   */
  public Path python() {
    return root.resolve("python");
  }

  /** The job shim script ({@link JobLauncher}, {@link JobShim#BASH}). */
  public Path shim() {
    return root.resolve("bin").resolve("job-shim.sh");
  }

  /** The native job shim ({@link JobLauncher}, {@link JobShim#NATIVE}). */
  public Path nativeShim() {
    return root.resolve("bin").resolve("job-shim");
  }
}
