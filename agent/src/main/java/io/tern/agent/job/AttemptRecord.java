package io.tern.agent.job;

import io.tern.api.v1.JobStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

/**
 * What an agent keeps on the node's disk about one attempt until the leader has acknowledged how it
 * ended, so that an agent that starts later (after kill -9, a crash, a reboot) finds every attempt
 * an earlier agent left, running or ended, and settles it before it registers ({@link
 * LeftoverAttempts}). Files, in the attempt's directory ({@link WorkDir#attempt}):
 *
 * <pre>
 * tern-attempt   written by the agent before the job starts: job, attempt, epoch, cluster id,
 *                fence signal, grace
 * job.pid        "PID STARTTIME\n" of the job (its process group leader), written by the shim
 * fenced         KILL_AT, created (O_EXCL) by whichever of shim and agent fenced the job first;
 *                left empty when its write failed (a full disk), which the shim takes as no claim
 * signalled      created by the agent before it signals the job (checkpoint or stop): an exit 0
 *                after it is not the job finishing by itself, so the shim records no success
 * exit           "CODE FENCED\n", written by the shim when the job ended
 * status.pb      the final JobStatus the agent reported, until the leader acknowledged it
 * </pre>
 *
 * The agent writes its files to a temporary name and renames them, so readers see all of it or
 * nothing; the shim writes job.pid and exit in place, each with one write (no mv process per job),
 * and they are read only once their newline is there. A directory with {@code tern-attempt} or
 * {@code status.pb} is unsettled; {@link #settle} deletes them (and the others) and keeps the
 * attempt's log and checkpoints.
 */
public record AttemptRecord(Path dir) {
  static final String RECORD = "tern-attempt";
  static final String PID = "job.pid";
  static final String FENCED = "fenced";
  static final String EXIT = "exit";
  static final String SIGNALLED = "signalled";
  static final String STATUS = "status.pb";

  /** Between the numbers of a file the shim writes (compiled once: the pid file is polled). */
  private static final java.util.regex.Pattern BLANKS = java.util.regex.Pattern.compile("\\s+");

  public static AttemptRecord of(WorkDir workDir, AttemptId id) {
    return new AttemptRecord(workDir.attempt(id));
  }

  /**
   * What the agent knew when it started the attempt.
   *
   * @param clusterId the cluster that placed it ({@code StartJob.cluster_id}; empty from a
   *     scheduler that sends none, and in records written before there were cluster ids)
   */
  public record Started(
      AttemptId id,
      long epoch,
      String clusterId,
      boolean checkpoints,
      String fenceSignal,
      long graceMillis) {}

  /** How the job ended, as the shim saw it. */
  public record Exit(int code, boolean fenced) {}

  /** The job's process: its pid (also its process group id) and start time in clock ticks. */
  public record JobPid(long pid, long startTicks) {}

  /** Records the attempt before its processes start. */
  public void started(Started started) throws IOException {
    Files.createDirectories(dir);
    Properties p = new Properties();
    p.setProperty("job", started.id().jobId());
    p.setProperty("attempt", Integer.toString(started.id().attempt()));
    p.setProperty("epoch", Long.toString(started.epoch()));
    p.setProperty("cluster", started.clusterId());
    p.setProperty("checkpoints", Boolean.toString(started.checkpoints()));
    p.setProperty("fenceSignal", started.fenceSignal());
    p.setProperty("graceMillis", Long.toString(started.graceMillis()));
    StringBuilder text = new StringBuilder();
    p.stringPropertyNames().stream()
        .sorted()
        .forEach(k -> text.append(k).append('=').append(p.getProperty(k)).append('\n'));
    write(RECORD, text.toString().getBytes(StandardCharsets.UTF_8));
  }

  /** The record written by {@link #started}, if there is one. */
  public Optional<Started> readStarted() throws IOException {
    Path file = dir.resolve(RECORD);
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    Properties p = new Properties();
    try (var in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      p.load(in);
    }
    try {
      return Optional.of(
          new Started(
              new AttemptId(p.getProperty("job"), Integer.parseInt(p.getProperty("attempt"))),
              Long.parseLong(p.getProperty("epoch", "0")),
              p.getProperty("cluster", ""),
              Boolean.parseBoolean(p.getProperty("checkpoints", "false")),
              p.getProperty("fenceSignal", "TERM"),
              Long.parseLong(p.getProperty("graceMillis", "10000"))));
    } catch (RuntimeException e) {
      throw new IOException(file + " is damaged: " + e.getMessage(), e);
    }
  }

