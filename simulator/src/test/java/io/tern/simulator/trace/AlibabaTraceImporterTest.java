package io.tern.simulator.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tern.scheduler.core.model.PriorityClass;
import io.tern.simulator.TestPaths;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class AlibabaTraceImporterTest {
  private static Workload load(AlibabaMapping mapping) {
    return load(mapping, 1);
  }

  private static Workload load(AlibabaMapping mapping, long seed) {
    Path dir = TestPaths.sharedTraces().resolve("alibaba-gpu-v2023");
    return AlibabaTraceImporter.importTrace(
        dir.resolve("openb_pod_list_default.csv"), null, mapping, seed);
  }

  @Test
  void importsTheRealTraceWithDefaults() {
    Workload w = load(AlibabaMapping.defaults());

    // 8,152 pods - 1,088 CPU-only pods - 861 GPU pods never scheduled
    assertThat(w.jobs()).hasSize(6203);
    assertThat(w.nodes()).hasSize(1213);
    assertThat(w.nodes().stream().mapToInt(TraceNode::gpus).sum()).isEqualTo(6212);
    assertThat(w.jobs()).allSatisfy(j -> assertThat(j.gpus()).isPositive());
    assertThat(w.jobs().stream().filter(TraceJob::shareable).count()).isEqualTo(2573);
    TraceJob first = w.jobs().get(0);
    assertThat(first.id()).isEqualTo("openb-pod-0000");
    assertThat(first.durationSeconds()).isEqualTo(12537496);
    assertThat(first.priority()).isEqualTo(PriorityClass.HIGH); // LS
    assertThat(w.jobs())
        .isSortedAccordingTo(
            java.util.Comparator.comparingLong(TraceJob::submitSeconds)
                .thenComparing(TraceJob::id));
    assertThat(w.mappingNotes())
        .anyMatch(n -> n.contains("left out 861 never scheduled and 1088 CPU-only"));
  }

  @Test
  void teamsAreDeterministicAndSpread() {
    Workload a = load(AlibabaMapping.defaults());
    Workload b = load(AlibabaMapping.defaults());

    assertThat(a.jobs())
        .extracting(TraceJob::team)
        .isEqualTo(b.jobs().stream().map(TraceJob::team).toList());
    assertThat(a.jobs().stream().map(TraceJob::team).distinct().count()).isEqualTo(8);
  }

  @Test
  void unscheduledPodsCanBeReplayedAndEveryPodGivenADeadline() {
    AlibabaMapping mapping =
        new AlibabaMapping(
            AlibabaMapping.defaults().qosPriority(),
            java.util.Map.of(),
            4,
            0,
            1.0,
            2.0,
            0,
            true,
            false);
    Workload w = load(mapping);

    TraceJob pending =
        w.jobs().stream().filter(j -> j.id().equals("openb-pod-0061")).findFirst().orElseThrow();
    assertThat(pending.durationSeconds()).isEqualTo(10001403 - 10001278);
    assertThat(pending.deadlineSeconds()).isEqualTo(10001278 + 2 * (10001403 - 10001278));
    assertThat(pending.canCheckpoint()).isFalse();
    assertThat(pending.priority()).isEqualTo(PriorityClass.LOW); // BE
    assertThat(w.jobs()).allSatisfy(j -> assertThat(j.hasDeadline()).isTrue());
  }

  @Test
  void aSeededShareOfPodsGetsADeadlineOfSubmitPlusSlackTimesDuration() {
    AlibabaMapping mapping = AlibabaMapping.defaults().withDeadlines(0.2, 1.5);
    Workload seed1 = load(mapping, 1);
    Workload again = load(mapping, 1);
    Workload seed2 = load(mapping, 2);

    List<String> chosen = withDeadline(seed1);
    assertThat(withDeadline(again)).isEqualTo(chosen);
    assertThat(withDeadline(seed2)).isNotEqualTo(chosen);
    // 20% of 6,203 pods is 1,241; a binomial draw stays within 4 standard deviations (~126).
    assertThat(chosen.size()).isBetween(1241 - 126, 1241 + 126);
    assertThat(withDeadline(seed2).size()).isBetween(1241 - 126, 1241 + 126);
    for (TraceJob job : seed1.jobs()) {
      if (job.hasDeadline()) {
        assertThat(job.deadlineSeconds())
            .isEqualTo(
                job.submitSeconds()
                    + Math.max(
                        Math.round(1.5 * job.durationSeconds()), job.durationSeconds() + 3600));
      }
    }
    assertThat(seed1.mappingNotes())
        .anyMatch(
            n ->
                n.contains("20% of pods")
                    && n.contains("submit + 1.5 x duration, and at least 3600 s after"))
        .anyMatch(n -> n.contains(chosen.size() + " with a deadline"));
    assertThat(load(mapping.withDeadlines(0, 1.5)).jobs()).noneMatch(TraceJob::hasDeadline);
  }

  @Test
  void aDeadlineShareOutsideZeroToOneOrASlackBelowOneIsRefused() {
    assertThatThrownBy(() -> AlibabaMapping.defaults().withDeadlines(1.2, 1.5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("deadline share");
    assertThatThrownBy(() -> AlibabaMapping.defaults().withDeadlines(0.2, 0.9))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("deadline slack");
  }

  private static List<String> withDeadline(Workload w) {
    return w.jobs().stream().filter(TraceJob::hasDeadline).map(TraceJob::id).toList();
  }
}
