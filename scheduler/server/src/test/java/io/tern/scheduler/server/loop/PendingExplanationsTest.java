package io.tern.scheduler.server.loop;

import static org.assertj.core.api.Assertions.assertThat;

import io.tern.api.v1.Job;
import io.tern.scheduler.core.explain.Explanation;
import io.tern.scheduler.core.explain.PendingReason;
import io.tern.scheduler.core.explain.ReasonKind;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class PendingExplanationsTest {
  private final PendingExplanations explanations = new PendingExplanations();
  private final Map<String, JobEntry> entries = new HashMap<>();
  private final List<String> lookups = new ArrayList<>();
  private final Function<String, JobEntry> lookup =
      id -> {
        lookups.add(id);
        return entries.get(id);
      };
  private final List<PendingReason> noNodes =
      List.of(PendingReason.of(ReasonKind.NOT_ENOUGH_GPUS, "no nodes"));
  private final List<PendingReason> draining =
      List.of(PendingReason.of(ReasonKind.NODE_DRAINING, "draining"));

  private JobEntry job(String id) {
    return entries.computeIfAbsent(id, k -> new JobEntry(Job.newBuilder().setId(k).build(), 0));
  }

  private static Explanation why(String id, List<PendingReason> reasons, Instant holdUntil) {
    return new Explanation(id, reasons, holdUntil);
  }

  /** Records a plan; returns the ids reported as changed. */
  private List<String> plan(long number, Explanation... pending) {
    List<String> changed = new ArrayList<>();
    lookups.clear();
    explanations.record(
        number, List.of(pending), lookup, r -> r, (entry, e) -> changed.add(entry.id()));
    return changed;
  }

  @Test
  void theSameReasonsInTheNextPlanAreNeitherLookedUpNorReported() {
    job("job-000001");
    job("job-000002");
    assertThat(plan(1, why("job-000001", noNodes, null), why("job-000002", noNodes, null)))
        .containsExactly("job-000001", "job-000002");

    Explanation again = why("job-000001", noNodes, null);
    assertThat(plan(2, again, why("job-000002", noNodes, null))).isEmpty();
    assertThat(lookups).isEmpty();
    assertThat(explanations.get("job-000001")).isSameAs(again);
  }

  @Test
  void otherReasonsAHoldUntilOrAPlanInBetweenAreChanges() {
    job("job-000001");
    plan(1, why("job-000001", noNodes, null));
    assertThat(plan(2, why("job-000001", draining, null))).containsExactly("job-000001");
    assertThat(plan(3, why("job-000001", draining, Instant.EPOCH))).containsExactly("job-000001");
    assertThat(plan(4, why("job-000001", draining, Instant.EPOCH))).isEmpty();
    // Plan 5 left the job out (placed, or not queued): plan 6 starts afresh.
    assertThat(plan(6, why("job-000001", draining, Instant.EPOCH))).containsExactly("job-000001");
    explanations.none(7);
    assertThat(explanations.get("job-000001")).isNull();
    assertThat(plan(8, why("job-000001", draining, Instant.EPOCH))).containsExactly("job-000001");
  }

  @Test
  void newJobsAheadOfTheOldOnesAreReportedAndTheOldOnesStillRecognised() {
    for (int i = 1; i <= 5; i++) {
      job("job-00000" + i);
    }
    plan(1, why("job-000003", noNodes, null), why("job-000004", noNodes, null));
    assertThat(
            plan(
                2,
                why("job-000001", noNodes, null),
                why("job-000002", noNodes, null),
                why("job-000003", noNodes, null),
                why("job-000005", noNodes, null),
                why("job-000004", noNodes, null)))
        .containsExactly("job-000001", "job-000002", "job-000005");
    assertThat(lookups).containsExactly("job-000001", "job-000002", "job-000005");
  }

  @Test
  void aJobFarOutOfPlaceIsReportedAgainWhichTheLoopMayRepeatHarmlessly() {
    List<Explanation> first = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      String id = String.format("job-%06d", i);
      job(id);
      first.add(why(id, noNodes, null));
    }
    plan(1, first.toArray(Explanation[]::new));
    List<Explanation> moved = new ArrayList<>(first.subList(1, 200));
    moved.add(first.get(0));
    assertThat(plan(2, moved.toArray(Explanation[]::new))).containsExactly("job-000000");
  }

  @Test
  void aJobTheTermDoesNotKnowIsLeftOut() {
    job("job-000001");
    assertThat(plan(1, why("job-000009", noNodes, null), why("job-000001", noNodes, null)))
        .containsExactly("job-000001");
    assertThat(explanations.get("job-000009")).isNull();
    assertThat(explanations.get("job-000001")).isNotNull();
  }
}