  /**
   * The job's pid and start time, once the shim has written them whole: the shim writes the file in
   * place (one write, no rename), so a line without its newline is not there yet.
   */
  public Optional<JobPid> readPid() {
    return fields(PID, true).filter(f -> f.size() >= 2).map(f -> new JobPid(f.get(0), f.get(1)));
  }

  public Optional<Exit> readExit() {
    return fields(EXIT, true)
        .filter(f -> f.size() >= 2)
        .map(f -> new Exit(f.get(0).intValue(), f.get(1) == 1));
  }

  /**
   * Claims the fence of this attempt for the agent: true when the agent must send the fence signal
   * itself, false when the shim already has (the file exists: the shim created it, and signalled
   * even if its write failed and left it empty). The shim then enforces {@code killAtUptimeCentis}.
   *
   * @throws IOException when the claim could not be recorded: not created, or created but not
   *     written (a full disk leaves it empty). The agent must then signal the job itself, as when
   *     this returns true; the shim reads an empty or partial file as no claim and fences on its
   *     lease alone (a second fence signal at worst, never none).
   */
  public boolean claimFence(long killAtUptimeCentis) throws IOException {
    try {
      Files.writeString(
          dir.resolve(FENCED),
          killAtUptimeCentis + "\n",
          StandardCharsets.US_ASCII,
          java.nio.file.StandardOpenOption.CREATE_NEW,
          java.nio.file.StandardOpenOption.WRITE);
      return true;
    } catch (java.nio.file.FileAlreadyExistsException e) {
      return false;
    }
  }

  /**
   * Notes, before the agent signals the job, that it asked the job to checkpoint or stop: its exit
   * 0 then does not mean the job's work is done.
   */
  public void markSignalled() {
    try {
      Files.createDirectories(dir);
      write(SIGNALLED, new byte[0]);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot record the signal in " + dir, e);
    }
  }

  /** The agent asked the job to checkpoint or stop ({@link #markSignalled}). */
  public boolean signalled() {
    return Files.exists(dir.resolve(SIGNALLED));
  }

  /** The job was fenced (by its shim or the agent): its lease ran out while it ran. */
  public boolean fenced() {
    return Files.exists(dir.resolve(FENCED));
  }

  /** Keeps {@code status} until {@link #settle}: the leader has not acknowledged it yet. */
  public void saveStatus(JobStatus status) {
    try {
      Files.createDirectories(dir);
      write(STATUS, status.toByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public Optional<JobStatus> readStatus() throws IOException {
    Path file = dir.resolve(STATUS);
    // Cut as it is reported: one saved by an agent that did not cut it is reported again here.
    return Files.exists(file)
        ? Optional.of(StatusText.fit(JobStatus.parseFrom(Files.readAllBytes(file))))
        : Optional.empty();
  }

  /** The leader acknowledged how the attempt ended: nothing is left to report. */
  public void settle() {
    for (String name : List.of(STATUS, RECORD, EXIT, FENCED, PID)) {
      try {
        Files.deleteIfExists(dir.resolve(name));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /** True while the attempt has not been settled with a leader. */
  public boolean unsettled() {
    return Files.exists(dir.resolve(RECORD)) || Files.exists(dir.resolve(STATUS));
  }

  private Optional<List<Long>> fields(String name) {
    return fields(name, false);
  }

  /** The numbers in file {@code name}; with {@code whole}, only once it ends in a newline. */
  private Optional<List<Long>> fields(String name, boolean whole) {
    Path file = dir.resolve(name);
    // Asked first, as the pid file is polled until the shim writes it: a missing file costs no
    // exception (with its stack trace), and neither does an empty one.
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    try {
      String text = Files.readString(file, StandardCharsets.US_ASCII);
      if (text.isBlank() || (whole && !text.endsWith("\n"))) {
        return Optional.empty();
      }
      return Optional.of(
          java.util.Arrays.stream(BLANKS.split(text.trim())).map(Long::parseLong).toList());
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  private void write(String name, byte[] data) throws IOException {
    Path tmp = dir.resolve(name + ".tmp");
    Files.write(tmp, data);
    Files.move(
        tmp,
        dir.resolve(name),
        StandardCopyOption.ATOMIC_MOVE,
        StandardCopyOption.REPLACE_EXISTING);
  }
}
