package io.tern.scheduler.core.queue;

import static io.tern.scheduler.core.Fixtures.cluster;
import static io.tern.scheduler.core.Fixtures.job;
import static io.tern.scheduler.core.Fixtures.plan;
import static io.tern.scheduler.core.Fixtures.queue;
import static io.tern.scheduler.core.Fixtures.running;
import static io.tern.scheduler.core.Fixtures.spot;
import static org.assertj.core.api.Assertions.assertThat;

import io.tern.scheduler.core.explain.ReasonKind;
import io.tern.scheduler.core.plan.Placement;
import io.tern.scheduler.core.policy.Budget;
import io.tern.scheduler.core.policy.OffPeakStatus;
import io.tern.scheduler.core.policy.PolicySnapshot;
import io.tern.scheduler.core.policy.TeamPolicy;
import java.util.List;
import org.junit.jupiter.api.Test;

class QuotaTest {

  @Test
  void aTeamStopsAtItsQuotaPlusBorrowingLimit() {
    var policy =
        PolicySnapshot.of(
            OffPeakStatus.NO_WINDOWS,
            List.of(new TeamPolicy("vision", 1.0, 8, 4, Budget.UNLIMITED)),
            List.of());
    var node = spot("n1", 8);
    var held = running(job("r", 8).team("vision").build(), node, 0, 1, 2, 3, 4, 5, 6, 7);
    var plan =
        plan(
            cluster(List.of(node, spot("n2", 8)), held),
            queue(
                job("fits", 4).team("vision").build(),
                job("over", 1)
                    .team("vision")
                    .submittedAt(io.tern.scheduler.core.Fixtures.NOW)
                    .build()),
            policy);
    assertThat(plan.placements()).extracting(Placement::jobId).containsExactly("fits");
    var why = plan.explanationFor("over").orElseThrow();
    assertThat(why.primaryKind()).isEqualTo(ReasonKind.QUOTA);
    assertThat(why.toString()).isEqualTo("quota: team vision at 12 of 12 GPUs");
  }
}
