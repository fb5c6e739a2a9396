package io.tern.cli.agent;

import io.tern.agent.gpu.GpuReading;
import io.tern.agent.gpu.nvml.NvmlGpuProbe;
import io.tern.api.v1.GpuHealth;
import io.tern.cli.CommandModels;
import io.tern.cli.OutputOptions;
import io.tern.cli.UserInputException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tern gpus}: what NVML sees on this host, like a small nvidia-smi. */
@Command(
    modelTransformer = CommandModels.Declared.class,
    name = "gpus",
    sortOptions = false,
    usageHelpAutoWidth = true,
    description = {
      "Show the GPUs NVML sees on this host: memory, utilization, temperature, power, compute"
          + " processes and health (lost GPUs, uncorrected ECC errors). XID errors are watched"
          + " by a running agent, not by this one-shot view.",
      "",
      "Examples:",
      "  tern gpus",
      "  tern gpus -o json",
      "  tern gpus --nvml-lib /usr/lib/x86_64-linux-gnu/libnvidia-ml.so.1",
      ""
    })
public final class GpusCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec commandSpec;

  @Option(
      names = "--nvml-lib",
      paramLabel = "PATH",
      description = "The NVML library to load (default: libnvidia-ml.so.1 from the system).")
  Path nvmlLibrary;

  final OutputOptions output = new OutputOptions();

  @Override
  public Integer call() {
    if (nvmlLibrary != null && !Files.isRegularFile(nvmlLibrary)) {
      throw new UserInputException("--nvml-lib " + nvmlLibrary + ": no such file");
    }
    String driver;
    List<GpuReading> gpus;
    try (NvmlGpuProbe probe = NvmlGpuProbe.open(Optional.ofNullable(nvmlLibrary), false)) {
      driver = probe.driverVersion();
      gpus = probe.read();
    }
    PrintWriter out = commandSpec.commandLine().getOut();
    switch (output.format()) {
      case json -> out.println(OutputOptions.toJson(document(driver, gpus)));
      case yaml -> {
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        out.print(new Yaml(options).dump(document(driver, gpus)));
      }
      case table -> printTable(out, driver, gpus);
    }
    out.flush();
    return 0;
  }

  static Map<String, Object> document(String driver, List<GpuReading> gpus) {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("driverVersion", driver);
    List<Map<String, Object>> list = new ArrayList<>();
    for (GpuReading g : gpus) {
      Map<String, Object> gpu = new LinkedHashMap<>();
      gpu.put("index", g.index());
      gpu.put("name", g.name());
      gpu.put("model", g.model());
      gpu.put("uuid", g.uuid());
      gpu.put("memoryUsedMiB", g.memoryUsedMib());
      gpu.put("memoryTotalMiB", g.memoryTotalMib());
      gpu.put("utilizationPercent", g.utilizationPercent());
      gpu.put("temperatureC", g.temperatureC());
      gpu.put("powerW", g.powerW());
      List<Map<String, Object>> processes = new ArrayList<>();
      for (GpuReading.GpuProcess p : g.processes()) {
        Map<String, Object> process = new LinkedHashMap<>();
        process.put("pid", p.pid());
        process.put("usedMiB", p.usedMib());
        processes.add(process);
      }
      gpu.put("processes", processes);
      gpu.put("uncorrectedEccErrors", g.uncorrectedEccErrors());
      gpu.put("health", health(g.health()));
      gpu.put("problems", g.problems());
      list.add(gpu);
    }
    doc.put("gpus", list);
    return doc;
  }

  private static void printTable(PrintWriter out, String driver, List<GpuReading> gpus) {
    out.println(
        "NVIDIA driver " + driver + ", " + gpus.size() + (gpus.size() == 1 ? " GPU" : " GPUs"));
    if (gpus.isEmpty()) {
      return;
    }
    List<String[]> rows = new ArrayList<>();
    rows.add(
        new String[] {"IDX", "NAME", "UUID", "MEMORY", "UTIL", "TEMP", "POWER", "PROCS", "HEALTH"});
    for (GpuReading g : gpus) {
      rows.add(
          new String[] {
            Integer.toString(g.index()),
            or(g.name()),
            or(g.uuid()),
            g.memoryTotalMib() == null
                ? "n/a"
                : g.memoryUsedMib() + " / " + g.memoryTotalMib() + " MiB",
            g.utilizationPercent() == null ? "n/a" : g.utilizationPercent() + "%",
            g.temperatureC() == null ? "n/a" : g.temperatureC() + " C",
            g.powerW() == null ? "n/a" : String.format(Locale.ROOT, "%.1f W", g.powerW()),
            Integer.toString(g.processes().size()),
            health(g.health())
          });
    }
    int[] widths = new int[rows.get(0).length];
    for (String[] row : rows) {
      for (int i = 0; i < row.length; i++) {
        widths[i] = Math.max(widths[i], row[i].length());
      }
    }
    for (String[] row : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < row.length; i++) {
        line.append(row[i]).append(" ".repeat(widths[i] - row[i].length() + 2));
      }
      out.println(line.toString().stripTrailing());
    }
    for (GpuReading g : gpus) {
      for (String problem : g.problems()) {
        out.println("GPU " + g.index() + ": " + problem);
      }
    }
  }

  private static String or(String value) {
    return value == null ? "n/a" : value;
  }

  /** ok, xid, ecc or lost. */
  static String health(GpuHealth health) {
    return switch (health) {
      case GPU_HEALTH_OK -> "ok";
      case GPU_HEALTH_XID_ERROR -> "xid";
      case GPU_HEALTH_ECC_ERROR -> "ecc";
      case GPU_HEALTH_LOST -> "lost";
      default -> "unknown";
    };
  }
}
