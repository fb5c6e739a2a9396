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
  void anArraysTasksShareItsNumberAndShard() {
    String task = JobIds.task(JobIds.of(7), 42);

    assertThat(task).isEqualTo("job-000007-42");
    assertThat(JobIds.isValid(task)).isTrue();
    assertThat(JobIds.number(task)).isEqualTo(7);
    assertThat(ZkPaths.defaults().job(task)).isEqualTo("/tern/jobs/00000/job-000007-42");
    for (String bad : new String[] {"job-7-", "job--1", "job-7-x", "job-7-1-2", "job-7-1234567"}) {
      assertThat(JobIds.isValid(bad)).as(bad).isFalse();
    }
  }

  @Test
  void negativeNumbersAreRefused() {
    assertThatThrownBy(() -> JobIds.zeroPadded(-1, 6)).isInstanceOf(IllegalArgumentException.class);
  }
}
