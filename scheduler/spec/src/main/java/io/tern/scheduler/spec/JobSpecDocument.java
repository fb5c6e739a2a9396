package io.tern.scheduler.spec;

import io.tern.api.v1.CapacityPreference;
import io.tern.api.v1.JobSpec;
import io.tern.api.v1.Priority;
import io.tern.api.v1.Resources;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * A {@link JobSpec} as the document a user writes: the same keys and units as the YAML spec, in the
 * same order. {@link JobSpecParser} reads what {@link #toYaml} writes back to an equal spec.
 */
public final class JobSpecDocument {
  private JobSpecDocument() {}

  /**
   * Ordered keys and plain values (strings, numbers, booleans, lists, maps), ready for any writer.
   */
  public static Map<String, Object> toMap(JobSpec spec) {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("name", spec.getName());
    doc.put("team", spec.getTeam());
    doc.put("command", new ArrayList<>(spec.getCommandList()));
    if (!spec.getWorkdir().isEmpty()) {
      doc.put("workdir", spec.getWorkdir());
    }
    if (!spec.getWorkdirDigest().isEmpty()) {
      doc.put("workdirDigest", spec.getWorkdirDigest());
    }
    if (spec.getEnvCount() > 0) {
      doc.put("env", new TreeMap<>(spec.getEnvMap()));
    }
    doc.put("resources", resources(spec.getResources()));
    doc.put("priority", priority(spec.getPriority()));
    doc.put("capacity", capacity(spec.getCapacity()));
    if (spec.hasCheckpoint()) {
      Map<String, Object> checkpoint = new LinkedHashMap<>();
      checkpoint.put("signal", spec.getCheckpoint().getSignal());
      checkpoint.put("graceSeconds", spec.getCheckpoint().getGrace().getSeconds());
      if (spec.getCheckpoint().hasInterval()) {
        checkpoint.put("intervalMinutes", spec.getCheckpoint().getInterval().getSeconds() / 60);
      }
      doc.put("checkpoint", checkpoint);
    }
    if (spec.hasDeadline()) {
      doc.put(
          "deadline",
          Instant.ofEpochSecond(spec.getDeadline().getSeconds(), spec.getDeadline().getNanos())
              .toString());
    }
    doc.put("deferrable", spec.getDeferrable());
    if (spec.getMaxCostUsd() > 0) {
      doc.put("maxCostUsd", spec.getMaxCostUsd());
    }
    if (spec.hasMaxRuntime()) {
      doc.put(
          "maxRuntime",
          Durations.format(java.time.Duration.ofSeconds(spec.getMaxRuntime().getSeconds())));
    }
    doc.put("retries", spec.getRetries());
    doc.put("shareable", spec.getShareable());
    if (spec.hasSpotWait()) {
      doc.put(
          "spotWait",
          Durations.format(java.time.Duration.ofSeconds(spec.getSpotWait().getSeconds())));
    }
    if (spec.getDependsOnCount() > 0) {
      doc.put("dependsOn", spec.getDependsOnList().stream().map(DependencySyntax::format).toList());
    }
    if (spec.hasArray()) {
      if (spec.getArray().getGridCount() > 0) {
        Map<String, Object> grid = new LinkedHashMap<>();
        spec.getArray()
            .getGridList()
            .forEach(p -> grid.put(p.getName(), new ArrayList<>(p.getValuesList())));
        Map<String, Object> array = new LinkedHashMap<>();
        array.put("grid", grid);
        if (spec.getArray().getParallel() > 0) {
          array.put("parallel", spec.getArray().getParallel());
        }
        doc.put("array", array);
      } else {
        doc.put("array", ArraySyntax.format(spec.getArray()));
      }
    }
    return doc;
  }

  /** The spec as block-style YAML. */
  public static String toYaml(JobSpec spec) {
    DumperOptions options = new DumperOptions();
    options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
    options.setIndent(2);
    options.setIndicatorIndent(0);
    // Control characters in argv or env values are written as escapes, not as !!binary, so the
    // parser reads back the same text.
    options.setNonPrintableStyle(DumperOptions.NonPrintableStyle.ESCAPE);
    return new Yaml(options).dump(toMap(spec));
  }

  private static Map<String, Object> resources(Resources r) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("gpus", r.getGpus());
    out.put("nodes", r.getNodes());
    if (r.getGpuMemoryGib() > 0) {
      out.put("gpuMemoryGiB", r.getGpuMemoryGib());
    }
    if (r.getGpuModelsCount() > 0) {
      out.put("gpuModels", new ArrayList<>(r.getGpuModelsList()));
    }
    if (r.getCpu() > 0) {
      out.put("cpu", r.getCpu());
    }
    if (r.getMemoryGib() > 0) {
      out.put("memoryGiB", r.getMemoryGib());
    }
    return out;
  }

  /** {@code high}, {@code normal} or {@code low}: the spec's word for a priority class. */
  public static String priority(Priority priority) {
    return switch (priority) {
      case PRIORITY_HIGH -> "high";
      case PRIORITY_LOW -> "low";
      default -> "normal";
    };
  }

  /** {@code spot-ok}, {@code spot-only} or {@code on-demand}: the spec's word for a preference. */
  public static String capacity(CapacityPreference capacity) {
    return switch (capacity) {
      case CAPACITY_SPOT_ONLY -> "spot-only";
      case CAPACITY_ON_DEMAND -> "on-demand";
      default -> "spot-ok";
    };
  }
}
