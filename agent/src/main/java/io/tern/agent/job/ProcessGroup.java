package io.tern.agent.job;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A job's process group (Linux), and the processes that left it. The job shim starts each job in
 * its own group, so {@code pgid == pid} of the job's first process. Signals go to the whole group
 * with {@code kill -s SIG -- -PGID}, so children the job spawned get them too. A process the job
 * moved out of the group (setsid, setpgid) is still the attempt's while its environment holds the
 * attempt's {@code TERN_CHECKPOINT_DIR} (as every process the job starts inherits it): given the
 * attempt ({@link #ProcessGroup(long, WorkDir, AttemptId)}), members and signals take those
 * processes in as well (not the attempt's shim, which carries the same environment), so a restarted
 * agent, a stop or a checkpoint reaches them even when the shim that kept them (the native one, a
 * subreaper) is gone.
 */
public final class ProcessGroup {
  private static final Logger log = LoggerFactory.getLogger(ProcessGroup.class);
  private static final Path PROC = Path.of("/proc");

  private final long pgid;

  /** {@code TERN_CHECKPOINT_DIR=DIR} as bytes, or null for the group alone. */
  private final byte[] marker;

  /** The shims' command lines start with one of these arguments: theirs is not the job's. */
  private final List<byte[]> shimArguments;

  /** The group alone. */
  public ProcessGroup(long pgid) {
    this(pgid, null, null);
  }

  /**
   * The group of attempt {@code id} and the processes outside it whose environment sets {@code
   * TERN_CHECKPOINT_DIR} to the attempt's ({@link WorkDir#checkpoints}), but for its shim.
   */
  public ProcessGroup(long pgid, WorkDir workDir, AttemptId id) {
    if (pgid <= 1) {
      throw new IllegalArgumentException("not a process group id: " + pgid);
    }
    this.pgid = pgid;
    this.marker =
        workDir == null
            ? null
            : ("TERN_CHECKPOINT_DIR=" + workDir.checkpoints(id)).getBytes(StandardCharsets.UTF_8);
    this.shimArguments =
        workDir == null
            ? List.of()
            : List.of(
                workDir.nativeShim().toString().getBytes(StandardCharsets.UTF_8),
                workDir.shim().toString().getBytes(StandardCharsets.UTF_8));
  }

  public long pgid() {
    return pgid;
  }

  /**
   * Sends {@code signal} (a {@link Signals#normalize normalized} name) to every process in the
   * group, and to those that left it (with a marker); returns false when the group has no process
   * left (or kill failed). Without a marker, no look at {@code /proc}: one {@code kill}.
   */
  public boolean signal(String signal) {
    if (marker == null) {
      return kill(signal, List.of("-" + pgid));
    }
    Members found = scan();
    return signal(signal, found) && !found.inGroup().isEmpty();
  }

  /**
   * SIGKILL to what is left of the attempt, in one look at {@code /proc}; returns those processes
   * (none: nothing was signalled).
   */
  public List<Long> killLeft() {
    Members found = scan();
    signal("KILL", found);
    List<Long> all = new ArrayList<>(found.inGroup());
    all.addAll(found.outside());
    return all;
  }

  /** {@code signal} to the members found: the group while it has any, and each one outside it. */
  private boolean signal(String signal, Members found) {
    List<String> targets = new ArrayList<>();
    if (!found.inGroup().isEmpty()) {
      // Only a group with members: an empty group's id may since be another's.
      targets.add("-" + pgid);
    }
    found.outside().forEach(pid -> targets.add(Long.toString(pid)));
    if (!found.outside().isEmpty()) {
      log.info("{}: {} also to {}, which left the group", this, signal, found.outside());
    }
    return !targets.isEmpty() && kill(signal, targets);
  }

  private boolean kill(String signal, List<String> targets) {
    List<String> argv = new ArrayList<>(List.of("kill", "-s", signal, "--"));
    argv.addAll(targets);
    ProcessBuilder kill =
        new ProcessBuilder(argv)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD);
    try {
      return kill.start().waitFor() == 0;
    } catch (IOException e) {
      log.error("cannot run kill -s {} -- {}: {}", signal, targets, e.getMessage());
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /**
   * Live (not zombie) processes of the group, and (with a marker) those that left it, read from
   * {@code /proc}.
   */
  public List<Long> members() {
    Members found = scan();
    List<Long> all = new ArrayList<>(found.inGroup());
    all.addAll(found.outside());
    return all;
  }

  private record Members(List<Long> inGroup, List<Long> outside) {}

  private Members scan() {
    List<Long> inGroup = new ArrayList<>();
    List<Long> outside = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(PROC, "[0-9]*")) {
      for (Path entry : entries) {
        String stat;
        try {
          stat = Files.readString(entry.resolve("stat"), StandardCharsets.US_ASCII);
        } catch (IOException gone) {
          continue; // exited while we looked
        }
        // pid (comm) state ppid pgrp ...; comm may hold spaces and parentheses.
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        if (fields.length <= 2 || fields[0].equals("Z")) {
          continue;
        }
        long pid = Long.parseLong(entry.getFileName().toString());
        if (Long.parseLong(fields[2]) == pgid) {
          inGroup.add(pid);
        } else if (marker != null
            && pid != ProcessHandle.current().pid()
            && holds(entry.resolve("environ"), marker, Integer.MAX_VALUE)
            && shimArguments.stream().noneMatch(shim -> holds(entry.resolve("cmdline"), shim, 2))) {
          outside.add(pid);
        }
      }
    } catch (IOException e) {
      log.warn("cannot list /proc: {}", e.getMessage());
    }
    return new Members(inGroup, outside);
  }

  /**
   * Whether one of the first {@code limit} NUL-separated entries of {@code file} (a process's
   * environ or cmdline, as it was exec'd) is {@code wanted}, whole.
   */
  private static boolean holds(Path file, byte[] wanted, int limit) {
    byte[] entries;
    try {
      entries = Files.readAllBytes(file);
    } catch (IOException | SecurityException unreadable) {
      return false; // gone, or another user's
    }
    int start = 0;
    for (int i = 0, seen = 0; i <= entries.length && seen < limit; i++) {
      if (i == entries.length || entries[i] == 0) {
        if (i - start == wanted.length
            && java.util.Arrays.equals(entries, start, i, wanted, 0, wanted.length)) {
          return true;
        }
        start = i + 1;
        seen++;
      }
    }
    return false;
  }

  @Override
  public String toString() {
    return "process group " + pgid;
  }
}
