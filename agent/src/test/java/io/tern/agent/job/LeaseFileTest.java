package io.tern.agent.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Deadlines on the agent's nanoTime become the shims' /proc/uptime centiseconds. */
class LeaseFileTest {
  @TempDir Path dir;

  @Test
  void convertsDeadlinesToUptimeCentisRoundingDown() throws Exception {
    long nanoNow = 5_000_000_000L;
    LeaseFile file = new LeaseFile(dir.resolve("lease"), () -> nanoNow, () -> 123_456L);
    file.write(nanoNow + 8_505_000_000L, nanoNow + 13_500_000_000L);
    assertThat(Files.readString(dir.resolve("lease"))).isEqualTo("124306 124806\n");
    file.write(nanoNow - 15_000_000L, nanoNow);
    assertThat(Files.readString(dir.resolve("lease"))).isEqualTo("123454 123456\n");
  }

  @Test
  void unboundedIsBeyondAnyUptime() throws Exception {
    LeaseFile file = new LeaseFile(dir.resolve("lease"), System::nanoTime, () -> 1L);
    file.unbounded();
    String[] fields = Files.readString(dir.resolve("lease")).trim().split(" ");
    assertThat(Long.parseLong(fields[0])).isGreaterThan(1L << 60);
  }

  @Test
  void readsTheHostsUptime() {
    long first = LeaseFile.uptimeCentis();
    assertThat(first).isPositive();
    assertThat(LeaseFile.uptimeCentis()).isGreaterThanOrEqualTo(first);
  }
}
