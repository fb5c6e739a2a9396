package io.tern.agent.job;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * Reads attempts' log files (stdout and stderr together, as written) from an offset, for {@code
 * tern logs} and {@code -f} followers: call again with {@link LogChunk#nextOffset()} to continue.
 * Thread-safe; reads while the job still writes.
 */
public final class JobLogs {
  /** The most one read returns, whatever is asked. */
  public static final int MAX_CHUNK = 1 << 20;

  private final WorkDir workDir;

  public JobLogs(WorkDir workDir) {
    this.workDir = workDir;
  }

  /**
   * Up to {@code maxBytes} of the log of {@code jobId} attempt {@code attempt}, from {@code
   * offset}. An offset past the end returns no bytes (the log may still grow).
   *
   * @throws NoSuchFileException when this agent has no log for the attempt
   * @throws IllegalArgumentException for a negative offset, a non-positive size or a bad job id
   */
  public LogChunk read(String jobId, int attempt, long offset, int maxBytes) throws IOException {
    if (offset < 0) {
      throw new IllegalArgumentException("offset must be 0 or more, got " + offset);
    }
    if (maxBytes <= 0) {
      throw new IllegalArgumentException("maxBytes must be positive, got " + maxBytes);
    }
    var path = workDir.log(new AttemptId(jobId, attempt));
    try (FileChannel file = FileChannel.open(path, StandardOpenOption.READ)) {
      long size = file.size();
      if (offset >= size) {
        return new LogChunk(new byte[0], offset, size);
      }
      ByteBuffer buffer =
          ByteBuffer.allocate((int) Math.min(Math.min(maxBytes, MAX_CHUNK), size - offset));
      long position = offset;
      while (buffer.hasRemaining()) {
        int n = file.read(buffer, position);
        if (n < 0) {
          break;
        }
        position += n;
      }
      byte[] data = Arrays.copyOf(buffer.array(), buffer.position());
      return new LogChunk(data, offset + data.length, size);
    }
  }

  /**
   * Where the last {@code lines} lines of the log of {@code jobId} attempt {@code attempt} start: 0
   * when the log has no more lines than that. A newline that ends the log ends its last line, it
   * does not start another.
   *
   * @throws NoSuchFileException when this agent has no log for the attempt
   * @throws IllegalArgumentException for a non-positive {@code lines} or a bad job id
   */
  public long tailOffset(String jobId, int attempt, int lines) throws IOException {
    if (lines <= 0) {
      throw new IllegalArgumentException("lines must be positive, got " + lines);
    }
    var path = workDir.log(new AttemptId(jobId, attempt));
    try (FileChannel file = FileChannel.open(path, StandardOpenOption.READ)) {
      long size = file.size();
      ByteBuffer block = ByteBuffer.allocate(64 * 1024);
      int newlines = 0;
      for (long end = size; end > 0; ) {
        long start = Math.max(0, end - block.capacity());
        block.clear().limit((int) (end - start));
        long position = start;
        while (block.hasRemaining() && file.read(block, position) > 0) {
          position = start + block.position();
        }
        for (int i = block.position() - 1; i >= 0; i--) {
          if (block.get(i) == '\n' && start + i != size - 1 && ++newlines == lines) {
            return start + i + 1;
          }
        }
        end = start;
      }
      return 0;
    }
  }

  /**
   * A piece of a log.
   *
   * @param nextOffset where the next read continues
   * @param size the log's size when read
   */
  public record LogChunk(byte[] data, long nextOffset, long size) {
    /** True when this chunk reached the end of what was written so far. */
    public boolean atEnd() {
      return nextOffset >= size;
    }
  }
}
