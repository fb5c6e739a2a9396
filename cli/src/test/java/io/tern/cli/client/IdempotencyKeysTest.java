package io.tern.cli.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class IdempotencyKeysTest {
  @Test
  void keysAreDistinctVersion4Uuids() {
    Set<String> keys = new HashSet<>();
    for (int i = 0; i < 10_000; i++) {
      String key = IdempotencyKeys.fresh();
      UUID uuid = UUID.fromString(key);
      assertThat(uuid.version()).isEqualTo(4);
      assertThat(uuid.variant()).isEqualTo(2);
      assertThat(uuid.toString()).isEqualTo(key);
      keys.add(key);
    }
    assertThat(keys).hasSize(10_000);
  }

  @Test
  void theRandomBytesAreKeptButTheSixVersionAndVariantBits() {
    byte[] ones = new byte[16];
    java.util.Arrays.fill(ones, (byte) 0xff);

    assertThat(IdempotencyKeys.version4(ones))
        .isEqualTo(UUID.fromString("ffffffff-ffff-4fff-bfff-ffffffffffff"));
    assertThat(IdempotencyKeys.version4(new byte[16]))
        .isEqualTo(UUID.fromString("00000000-0000-4000-8000-000000000000"));
  }
}
