package io.tern.scheduler.server.loop;

import static org.assertj.core.api.Assertions.assertThat;

import io.tern.api.v1.Job;
import io.tern.scheduler.core.explain.Explanation;
import io.tern.scheduler.core.explain.PendingReason;
import io.tern.scheduler.core.explain.ReasonKind;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class JobEntryTest {
  private final JobEntry entry = new JobEntry(Job.newBuilder().setId("job-000001").build(), 0);
  private final List<PendingReason> noNodes =
      List.of(PendingReason.of(ReasonKind.NOT_ENOUGH_GPUS, "no nodes"));

  private Explanation why(List<PendingReason> reasons, Instant holdUntil) {
    return new Explanation("job-000001", reasons, holdUntil);
  }

  @Test
  void theSameReasonsInTheNextPlanAreRecognisedByIdentity() {
    assertThat(entry.explain(why(noNodes, null), noNodes, 1)).isFalse();
    assertThat(entry.explain(why(noNodes, null), noNodes, 2)).isTrue();
    assertThat(entry.explanation(2)).isNotNull();
  }

  @Test
  void otherReasonsAHoldUntilOrAPlanInBetweenAreChanges() {
    List<PendingReason> other = List.of(PendingReason.of(ReasonKind.NODE_DRAINING, "draining"));
    entry.explain(why(noNodes, null), noNodes, 1);
    assertThat(entry.explain(why(other, null), other, 2)).isFalse();
    assertThat(entry.explain(why(other, Instant.EPOCH), other, 3)).isFalse();
    assertThat(entry.explain(why(other, Instant.EPOCH), other, 4)).isTrue();
    // Plan 5 left the job out (placed, or not queued): plan 6 starts afresh.
    assertThat(entry.explain(why(other, Instant.EPOCH), other, 6)).isFalse();
  }

  @Test
  void anExplanationIsOnlyTheLastPlans() {
    entry.explain(why(noNodes, null), noNodes, 1);
    assertThat(entry.explanation(1)).isNotNull();
    assertThat(entry.explanation(2)).isNull();
  }
}
