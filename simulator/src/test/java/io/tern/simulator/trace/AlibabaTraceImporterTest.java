package io.tern.simulator.trace;

import static org.assertj.core.api.Assertions.assertThat;

import io.tern.simulator.TestPaths;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class AlibabaTraceImporterTest {
  private static Workload load(AlibabaMapping mapping) {
    Path dir = TestPaths.sharedTraces().resolve("alibaba-gpu-v2023");
    return AlibabaTraceImporter.importTrace(
        dir.resolve("openb_pod_list_default.csv"), null, mapping);
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
    assertThat(first.priority()).isEqualTo(JobPriority.HIGH); // LS
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
  void unscheduledPodsCanBeReplayedAndDeadlinesDerived() {
    AlibabaMapping mapping =
        new AlibabaMapping(
            AlibabaMapping.defaults().qosPriority(), java.util.Map.of(), 4, 0, 2.0, true, false);
    Workload w = load(mapping);

    TraceJob pending =
        w.jobs().stream().filter(j -> j.id().equals("openb-pod-0061")).findFirst().orElseThrow();
    assertThat(pending.durationSeconds()).isEqualTo(10001403 - 10001278);
    assertThat(pending.deadlineSeconds()).isEqualTo(10001278 + 2 * (10001403 - 10001278));
    assertThat(pending.canCheckpoint()).isFalse();
    assertThat(pending.priority()).isEqualTo(JobPriority.LOW); // BE
  }
}
