package io.tern.cli.agent;

import static io.tern.cli.agent.TernRun.fakeNvml;
import static io.tern.cli.agent.TernRun.tern;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.jna.NativeLibrary;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tern gpus} against the fake libnvidia-ml.so. */
class GpusCommandTest {
  @TempDir Path dir;

  @AfterEach
  void resetFake() {
    fake("fake_nvml_reset");
  }

  @Test
  void tableHasTheColumns() {
    TernRun run = tern("gpus", "--nvml-lib", fakeNvml().toString());

    assertThat(run.exit()).as(run.err()).isZero();
    String[] lines = run.out().split("\n");
    assertThat(lines[0]).isEqualTo("NVIDIA driver 550.54.15, 2 GPUs");
    assertThat(lines[1].split(" +"))
        .containsExactly(
            "IDX", "NAME", "UUID", "MEMORY", "UTIL", "TEMP", "POWER", "PROCS", "HEALTH");
    assertThat(lines[2])
        .startsWith("0    NVIDIA H100 80GB HBM3  GPU-fa4e0000-0000-4000-8000-000000000000")
        .contains("1024 / 81559 MiB", "37%", "41 C", "123.5 W")
        .endsWith("1      ok");
    assertThat(lines[3]).startsWith("1 ").contains("42 C").endsWith("0      ok");
    assertThat(lines).hasSize(4);
    assertThat(run.err()).isEmpty();
  }

  @Test
  void jsonParses() throws Exception {
    TernRun run = tern("gpus", "--nvml-lib", fakeNvml().toString(), "-o", "json");

    assertThat(run.exit()).as(run.err()).isZero();
    JsonNode doc = new ObjectMapper().readTree(run.out());
    assertThat(doc.get("driverVersion").asText()).isEqualTo("550.54.15");
    JsonNode gpu = doc.get("gpus").get(0);
    assertThat(doc.get("gpus")).hasSize(2);
    assertThat(gpu.get("model").asText()).isEqualTo("H100");
    assertThat(gpu.get("uuid").asText()).isEqualTo("GPU-fa4e0000-0000-4000-8000-000000000000");
    assertThat(gpu.get("memoryTotalMiB").asLong()).isEqualTo(81559);
    assertThat(gpu.get("utilizationPercent").asInt()).isEqualTo(37);
    assertThat(gpu.get("powerW").asDouble()).isEqualTo(123.456);
    assertThat(gpu.at("/processes/0/pid").asLong()).isEqualTo(4242);
    assertThat(gpu.get("health").asText()).isEqualTo("ok");
  }

  @Test
  void aLostGpuShowsAsLost() throws Exception {
    fake("fake_nvml_set", "LOST", "1");
    fake("fake_nvml_set", "NOT_SUPPORTED", "power");

    TernRun table = tern("gpus", "--nvml-lib", fakeNvml().toString());
    assertThat(table.exit()).isZero();
    assertThat(table.out())
        .contains("GPU 1: nvmlDeviceGetName (GPU 1): NVML_ERROR_GPU_IS_LOST (15): GPU is lost");
    assertThat(table.out().split("\n")[3]).endsWith("lost");
    assertThat(table.out().split("\n")[2]).contains("n/a").endsWith("ok");

    JsonNode doc =
        new ObjectMapper()
            .readTree(tern("gpus", "--nvml-lib", fakeNvml().toString(), "-o", "json").out());
    assertThat(doc.at("/gpus/1/health").asText()).isEqualTo("lost");
    assertThat(doc.at("/gpus/0/powerW").isNull()).isTrue();
  }

  @Test
  void yamlToo() {
    TernRun run = tern("gpus", "--nvml-lib", fakeNvml().toString(), "-o", "yaml");
    assertThat(run.exit()).isZero();
    assertThat(run.out()).startsWith("driverVersion: 550.54.15\ngpus:\n- index: 0\n");
  }

  @Test
  void aMissingLibraryFileIsBadInput() {
    TernRun run = tern("gpus", "--nvml-lib", dir.resolve("nope.so").toString());
    assertThat(run.exit()).isEqualTo(2);
    assertThat(run.err()).contains("--nvml-lib " + dir.resolve("nope.so") + ": no such file");
  }

  @Test
  void aFileThatIsNotNvmlFailsWithTheReason() throws Exception {
    Path notALibrary = Files.writeString(dir.resolve("libnvidia-ml.so.1"), "not ELF");
    TernRun run = tern("gpus", "--nvml-lib", notALibrary.toString());
    assertThat(run.exit()).isEqualTo(1);
    assertThat(run.err()).startsWith("tern gpus: cannot load NVML from " + notALibrary);
  }

  @Test
  void aDriverThatDoesNotLoadFailsWithItsCode() {
    fake("fake_nvml_set", "INIT_ERROR", "9");
    TernRun run = tern("gpus", "--nvml-lib", fakeNvml().toString());
    assertThat(run.exit()).isEqualTo(1);
    assertThat(run.err()).contains("nvmlInit_v2: NVML_ERROR_DRIVER_NOT_LOADED (9)");
  }

  /**
   * Held for the life of the test JVM: JNA keeps libraries by weak reference and closes one whose
   * object is collected; once nothing holds the fake it is unloaded and its knobs are lost.
   */
  private static NativeLibrary fakeLibrary;

  private static synchronized void fake(String function, Object... args) {
    if (fakeLibrary == null) {
      fakeLibrary = NativeLibrary.getInstance(fakeNvml().toString());
    }
    fakeLibrary.getFunction(function).invokeVoid(args);
  }
}
