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
    assertThat(Files.readString(dir.resolve("lease")))
        .isEqualTo(" ".repeat(14) + "124306" + " ".repeat(15) + "124806\n");
    file.write(nanoNow - 15_000_000L, nanoNow);
    assertThat(Files.readString(dir.resolve("lease")).strip().split(" +"))
        .containsExactly("123454", "123456");
  }

  @Test
  void unboundedIsBeyondAnyUptime() throws Exception {
    LeaseFile file = new LeaseFile(dir.resolve("lease"), System::nanoTime, () -> 1L);
    file.unbounded();
    String[] fields = Files.readString(dir.resolve("lease")).trim().split(" +");
    assertThat(Long.parseLong(fields[0])).isGreaterThan(1L << 60);
  }

  /**
   * On a full disk the lease must still be renewed: after the first write, two inodes take turns
   * and nothing new is allocated.
   */
  @Test
  void aRenewalReusesTheInodesOfTheLastTwoLeasesAndAllocatesNoFile() throws Exception {
    Path lease = dir.resolve("lease");
    LeaseFile file = new LeaseFile(lease, () -> 0L, () -> 100L);
    file.write(1_000_000_000L, 2_000_000_000L);
    file.write(1_000_000_000L, 2_000_000_000L);
    Object first = Files.getAttribute(lease, "unix:ino");
    Object spare = Files.getAttribute(dir.resolve("lease.next"), "unix:ino");
    assertThat(first).isNotEqualTo(spare);

    for (int i = 0; i < 4; i++) {
      file.write(3_000_000_000L + i, 4_000_000_000L);
      assertThat(Files.getAttribute(lease, "unix:ino")).isIn(first, spare);
      assertThat(Files.getAttribute(dir.resolve("lease.next"), "unix:ino")).isIn(first, spare);
    }
    assertThat(Files.size(lease)).isEqualTo(LeaseFile.WIDTH);
    assertThat(Files.readString(lease).strip().split(" +")).containsExactly("400", "500");
    try (var names = Files.list(dir)) {
      assertThat(names.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("lease", "lease.next");
    }
  }

  @Test
  void aLeaseLeftLongerByAnOlderAgentIsCutToTheNewWidth() throws Exception {
    Path lease = dir.resolve("lease");
    Files.writeString(dir.resolve("lease.next"), "9".repeat(100) + "\n");
    new LeaseFile(lease, () -> 0L, () -> 100L).write(1_000_000_000L, 2_000_000_000L);
    assertThat(Files.readString(lease).strip().split(" +")).containsExactly("200", "300");
  }

  @Test
  void readsTheHostsUptime() {
    long first = LeaseFile.uptimeCentis();
    assertThat(first).isPositive();
    assertThat(LeaseFile.uptimeCentis()).isGreaterThanOrEqualTo(first);
  }
}
