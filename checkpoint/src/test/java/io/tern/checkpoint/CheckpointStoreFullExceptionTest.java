package io.tern.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;

class CheckpointStoreFullExceptionTest {

  static boolean hasDevFull() {
    return Files.isWritable(Path.of("/dev/full"));
  }

  /** /dev/full answers every write with ENOSPC: the very error a full disk gives. */
  @Test
  @EnabledIf("hasDevFull")
  void theErrorOfARealFullDeviceIsRecognised() {
    IOException real =
        catchThrowableOfType(
            IOException.class,
            () -> {
              try (OutputStream out = Files.newOutputStream(Path.of("/dev/full"))) {
                out.write(new byte[4096]);
              }
            });
    assertThat(CheckpointStoreFullException.isFull(real)).as(real.toString()).isTrue();
    IOException classified = CheckpointStoreFullException.classify(new IOException("copy", real));
    assertThat(classified)
        .isInstanceOf(CheckpointStoreFullException.class)
        .hasMessageContaining("No space left on device");
  }

  @Test
  void quotasAndObjectStoresAreRecognisedAndOtherErrorsAreNot() {
    assertThat(
            CheckpointStoreFullException.isFull(
                new FileSystemException("/ckpt", null, "Disk quota exceeded")))
        .isTrue();
    assertThat(
            CheckpointStoreFullException.isFull(
                new IOException(
                    "upload failed", new RuntimeException("QuotaExceeded: bucket over quota"))))
        .isTrue();
    IOException other = new IOException("Connection refused");
    assertThat(CheckpointStoreFullException.isFull(other)).isFalse();
    assertThat(CheckpointStoreFullException.classify(other)).isSameAs(other);
  }
}
