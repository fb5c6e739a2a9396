package io.tern.simulator.trace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Rows the trace readers refuse, each naming its file, row and column. */
class TraceInputRefusalsTest {
  private static final String PODS =
      "name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,"
          + "deletion_time,scheduled_time\n";
  private static final String NODES =
      "sn,cpu_milli,memory_mib,gpu,model\nn1,96000,393216,8,V100M32\n";

  @TempDir Path dir;

  private Workload alibaba(String row) throws Exception {
    Path pods =
        Files.writeString(
            dir.resolve("pods.csv"), PODS + "ok,1000,1024,1,1000,,LS,Running,0,100,0\n" + row);
    Path nodes = Files.writeString(dir.resolve("nodes.csv"), NODES);
    return AlibabaTraceImporter.importTrace(pods, nodes, AlibabaMapping.defaults(), 1);
  }

  private void refusedAt(String row, String column, String words) {
    assertThatThrownBy(() -> alibaba(row))
        .isInstanceOf(TraceFormatException.class)
        .hasMessageContaining("pods.csv")
        .hasMessageContaining("row 3")
        .hasMessageContaining("column '" + column + "'")
        .hasMessageContaining(words);
  }

  @Test
  void aPodDeletedBeforeItWasScheduledOrScheduledBeforeItWasCreatedIsRefused() {
    refusedAt(
        "p,1000,1024,1,1000,,LS,Running,10,50,60\n",
        "deletion_time",
        "before the pod's scheduled_time (60)");
    refusedAt(
        "p,1000,1024,1,1000,,LS,Running,10,50,5\n",
        "scheduled_time",
        "before the pod's creation_time (10)");
    refusedAt(
        "p,1000,1024,1,1000,,LS,Pending,10,5,\n",
        "deletion_time",
        "before the pod's creation_time (10)");
  }

  @Test
  void aShareOfMoreThanAWholeGpuIsRefused() {
    refusedAt("p,1000,1024,1,2500,,LS,Running,0,50,0\n", "gpu_milli", "more than a whole GPU");
  }

  @Test
  void aTimeBeyondAnyTraceIsRefusedRatherThanLeavingEveryJobUnfinished() {
    refusedAt(
        "p,1000,1024,1,1000,,LS,Running,0,99999999999999999999,0\n",
        "deletion_time",
        "more than 10^10 seconds");
  }

  @Test
  void aShortRowSaysSo() {
    refusedAt(
        "p,1000,1024,1\n", "creation_time", "is missing: the row has 4 fields, the header 11");
  }

  @Test
  void aZeroLengthPodRunsForASecond() throws Exception {
    Workload w = alibaba("p,1000,1024,1,1000,,LS,Running,7,7,7\n");

    assertThat(w.jobs())
        .filteredOn(j -> j.id().equals("p"))
        .singleElement()
        .satisfies(j -> assertThat(j.durationSeconds()).isEqualTo(1));
  }

  @Test
  void aFileThatIsNotTextIsAnInputError() throws Exception {
    Path binary =
        Files.write(
            dir.resolve("trace.csv"),
            new byte[] {'i', 'd', '\n', (byte) 0xC3, 0x28, (byte) 0xFF, 0, 1});

    assertThatThrownBy(() -> NativeTraceReader.read(binary))
        .isInstanceOf(TraceFormatException.class)
        .hasMessageContaining("trace.csv")
        .hasMessageContaining("is not UTF-8 text");
  }

  @Test
  void aJobAskingMoreGpusThanANodeHoldsIsRefusedNamingTheCell() throws Exception {
    Path trace =
        Files.writeString(dir.resolve("trace.csv"), "id,submit,duration,gpus\na,0,60,99\n");

    assertThatThrownBy(() -> NativeTraceReader.read(trace))
        .isInstanceOf(TraceFormatException.class)
        .hasMessageContaining("row 2")
        .hasMessageContaining("column 'gpus'")
        .hasMessageContaining("more than a node holds (64)");
  }

  @Test
  void aNodeListCarriesWhatEachNodeCostAndRefusesABadPriceOrCapacity() throws Exception {
    Path good =
        Files.writeString(
            dir.resolve("good.csv"),
            "id,gpus,gpu_model,gpu_mem_gib,capacity,pool,price_per_hour_usd\n"
                + "od-1,2,L4,24,on-demand,g6.12xlarge,2.0000\n"
                + "spot-1,1,L4,24,spot,g6.xlarge,0.5\n"
                + "old,1,L4,24,,,\n"
                + "unpriced,1,L4,24,on-demand,local,0.0000\n");

    assertThat(NodeListReader.read(good))
        .containsExactly(
            new TraceNode("od-1", 2, "L4", 24, "on-demand", 2.0),
            new TraceNode("spot-1", 1, "L4", 24, "spot", 0.5),
            new TraceNode("old", 1, "L4", 24),
            new TraceNode("unpriced", 1, "L4", 24, "on-demand", Double.NaN));

    String header = "id,gpus,gpu_model,capacity,price_per_hour_usd\n";
    for (String[] bad :
        new String[][] {
          {"n,1,L4,reserved,1.0\n", "capacity", "'reserved' is not spot or on-demand"},
          {"n,1,L4,spot,-1\n", "price_per_hour_usd", "must be a finite number >= 0"},
          {"n,1,L4,,1.0\n", "capacity", "a price needs the capacity it was paid for"},
        }) {
      Path file = Files.writeString(dir.resolve("bad.csv"), header + bad[0]);
      assertThatThrownBy(() -> NodeListReader.read(file))
          .as(bad[0])
          .isInstanceOf(TraceFormatException.class)
          .hasMessageContaining("row 2")
          .hasMessageContaining("column '" + bad[1] + "'")
          .hasMessageContaining(bad[2]);
    }
  }

  @Test
  void moreGpusThanANodeMayHaveAndADirectoryAreRefusedNamingWhere() throws Exception {
    Path nodes = Files.writeString(dir.resolve("big.csv"), "id,gpus,gpu_model\nn1,65,A100\n");
    assertThatThrownBy(() -> NodeListReader.read(nodes))
        .isInstanceOf(TraceFormatException.class)
        .hasMessageContaining("big.csv")
        .hasMessageContaining("row 2")
        .hasMessageContaining("column 'gpus'")
        .hasMessageContaining("more than a node may have (64)");
    refusedAt("p,1000,1024,65,1000,,LS,Running,0,50,0\n", "num_gpu", "more than a node may have");
    assertThatThrownBy(() -> NativeTraceReader.read(dir))
        .isInstanceOf(TraceFormatException.class)
        .hasMessageContaining("is a directory");
  }
}
