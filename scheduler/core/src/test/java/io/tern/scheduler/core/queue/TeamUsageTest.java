package io.tern.scheduler.core.queue;

import static io.tern.scheduler.core.Fixtures.job;
import static org.assertj.core.api.Assertions.assertThat;

import io.tern.scheduler.core.policy.Budget;
import io.tern.scheduler.core.policy.OffPeakStatus;
import io.tern.scheduler.core.policy.PolicySnapshot;
import io.tern.scheduler.core.policy.TeamPolicy;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Teams asked by dense index and by name see one and the same usage. */
class TeamUsageTest {

  /** Usage on a 100-GPU cluster where team vision has {@code weight}, 8 guaranteed, 8 to borrow. */
  private static TeamUsage usage(double weight) {
    PolicySnapshot policy =
        PolicySnapshot.of(
            OffPeakStatus.openUntil(Instant.parse("2030-01-01T00:00:00Z")),
            List.of(new TeamPolicy("vision", weight, 8, 8, Budget.UNLIMITED)),
            List.of());
    return new TeamUsage(policy, 100, 1000, 1_000_000);
  }

  @Test
  void indicesAreDenseInOrderOfFirstSightAndAgreeWithNames() {
    TeamUsage usage = usage(2.0);
    assertThat(usage.index("nlp")).isZero();
    assertThat(usage.index("vision")).isEqualTo(1);
    assertThat(usage.index("nlp")).isZero();
    assertThat(usage.teamCount()).isEqualTo(2);
    assertThat(usage.name(1)).isEqualTo("vision");

    usage.add(1, job("a", 4).team("vision").build().resources());
    usage.add(usage.index("vision"), job("b", 2).team("vision").build().resources());
    assertThat(usage.gpus(1)).isEqualTo(6).isEqualTo(usage.gpus("vision"));
    assertThat(usage.version(1)).isEqualTo(2).isEqualTo(usage.version("vision"));
    assertThat(usage.policy(1)).isSameAs(usage.policy("vision"));
    assertThat(usage.withinGuarantee(1, 2)).isTrue();
    assertThat(usage.withinGuarantee(1, 3)).isFalse();
    assertThat(usage.wouldExceedCap(1, 10)).isFalse();
    assertThat(usage.wouldExceedCap(1, 11)).isTrue();
    assertThat(usage.weightedDominantShare(1))
        .isEqualTo(usage.weightedDominantShare("vision"))
        .isEqualTo(0.06 / 2.0);
    assertThat(usage.gpus(0)).isZero();
  }

  @Test
  void runningJobsAreCountedByTeamNameWhateverTheNameObject() {
    TeamUsage usage = usage(1.0);
    String vision = "vision";
    usage.addRunning(vision, 4, 16, 1024);
    usage.addRunning(new String("vision"), 2, 8, 512);
    for (int t = 0; t < 20; t++) {
      usage.addRunning("team-" + t, 1, 1, 1);
    }
    usage.addRunning(vision, 1, 2, 3);

    assertThat(usage.gpus("vision")).isEqualTo(7);
    assertThat(usage.version("vision")).isEqualTo(3);
    assertThat(usage.index("vision")).isZero();
    assertThat(usage.teamCount()).isEqualTo(21);
    assertThat(usage.gpus("team-19")).isEqualTo(1);
    assertThat(usage.weightedDominantShare("vision")).isEqualTo(0.07);
  }
}
