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
 * A job's process group (Linux). The job shim starts each job in its own group, so {@code pgid ==
 * pid} of the job's first process. Signals go to the whole group with {@code kill -s SIG -- -PGID},
 * so children the job spawned get them too.
 */
public final class ProcessGroup {
  private static final Logger log = LoggerFactory.getLogger(ProcessGroup.class);
  private static final Path PROC = Path.of("/proc");

  private final long pgid;

  public ProcessGroup(long pgid) {
    if (pgid <= 1) {
      throw new IllegalArgumentException("not a process group id: " + pgid);
    }
    this.pgid = pgid;
  }

  public long pgid() {
    return pgid;
  }

  /**
   * Sends {@code signal} (a {@link Signals#normalize normalized} name) to every process in the
   * group; returns false when the group has no process left (or kill failed).
   */
  public boolean signal(String signal) {
    return kill(signal, "-" + pgid);
  }

  private boolean kill(String signal, String target) {
    ProcessBuilder kill =
        new ProcessBuilder("kill", "-s", signal, "--", target)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD);
    try {
      return kill.start().waitFor() == 0;
    } catch (IOException e) {
      log.error("cannot run kill -s {} -- {}: {}", signal, target, e.getMessage());
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Live (not zombie) processes of the group, read from {@code /proc}. */
  public List<Long> members() {
    List<Long> members = new ArrayList<>();
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
        if (fields.length > 2 && !fields[0].equals("Z") && Long.parseLong(fields[2]) == pgid) {
          members.add(Long.parseLong(entry.getFileName().toString()));
        }
      }
    } catch (IOException e) {
      log.warn("cannot list /proc: {}", e.getMessage());
    }
    return members;
  }

  @Override
  public String toString() {
    return "process group " + pgid;
  }
}
