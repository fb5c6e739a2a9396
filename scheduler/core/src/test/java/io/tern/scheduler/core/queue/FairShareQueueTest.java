package io.tern.scheduler.core.queue;

import static io.tern.scheduler.core.Fixtures.NOW;
import static io.tern.scheduler.core.Fixtures.job;
import static org.assertj.core.api.Assertions.assertThat;

import io.tern.scheduler.core.model.Job;
import io.tern.scheduler.core.model.PriorityClass;
import io.tern.scheduler.core.policy.Budget;
import io.tern.scheduler.core.policy.OffPeakStatus;
import io.tern.scheduler.core.policy.PolicySnapshot;
import io.tern.scheduler.core.policy.TeamPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FairShareQueueTest {

  private static List<String> drain(
      List<Job> jobs, FairShareQueue q, TeamUsage usage, boolean placeAll) {
    List<String> out = new ArrayList<>();
    for (int i = q.next(); i >= 0; i = q.next()) {
      Job j = jobs.get(i);
      out.add(j.id());
      if (placeAll) {
        usage.add(usage.index(j.team()), j.resources());
      }
    }
    return out;
  }

  private static TeamUsage usage(PolicySnapshot policy) {
    return new TeamUsage(policy, 100, 1000, 1_000_000);
  }

  @Test
  void higherClassesComeFirstAndFifoHoldsInsideATeam() {
    var usage = usage(PolicySnapshot.defaults());
    var jobs =
        List.of(
            job("low", 1).priority(PriorityClass.LOW).submittedAt(NOW.minusSeconds(99)).build(),
            job("n2", 1).submittedAt(NOW.minusSeconds(10)).build(),
            job("n1", 1).submittedAt(NOW.minusSeconds(20)).build(),
            job("high", 1).priority(PriorityClass.HIGH).submittedAt(NOW).build());
    var q = new FairShareQueue(jobs, usage, Duration.ZERO, NOW);
    assertThat(drain(jobs, q, usage, false)).containsExactly("high", "n1", "n2", "low");
  }

  @Test
  void interruptedJobsGoFirstInTheirClassButNotAheadOfAHigherOne() {
    var usage = usage(PolicySnapshot.defaults());
    var jobs =
        List.of(
            job("a-old", 1).submittedAt(NOW.minusSeconds(50)).build(),
            job("b-resumed", 1)
                .team("team-b")
                .submittedAt(NOW.minusSeconds(10))
                .attempt(1)
                .resuming(true)
                .build(),
            job("low-resumed", 1)
                .priority(PriorityClass.LOW)
                .submittedAt(NOW.minusSeconds(5))
                .resuming(true)
                .build(),
            job("high", 1).priority(PriorityClass.HIGH).submittedAt(NOW).build(),
            job("a-new", 1).submittedAt(NOW.minusSeconds(1)).build());
    var q = new FairShareQueue(jobs, usage, Duration.ZERO, NOW);
    assertThat(drain(jobs, q, usage, true))
        .containsExactly("high", "b-resumed", "a-old", "a-new", "low-resumed");
  }

  @Test
  void teamsAlternateByDominantShareAsTheyArePlaced() {
    var usage = usage(PolicySnapshot.defaults());
    List<Job> jobs = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      jobs.add(job("a" + i, 10).team("a").submittedAt(NOW.plusSeconds(i)).build());
      jobs.add(job("b" + i, 10).team("b").submittedAt(NOW.plusSeconds(10 + i)).build());
    }
    var q = new FairShareQueue(jobs, usage, Duration.ZERO, NOW);
    assertThat(drain(jobs, q, usage, true)).containsExactly("a0", "b0", "a1", "b1", "a2", "b2");
  }

  @Test
  void aHeavierWeightedTeamGetsMoreTurns() {
    var policy =
        PolicySnapshot.of(
            OffPeakStatus.NO_WINDOWS,
            List.of(
                new TeamPolicy("a", 2.0, 0, TeamPolicy.UNLIMITED, Budget.UNLIMITED),
                new TeamPolicy("b", 1.0, 0, TeamPolicy.UNLIMITED, Budget.UNLIMITED)),
            List.of());
    var usage = usage(policy);
    List<Job> jobs = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      jobs.add(job("a" + i, 10).team("a").submittedAt(NOW.plusSeconds(i)).build());
      jobs.add(job("b" + i, 10).team("b").submittedAt(NOW.plusSeconds(i)).build());
    }
    var q = new FairShareQueue(jobs, usage, Duration.ZERO, NOW);
    List<String> order = drain(jobs, q, usage, true);
    assertThat(order.subList(0, 6)).containsExactly("a0", "b0", "a1", "a2", "b1", "a3");
  }

  @Test
  void teamsUnderTheirGuaranteeGoFirst() {
    var policy =
        PolicySnapshot.of(
            OffPeakStatus.NO_WINDOWS,
            List.of(new TeamPolicy("vision", 1.0, 20, 0, Budget.UNLIMITED)),
            List.of());
    var usage = new TeamUsage(policy, 100, 1000, 1_000_000);
    // "aaa" has no guarantee and sorts first by name; vision is under its quota of 20.
    var jobs = List.of(job("x", 10).team("aaa").build(), job("v", 10).team("vision").build());
    var q = new FairShareQueue(jobs, usage, Duration.ZERO, NOW);
    assertThat(drain(jobs, q, usage, true)).containsExactly("v", "x");
  }

  @Test
  void agingPromotesLongWaitingLowJobsToNormal() {
    var usage = usage(PolicySnapshot.defaults());
    var old =
        job("old-low", 1).priority(PriorityClass.LOW).submittedAt(NOW.minus(Duration.ofHours(13)));
    var jobs =
        List.of(
            job("normal", 1).submittedAt(NOW.minusSeconds(5)).build(),
            old.build(),
            job("new-low", 1).priority(PriorityClass.LOW).submittedAt(NOW.minusSeconds(9)).build());
    var q = new FairShareQueue(jobs, usage, Duration.ofHours(12), NOW);
    assertThat(drain(jobs, q, usage, false)).containsExactly("old-low", "normal", "new-low");
    assertThat(FairShareQueue.effectiveClass(old.build(), Duration.ofHours(12), NOW))
        .isEqualTo(PriorityClass.NORMAL);
  }

  @Test
  void inputOrderDoesNotMatterAndTiesGoByJobId() {
    var usage = usage(PolicySnapshot.defaults());
    var jobs =
        List.of(
            job("c", 1).submittedAt(NOW).build(),
            job("b", 1).submittedAt(NOW).build(),
            job("a", 1).submittedAt(NOW.minusNanos(1)).build(),
            job("d", 1).submittedAt(NOW.minusSeconds(1)).build());
    var q = new FairShareQueue(jobs, usage, Duration.ZERO, NOW);
    assertThat(drain(jobs, q, usage, false)).containsExactly("d", "a", "b", "c");
  }
}
