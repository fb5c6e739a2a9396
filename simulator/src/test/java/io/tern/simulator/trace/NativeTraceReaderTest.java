package io.tern.simulator.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tern.scheduler.core.model.CapacityPreference;
import io.tern.scheduler.core.model.PriorityClass;
import io.tern.simulator.TestPaths;
import java.util.List;
import org.junit.jupiter.api.Test;

class NativeTraceReaderTest {
  @Test
  void readsEveryColumnAndIgnoresExtras() {
    List<TraceJob> jobs = NativeTraceReader.read(TestPaths.resource("traces/small.csv"));

    assertThat(jobs).extracting(TraceJob::id).containsExactly("a", "b", "c");
    TraceJob a = jobs.get(0);
    assertThat(a.priority()).isEqualTo(PriorityClass.HIGH);
    assertThat(a.checkpointIntervalSeconds()).isEqualTo(600);
    assertThat(a.hasDeadline()).isFalse();
    TraceJob b = jobs.get(1);
    assertThat(b.shareable()).isTrue();
    assertThat(b.gpuMilli()).isEqualTo(500);
    assertThat(b.nodes()).isEqualTo(1);
    assertThat(b.canCheckpoint()).isFalse();
    assertThat(b.deadlineSeconds()).isEqualTo(7200);
    assertThat(b.gpuModels()).containsExactly("V100", "A100");
    assertThat(b.capacity()).isEqualTo(CapacityPreference.ON_DEMAND);
    TraceJob c = jobs.get(2);
    assertThat(c.submitSeconds()).isEqualTo(120);
    assertThat(c.nodes()).isEqualTo(2);
    assertThat(c.gpuEquivalents()).isEqualTo(16.0);
    assertThat(c.capacity()).isEqualTo(CapacityPreference.SPOT_ONLY);
  }

  @Test
  void aColumnThatIsNotATraceColumnIsNamedInTheWorkloadsNotes(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    java.nio.file.Path trace = dir.resolve("typo.csv");
    java.nio.file.Files.writeString(trace, "id,submit,duration,gpus,Deadlin\nj1,0,3600,1,7200\n");

    Workload load = Workloads.load(null, trace, null, null, 0);

    assertThat(load.jobs().getFirst().hasDeadline()).isFalse();
    assertThat(load.mappingNotes())
        .anyMatch(
            n -> n.startsWith("columns ignored, not trace columns: deadlin (the columns: id,"));
    assertThat(NativeTraceReader.readTrace(TestPaths.resource("traces/small.csv")).ignoredColumns())
        .containsExactly("comment");
  }

  @Test
  void missingRequiredColumnIsNamed() {
    assertThatThrownBy(() -> NativeTraceReader.read(TestPaths.resource("traces/missing-gpus.csv")))
        .isInstanceOf(TraceFormatException.class)
        .hasMessageContaining("missing-gpus.csv")
        .hasMessageContaining("column 'gpus'")
        .satisfies(e -> assertThat(((TraceFormatException) e).column()).isEqualTo("gpus"));
  }

  @Test
  void badCellNamesRowAndColumn() {
    assertThatThrownBy(() -> NativeTraceReader.read(TestPaths.resource("traces/bad-priority.csv")))
        .isInstanceOf(TraceFormatException.class)
        .hasMessageContaining("row 3")
        .hasMessageContaining("column 'priority'")
        .hasMessageContaining("urgent")
        .satisfies(e -> assertThat(((TraceFormatException) e).row()).isEqualTo(3));
  }

  @Test
  void missingFileIsAnInputError() {
    assertThatThrownBy(
            () ->
                NativeTraceReader.read(
                    TestPaths.resource("traces/small.csv").resolveSibling("nope.csv")))
        .isInstanceOf(TraceFormatException.class)
        .hasMessageContaining("nope.csv");
  }
}
