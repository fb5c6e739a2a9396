package io.tern.agent.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One agent per work dir, across processes; a dead holder's lock is gone with it. */
class WorkDirLockTest {
  @TempDir Path dir;

  /** Holds the lock of the work dir in args[0] until its stdin closes; says "locked" first. */
  public static final class Holder {
    public static void main(String[] args) throws Exception {
      try (WorkDirLock lock = WorkDirLock.acquire(new WorkDir(Paths.get(args[0])))) {
        System.out.println("locked");
        System.out.flush();
        System.in.read();
      }
    }
  }

  @Test
  void aSecondAgentOnTheSameWorkDirIsRefusedUntilTheFirstIsGoneEvenByKillMinus9() throws Exception {
    WorkDir workDir = new WorkDir(dir.resolve("work"));
    Process holder =
        new ProcessBuilder(
                ProcessHandle.current().info().command().orElse("java"),
                "-cp",
                System.getProperty("java.class.path"),
                Holder.class.getName(),
                workDir.root().toString())
            .redirectErrorStream(true)
            .start();
    try (var out =
        new BufferedReader(
            new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8))) {
      assertThat(out.readLine()).isEqualTo("locked");

      assertThatThrownBy(() -> WorkDirLock.acquire(workDir))
          .isInstanceOf(WorkDirLock.WorkDirInUseException.class)
          .hasMessageContaining("another tern agent (pid " + holder.pid() + ")")
          .hasMessageContaining("own --work-dir");

      holder.destroyForcibly(); // SIGKILL: the kernel drops its lock
      assertThat(holder.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }
    try (WorkDirLock mine = WorkDirLock.acquire(workDir)) {
      assertThatThrownBy(() -> WorkDirLock.acquire(workDir))
          .as("a second agent in this process")
          .isInstanceOf(WorkDirLock.WorkDirInUseException.class);
    }
    WorkDirLock.acquire(workDir).close(); // released on close
  }
}
