package io.tern.simulator.trace;

import static org.assertj.core.api.Assertions.assertThat;

import io.tern.scheduler.core.model.CapacityPreference;
import io.tern.scheduler.core.model.PriorityClass;
import io.tern.simulator.TestPaths;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NativeTraceWriterTest {
  @TempDir Path dir;

  @Test
  void whatItWritesReadsBackToEqualJobs() throws Exception {
    List<TraceJob> jobs = NativeTraceReader.read(TestPaths.resource("traces/small.csv"));
    List<TraceJob> odd =
        List.of(
            new TraceJob(
                "x,\"y\"",
                500,
                60,
                2,
                1000,
                3,
                "team, with comma",
                PriorityClass.LOW,
                CapacityPreference.SPOT_ONLY,
                0,
                TraceJob.NO_DEADLINE,
                List.of("H100", "A100"),
                80));
    Path file = dir.resolve("trace.csv");

    Files.writeString(file, NativeTraceWriter.write(concat(jobs, odd)));

    assertThat(Files.readString(file)).startsWith(NativeTraceWriter.HEADER + "\n");
    assertThat(NativeTraceReader.read(file)).isEqualTo(concat(jobs, odd));
  }

  @Test
  void aNodeListBesideANativeTraceIsReadWhenNoneIsGiven() throws Exception {
    Path trace = Files.writeString(dir.resolve("week.csv"), "id,submit,duration,gpus\na,0,60,2\n");
    Files.writeString(
        Workloads.besideNodeList(trace),
        "id,gpus,gpu_model,gpu_mem_gib,capacity\nn1,4,A100,40,spot\n");

    Workload w = Workloads.load("native", trace, null, AlibabaMapping.defaults(), 1);

    assertThat(Workloads.besideNodeList(trace).getFileName().toString())
        .isEqualTo("week.nodes.csv");
    assertThat(w.nodes()).containsExactly(new TraceNode("n1", 4, "A100", 40, "spot", Double.NaN));
    assertThat(w.mappingNotes()).anyMatch(n -> n.contains("found beside the trace"));
  }

  private static List<TraceJob> concat(List<TraceJob> a, List<TraceJob> b) {
    return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
  }
}
