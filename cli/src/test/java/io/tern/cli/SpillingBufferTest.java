package io.tern.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class SpillingBufferTest {
  @Test
  void bytesUnderTheThresholdStayInMemoryAndReadBackWhole() throws IOException {
    SpillingBuffer buffer = new SpillingBuffer(1024);
    byte[] written = bytes(1024, 1);
    try (OutputStream out = buffer) {
      out.write(written, 0, 1000);
      out.write(written[1000]);
      out.write(written, 1001, 23);
    }

    assertThat(buffer.spilled()).isFalse();
    assertThat(buffer.size()).isEqualTo(1024);
    assertThat(readAll(buffer)).isEqualTo(written);
    assertThat(readAll(buffer)).as("read twice").isEqualTo(written);
    buffer.discard();
  }

  @Test
  void bytesOverTheThresholdGoOnToAFileThatDiscardRemoves() throws IOException {
    Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
    long filesBefore = spillFiles(tmp);
    SpillingBuffer buffer = new SpillingBuffer(4096);
    byte[] written = bytes(3 * 4096 + 17, 2);
    try (OutputStream out = buffer) {
      for (int at = 0; at < written.length; at += 1000) {
        out.write(written, at, Math.min(1000, written.length - at));
      }
    }

    assertThat(buffer.spilled()).isTrue();
    assertThat(buffer.size()).isEqualTo(written.length);
    assertThat(spillFiles(tmp)).isEqualTo(filesBefore + 1);
    assertThat(readAll(buffer)).isEqualTo(written);
    buffer.discard();
    assertThat(spillFiles(tmp)).as("the file is gone").isEqualTo(filesBefore);
  }

  @Test
  void aSingleWriteLargerThanTheThresholdSpillsWhatWasHeldFirst() throws IOException {
    SpillingBuffer buffer = new SpillingBuffer(100);
    byte[] written = bytes(500, 3);
    try (OutputStream out = buffer) {
      out.write(written, 0, 60);
      out.write(written, 60, 440);
    }

    assertThat(buffer.spilled()).isTrue();
    assertThat(readAll(buffer)).isEqualTo(written);
    buffer.discard();
  }

  private static byte[] readAll(SpillingBuffer buffer) throws IOException {
    try (InputStream in = buffer.read()) {
      return in.readAllBytes();
    }
  }

  private static byte[] bytes(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  private static long spillFiles(Path tmp) throws IOException {
    try (Stream<Path> files = Files.list(tmp)) {
      return files.filter(f -> f.getFileName().toString().startsWith("tern-workdir-")).count();
    }
  }
}
