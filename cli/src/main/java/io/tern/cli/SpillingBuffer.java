package io.tern.cli;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Bytes written once and read back: held in memory up to a threshold, then in a temporary file
 * (created only then, removed by {@link #discard}). A submit packs its code here: most code is far
 * below the threshold, and creating a temporary file costs a client call about 10 ms (the random
 * name), where the upload of a large archive never holds it all in memory.
 */
final class SpillingBuffer extends OutputStream {
  private final int threshold;
  private ByteArrayOutputStream memory = new ByteArrayOutputStream();
  private Path file;
  private OutputStream fileOut;
  private long size;

  SpillingBuffer(int threshold) {
    this.threshold = threshold;
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] bytes, int offset, int length) throws IOException {
    if (file == null && memory.size() + (long) length > threshold) {
      file = Files.createTempFile("tern-workdir-", ".zip");
      fileOut = Files.newOutputStream(file);
      memory.writeTo(fileOut);
      memory = null;
    }
    if (file != null) {
      fileOut.write(bytes, offset, length);
    } else {
      memory.write(bytes, offset, length);
    }
    size += length;
  }

  @Override
  public void flush() throws IOException {
    if (fileOut != null) {
      fileOut.flush();
    }
  }

  /** The bytes written so far. */
  long size() {
    return size;
  }

  /** Whether the bytes went on to a file (over the threshold). */
  boolean spilled() {
    return file != null;
  }

  /** Ends the writing; what was written stays readable until {@link #discard}. */
  @Override
  public void close() throws IOException {
    if (fileOut != null) {
      fileOut.close();
    }
  }

  /** What was written, from the start. */
  InputStream read() throws IOException {
    close();
    return file == null
        ? new ByteArrayInputStream(memory.toByteArray())
        : Files.newInputStream(file);
  }

  /** Frees the memory and removes the file, if there is one. */
  void discard() throws IOException {
    memory = null;
    if (file != null) {
      close();
      Files.deleteIfExists(file);
    }
  }
}
