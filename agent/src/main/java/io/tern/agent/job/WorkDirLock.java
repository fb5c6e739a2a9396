package io.tern.agent.job;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One agent per work dir: an exclusive lock ({@code flock}) on {@code WORK_DIR/agent.lock}, held
 * while the agent runs. A second agent started on the same work dir while the first is alive (even
 * stopped with SIGSTOP) would settle the first one's attempts as leftovers and fight it for the
 * node's connection to the leader, so it refuses to start; the kernel drops the lock of an agent
 * that dies, kill -9 included, so a restart after a crash is never refused. The file holds the
 * holder's pid, for the message.
 */
public final class WorkDirLock implements AutoCloseable {
  private final FileChannel channel;
  private final FileLock lock;

  private WorkDirLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /**
   * Takes the lock of {@code workDir}, creating it.
   *
   * @throws WorkDirInUseException when another live process holds it
   */
  public static WorkDirLock acquire(WorkDir workDir) throws IOException {
    Path file = workDir.root().resolve("agent.lock");
    Files.createDirectories(workDir.root());
    FileChannel channel =
        FileChannel.open(
            file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    FileLock lock;
    try {
      lock = channel.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null; // held by this process already: another agent in the same JVM
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
    if (lock == null) {
      String holder = new String(Files.readAllBytes(file), StandardCharsets.US_ASCII).strip();
      channel.close();
      throw new WorkDirInUseException(
          "another tern agent"
              + (holder.isEmpty() ? "" : " (pid " + holder + ")")
              + " is running on work dir "
              + workDir.root()
              + "; stop it first (a stopped or paused agent still holds it), or give this agent"
              + " its own --work-dir");
    }
    channel.truncate(0);
    channel.write(
        ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)),
        0);
    return new WorkDirLock(channel, lock);
  }

  @Override
  public void close() throws IOException {
    try (channel) {
      lock.release();
    }
  }

  /** Another agent runs on the work dir. */
  public static final class WorkDirInUseException extends IOException {
    private static final long serialVersionUID = 1L;

    WorkDirInUseException(String message) {
      super(message);
    }
  }
}
