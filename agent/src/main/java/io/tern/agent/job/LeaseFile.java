package io.tern.agent.job;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.function.LongSupplier;

/**
 * The agent's lease as every job's shim reads it: {@code "FENCE_AT KILL_AT"} in centiseconds of
 * {@code /proc/uptime}, a clock every process on the host shares and that never jumps (wall-clock
 * changes do not move it). From FENCE_AT on a shim sends its job the fence signal, from KILL_AT on
 * SIGKILL (job-shim.sh). The agent computes its deadlines on {@link System#nanoTime} (the monotonic
 * clock too) and converts them here, at write time; the two clocks tick at the same rate, so the
 * conversion is exact to the file's 10 ms resolution.
 *
 * <p>The file is replaced atomically (write, rename), so a shim reads one lease or the next, never
 * a mix. A missing or unreadable file fences at once: a shim never runs a job on a lease nobody
 * wrote.
 *
 * <p>A full disk must not stop the lease, or every job on the node would be fenced: after the first
 * write, replacing it allocates nothing. Its text has one width ({@link #WIDTH}; the numbers are
 * padded with spaces, which the shims skip), two inodes take turns: the next lease is written over
 * the spare ({@code lease.next}) in place, the current one is kept by a second name ({@code
 * lease.spare}, a hard link), the spare is renamed over {@code lease}, and the old one becomes the
 * spare. Links and renames reuse directory entries; only the first write needs a block.
 *
 * <p>Not thread-safe: the agent writes it from its loop thread.
 */
public final class LeaseFile {
  /** A FENCE_AT no uptime reaches: the lease of an agent whose leader sets no node lease. */
  static final long NEVER = Long.MAX_VALUE / 4;

  private final Path file;
  private final LongSupplier nanoTime;
  private final LongSupplier uptimeCentis;

  /** The lease file of {@code workDir}, on the host's clocks. */
  public LeaseFile(WorkDir workDir) {
    this(workDir.lease(), System::nanoTime, LeaseFile::uptimeCentis);
  }

  LeaseFile(Path file, LongSupplier nanoTime, LongSupplier uptimeCentis) {
    this.file = file;
    this.nanoTime = nanoTime;
    this.uptimeCentis = uptimeCentis;
  }

  /**
   * Fence at {@code fenceAtNanos}, kill at {@code killAtNanos} (both on {@link System#nanoTime}).
   */
  public void write(long fenceAtNanos, long killAtNanos) throws IOException {
    // Rounded down: a shim fences up to 10 ms early rather than late.
    replace(uptimeCentisAt(fenceAtNanos), uptimeCentisAt(killAtNanos));
  }

  /** {@code atNanos} (on {@link System#nanoTime}) in centiseconds of {@code /proc/uptime}. */
  public long uptimeCentisAt(long atNanos) {
    return uptimeCentis.getAsLong() + Math.floorDiv(atNanos - nanoTime.getAsLong(), 10_000_000L);
  }

  /** No deadline: jobs run until stopped (a leader that sets no node lease). */
  public void unbounded() throws IOException {
    replace(NEVER, NEVER);
  }

  public Path path() {
    return file;
  }

  /** The length of the file's text: two numbers of 20 characters, a space and a newline. */
  static final int WIDTH = 42;

  private void replace(long fenceAtCentis, long killAtCentis) throws IOException {
    byte[] bytes =
        String.format("%20d %20d\n", fenceAtCentis, killAtCentis)
            .getBytes(StandardCharsets.US_ASCII);
    Path next = file.resolveSibling(file.getFileName() + ".next");
    Path spare = file.resolveSibling(file.getFileName() + ".spare");
    Files.createDirectories(file.getParent());
    try (FileChannel out =
        FileChannel.open(next, StandardOpenOption.WRITE, StandardOpenOption.CREATE)) {
      ByteBuffer buffer = ByteBuffer.wrap(bytes);
      while (buffer.hasRemaining()) {
        out.write(buffer, buffer.position());
      }
      if (out.size() > WIDTH) {
        out.truncate(WIDTH); // left by an older agent, whose text was shorter or longer
      }
    }
    Files.deleteIfExists(spare); // left by a write cut short
    boolean kept = false;
    if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
      try {
        Files.createLink(spare, file);
        kept = true;
      } catch (UnsupportedOperationException | IOException e) {
        // no hard links here: the old lease is let go, and the next write allocates a file
      }
    }
    Files.move(next, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    if (kept) {
      Files.move(spare, next, StandardCopyOption.ATOMIC_MOVE);
    }
  }

  /** {@code /proc/uptime} in centiseconds ("12345.67 ..." → 1234567). */
  static long uptimeCentis() {
    try {
      String text = Files.readString(Path.of("/proc/uptime"), StandardCharsets.US_ASCII);
      String first = text.substring(0, text.indexOf(' '));
      int dot = first.indexOf('.');
      long whole = Long.parseLong(first.substring(0, dot));
      String fraction = (first.substring(dot + 1) + "00").substring(0, 2);
      return whole * 100 + Long.parseLong(fraction);
    } catch (IOException | RuntimeException e) {
      throw new IllegalStateException("cannot read /proc/uptime: " + e, e);
    }
  }
}
