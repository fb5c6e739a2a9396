package io.tern.simulator.spot;

import io.tern.simulator.trace.GpuCatalog;
import io.tern.simulator.trace.TraceFormatException;
import io.tern.simulator.trace.TraceNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Per-GPU-hour prices by GPU price class ({@link GpuCatalog#priceClass}). Defaults come from public
 * list prices (AWS us-west-2 on-demand; spot where the Can't Be Late paper gives it, else ~70%
 * below on-demand, the usual spot discount). Immutable; {@link #with} returns an overridden copy.
 */
public final class PriceTable {
  private static final String FALLBACK = "V100";
  private final Map<String, GpuPrice> prices;

  private PriceTable(Map<String, GpuPrice> prices) {
    this.prices = new TreeMap<>(prices);
  }

  /** The default table. */
  public static PriceTable defaults() {
    Map<String, GpuPrice> p = new TreeMap<>();
    p.put(
        "V100",
        new GpuPrice(3.06, 0.9731, "p3.2xlarge on-demand $3.06/h, spot $0.9731/h (NSDI'24)"));
    p.put("K80", new GpuPrice(0.90, 0.27, "p2.xlarge on-demand $0.90/h, spot ~70% off"));
    p.put("T4", new GpuPrice(0.526, 0.158, "g4dn.xlarge on-demand $0.526/h, spot ~70% off"));
    p.put("A10", new GpuPrice(1.006, 0.302, "g5.xlarge on-demand $1.006/h, spot ~70% off"));
    p.put("P100", new GpuPrice(1.46, 0.438, "GCP P100 on-demand $1.46/GPU-h, spot ~70% off"));
    p.put("L4", new GpuPrice(0.8048, 0.2414, "g6.xlarge on-demand $0.8048/h, spot ~70% off"));
    p.put("L40S", new GpuPrice(1.861, 0.558, "g6e.xlarge on-demand $1.861/h, spot ~70% off"));
    p.put(
        "A100",
        new GpuPrice(4.0966, 1.229, "p4d.24xlarge on-demand $32.77/h for 8, spot ~70% off"));
    p.put(
        "H100", new GpuPrice(12.29, 3.687, "p5.48xlarge on-demand $98.32/h for 8, spot ~70% off"));
    p.put("G2", new GpuPrice(0.526, 0.158, "Alibaba-internal model, priced as T4 (assumption)"));
    p.put("G3", new GpuPrice(0.526, 0.158, "Alibaba-internal model, priced as T4 (assumption)"));
    return new PriceTable(p);
  }

  /** A copy with {@code priceClass} priced as given. */
  public PriceTable with(String priceClass, GpuPrice price) {
    Map<String, GpuPrice> copy = new TreeMap<>(prices);
    copy.put(priceClass.toUpperCase(Locale.ROOT), price);
    return new PriceTable(copy);
  }

  /**
   * A copy that prices each GPU model from what the nodes of a node list cost ({@code capacity} and
   * {@code price_per_hour_usd}, as {@code tern history export} writes them): on-demand at the
   * cheapest price per GPU among its on-demand nodes, spot at the cheapest among its spot nodes. A
   * model with nodes of one type only keeps the other price's ratio to it from this table (for a
   * model the table does not know, spot at 30 % of on-demand, the usual discount), capped so that
   * spot is never dearer than on-demand. Models without priced nodes keep this table's prices.
   */
  public PriceTable withNodePrices(List<TraceNode> nodes) {
    Map<String, double[]> cheapest = new TreeMap<>(); // price class -> {on-demand, spot} per GPU
    Map<String, List<String>> from = new TreeMap<>();
    for (TraceNode node : nodes) {
      if (!(node.pricePerHourUsd() > 0) || node.capacity().isEmpty()) {
        continue;
      }
      String priceClass = GpuCatalog.priceClass(node.gpuModel());
      double[] best =
          cheapest.computeIfAbsent(priceClass, k -> new double[] {Double.NaN, Double.NaN});
      int side = node.capacity().equals("spot") ? 1 : 0;
      double perGpu = node.pricePerHourUsd() / node.gpus();
      if (!(perGpu >= best[side])) {
        best[side] = perGpu;
      }
      from.computeIfAbsent(priceClass, k -> new ArrayList<>()).add(node.id());
    }
    PriceTable table = this;
    for (Map.Entry<String, double[]> e : cheapest.entrySet()) {
      GpuPrice known = prices.get(e.getKey());
      double ratio =
          known != null ? known.spotPerGpuHour() / known.onDemandPerGpuHour() : USUAL_SPOT_RATIO;
      double onDemand = e.getValue()[0];
      double spot = e.getValue()[1];
      if (Double.isNaN(onDemand)) {
        onDemand = spot / ratio;
      } else if (Double.isNaN(spot)) {
        spot = onDemand * ratio;
      }
      List<String> ids = from.get(e.getKey());
      String source =
          "from the node list's prices ("
              + (ids.size() <= 3
                  ? String.join(", ", ids)
                  : String.join(", ", ids.subList(0, 3)) + " and " + (ids.size() - 3) + " more")
              + ")";
      table = table.with(e.getKey(), new GpuPrice(onDemand, Math.min(spot, onDemand), source));
    }
    return table;
  }

  /** Spot's usual price as a share of on-demand (~70 % off), for a model the table lacks. */
  private static final double USUAL_SPOT_RATIO = 0.3;

  /**
   * The default table overridden by a CSV file with header {@code gpu_model,
   * on_demand_per_gpu_hour, spot_per_gpu_hour}.
   *
   * @throws TraceFormatException for a bad row
   */
  public static PriceTable defaultsOverriddenBy(Path file) {
    PriceTable table = defaults();
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (java.nio.file.NoSuchFileException e) {
      throw new TraceFormatException(file, 0, null, "price file not found");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    for (int i = 1; i < lines.size(); i++) {
      if (lines.get(i).isBlank()) {
        continue;
      }
      String[] cells = lines.get(i).split(",", -1);
      if (cells.length < 3) {
        throw new TraceFormatException(file, i + 1, null, "expected 3 columns");
      }
      table =
          table.with(
              GpuCatalog.priceClass(cells[0].trim()),
              new GpuPrice(
                  number(file, i + 1, "on_demand_per_gpu_hour", cells[1]),
                  number(file, i + 1, "spot_per_gpu_hour", cells[2]),
                  "override from " + file.getFileName()));
    }
    return table;
  }

  private static double number(Path file, int row, String column, String text) {
    try {
      double value = Double.parseDouble(text.trim());
      if (value > 0 && Double.isFinite(value)) {
        return value;
      }
    } catch (NumberFormatException e) {
      // fall through to the error below
    }
    throw new TraceFormatException(file, row, column, "'" + text + "' is not a positive price");
  }

  /** The price of a GPU model; unknown models are priced as V100. */
  public GpuPrice forModel(String gpuModel) {
    GpuPrice price = prices.get(GpuCatalog.priceClass(gpuModel));
    return price != null ? price : prices.get(FALLBACK);
  }

  /** Every entry, sorted by price class, for the report. */
  public Map<String, GpuPrice> entries() {
    return new TreeMap<>(prices);
  }

  /** Human-readable lines for the report. */
  public List<String> describe() {
    List<String> lines = new ArrayList<>();
    prices.forEach(
        (k, v) ->
            lines.add(
                String.format(
                    Locale.ROOT,
                    "%s: on-demand $%.4f/GPU-h, spot $%.4f/GPU-h (%s)",
                    k,
                    v.onDemandPerGpuHour(),
                    v.spotPerGpuHour(),
                    v.source())));
    return lines;
  }
}
