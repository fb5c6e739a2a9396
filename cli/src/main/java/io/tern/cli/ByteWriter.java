package io.tern.cli;

import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.Charset;

/**
 * A command's {@code out} that also hands out the byte stream under it, for a verb that writes
 * bytes as they came ({@code tern logs}): text goes through the writer in {@code charset}, bytes
 * straight to {@link #bytes()}. Without one, {@link ClientCommand#bytesOut} writes to stdout
 * itself.
 */
public final class ByteWriter extends PrintWriter {
  private final OutputStream bytes;

  /** Prints to {@code bytes} in {@code charset}, flushing at each line as picocli's own does. */
  public ByteWriter(OutputStream bytes, Charset charset) {
    super(new OutputStreamWriter(bytes, charset), true);
    this.bytes = bytes;
  }

  /** The stream under this writer, once what was printed before is flushed to it. */
  public OutputStream bytes() {
    flush();
    return bytes;
  }
}
