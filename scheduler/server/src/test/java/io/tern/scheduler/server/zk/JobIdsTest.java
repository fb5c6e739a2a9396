package io.tern.scheduler.server.zk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class JobIdsTest {
  @Test
  void idsAndShardsAreZeroPaddedLikeTheFormatTheyReplace() {
    for (long n : new long[] {0, 7, 999, 123_456, 999_999, 1_000_000, 12_345_678_901L}) {
      assertThat(JobIds.of(n)).isEqualTo("job-" + String.format("%06d", n));
      assertThat(JobIds.number(JobIds.of(n))).isEqualTo(n);
      assertThat(ZkPaths.defaults().jobShard(n))
          .isEqualTo("/tern/jobs/" + String.format("%05d", n / ZkPaths.JOBS_PER_SHARD));
    }
  }

  @Test
  void negativeNumbersAreRefused() {
    assertThatThrownBy(() -> JobIds.zeroPadded(-1, 6)).isInstanceOf(IllegalArgumentException.class);
  }
}
