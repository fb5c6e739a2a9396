package io.tern.simulator.trace;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads a node list in either of two layouts, told apart by the header:
 *
 * <ul>
 *   <li>Alibaba ({@code sn, cpu_milli, memory_mib, gpu, model}): one node a row;
 *   <li>native ({@code id, gpus, gpu_model} required; optional {@code gpu_mem_gib}, {@code count}
 *       to repeat a row as {@code id-0 … id-(count-1)}, and {@code capacity} ({@code spot} or
 *       {@code on-demand}) with {@code price_per_hour_usd}, what the node cost (0 or empty: not
 *       known), as {@code tern history export} writes them: the replay prices the node's GPU model
 *       from them).
 * </ul>
 *
 * Nodes without GPUs are skipped (this simulator places GPU work only). The result keeps file
 * order.
 */
public final class NodeListReader {
  private NodeListReader() {}

  /**
   * @throws TraceFormatException naming file, row and column of the first bad cell
   */
  public static List<TraceNode> read(Path file) {
    List<TraceNode> nodes = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    boolean[] alibaba = {false};
    CsvTable.read(
        file,
        List.of(),
        row -> {
          if (row.number() == 2) {
            alibaba[0] = row.has("sn");
            List<String> required =
                alibaba[0] ? List.of("sn", "gpu", "model") : List.of("id", "gpus", "gpu_model");
            for (String column : required) {
              if (!row.has(column)) {
                throw new TraceFormatException(
                    file, 1, column, "required column is missing from the header");
              }
            }
          }
          for (TraceNode node : alibaba[0] ? alibabaRow(row) : nativeRow(row)) {
            if (!ids.add(node.id())) {
              throw row.error(alibaba[0] ? "sn" : "id", "duplicate node id '" + node.id() + "'");
            }
            nodes.add(node);
          }
        });
    if (nodes.isEmpty()) {
      throw new TraceFormatException(file, 0, null, "holds no GPU nodes");
    }
    return nodes;
  }

  private static List<TraceNode> alibabaRow(CsvTable.Row row) {
    String id = row.requiredText("sn");
    int gpus = gpusPerNode(row, "gpu");
    String model = row.text("model").isEmpty() ? "GPU" : row.text("model");
    return gpus == 0
        ? List.of()
        : List.of(new TraceNode(id, gpus, model, GpuCatalog.memoryGib(model)));
  }

  /** The most GPUs a node may have, as the scheduler's core allows. */
  static final int MAX_GPUS_PER_NODE = 64;

  private static int gpusPerNode(CsvTable.Row row, String column) {
    int gpus = row.integer(column, 0);
    if (gpus > MAX_GPUS_PER_NODE) {
      throw row.error(
          column, "'" + gpus + "' is more than a node may have (" + MAX_GPUS_PER_NODE + ")");
    }
    return gpus;
  }

  private static List<TraceNode> nativeRow(CsvTable.Row row) {
    String id = row.requiredText("id");
    int gpus = gpusPerNode(row, "gpus");
    String model = row.requiredText("gpu_model");
    int memory = row.integer("gpu_mem_gib", GpuCatalog.memoryGib(model));
    int count = row.integer("count", 1);
    String capacity = row.text("capacity");
    if (!capacity.isEmpty() && !capacity.equals("spot") && !capacity.equals("on-demand")) {
      throw row.error("capacity", "'" + capacity + "' is not spot or on-demand (or empty)");
    }
    // 0, as an agent started without --price reports, is no price.
    double price = row.decimal("price_per_hour_usd", 0);
    if (price == 0) {
      price = Double.NaN;
    } else if (capacity.isEmpty()) {
      throw row.error("capacity", "a price needs the capacity it was paid for: spot or on-demand");
    }
    if (gpus == 0 || count == 0) {
      return List.of();
    }
    if (count == 1) {
      return List.of(new TraceNode(id, gpus, model, memory, capacity, price));
    }
    List<TraceNode> copies = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      copies.add(new TraceNode(id + "-" + i, gpus, model, memory, capacity, price));
    }
    return copies;
  }
}
