package io.tern.cli.client;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

/**
 * Fresh idempotency keys for submits: random (version 4) UUIDs made of 16 bytes read straight from
 * the kernel's random source. {@link UUID#randomUUID()} draws the same bytes through a {@code
 * SecureRandom}, whose provider set-up costs a one-call process about 25 ms of CPU; it is still
 * used where {@code /dev/urandom} cannot be read.
 */
public final class IdempotencyKeys {
  private static final Path URANDOM = Path.of("/dev/urandom");

  private IdempotencyKeys() {}

  /** A key no earlier submit has used. */
  public static String fresh() {
    byte[] random;
    try (InputStream in = Files.newInputStream(URANDOM)) {
      random = in.readNBytes(16);
    } catch (IOException | UnsupportedOperationException e) {
      return UUID.randomUUID().toString();
    }
    return random.length == 16 ? version4(random).toString() : UUID.randomUUID().toString();
  }

  /** {@code random} (16 bytes) as a version 4, IETF variant UUID, as RFC 9562 lays it out. */
  static UUID version4(byte[] random) {
    ByteBuffer bytes = ByteBuffer.wrap(random);
    long high = (bytes.getLong() & ~0xF000L) | 0x4000L;
    long low = (bytes.getLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
    return new UUID(high, low);
  }
}
