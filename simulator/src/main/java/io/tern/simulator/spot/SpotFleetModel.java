package io.tern.simulator.spot;

import io.tern.simulator.trace.TraceNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * Decides which spot pool each node of the cluster belongs to and how available each pool is.
 *
 * <p>A node's pool is {@code <zone>_<class>_<count>/<model>}: class {@code v100} for V100 models
 * and {@code k80} for everything else (the only two classes the published traces measure), count
 * {@code 8} for nodes with 8+ GPUs and {@code 1} otherwise, zone {@code us-west-2a} or {@code
 * us-west-2b} from a seeded hash of the node id. A pool's timeline is every trace file of that
 * {@code <zone>_<class>_<count>} concatenated in path order, read cyclically from a seeded offset,
 * so all nodes of one pool are reclaimed together (a zone running out of capacity) while pools
 * differ. Without traces, pools follow a seeded two-state Markov model (availability 0.8, mean time
 * between preemptions 3.5 h, close to the V100×1 traces).
 */
public final class SpotFleetModel {
  private final Map<String, PoolTimeline> pools;
  private final List<String> nodePools;
  private final String source;
  private final boolean poolsConfigured;

  private SpotFleetModel(
      Map<String, PoolTimeline> pools,
      List<String> nodePools,
      String source,
      boolean poolsConfigured) {
    this.pools = Collections.unmodifiableMap(pools);
    this.nodePools = nodePools;
    this.source = source;
    this.poolsConfigured = poolsConfigured;
  }

  /**
   * Builds the model.
   *
   * @param nodes the cluster, in order
   * @param traces spot traces, or an empty list for the synthetic model
   * @param seed seeds zones, offsets and the synthetic model
   */
  public static SpotFleetModel build(List<TraceNode> nodes, List<SpotTrace> traces, long seed) {
    return build(nodes, traces, seed, true);
  }

  /**
   * Builds the model; with {@code randomOffsets} false every pool reads its timeline from slot 0
   * (hand-checked scenarios).
   */
  public static SpotFleetModel build(
      List<TraceNode> nodes, List<SpotTrace> traces, long seed, boolean randomOffsets) {
    Map<String, PoolTimeline> pools = new TreeMap<>();
    List<String> nodePools = new ArrayList<>(nodes.size());
    for (TraceNode node : nodes) {
      String key =
          zone(node.id(), seed)
              + "_"
              + gpuClass(node.gpuModel())
              + "_"
              + (node.gpus() >= 8 ? 8 : 1);
      String pool = key + "/" + node.gpuModel();
      nodePools.add(pool);
      if (!pools.containsKey(pool)) {
        SplittableRandom random = new SplittableRandom(seed ^ fnv(pool));
        pools.put(
            pool,
            traces.isEmpty()
                ? synthetic(pool, random)
                : fromTraces(pool, key, traces, randomOffsets ? random : null));
      }
    }
    String source =
        traces.isEmpty()
            ? "synthetic two-state model (availability 0.8, MTBP 3.5 h), seeded"
            : traces.size() + " spot trace files, pools read from seeded offsets";
    return new SpotFleetModel(pools, nodePools, source, false);
  }

  /**
   * Every one of {@code nodes} nodes in one pool that follows {@code timeline}, a pool the
   * scheduler is configured with (see {@link #poolsConfigured}): the single-job study's spot node.
   */
  public static SpotFleetModel onePool(PoolTimeline timeline, int nodes) {
    return new SpotFleetModel(
        Map.of(timeline.pool(), timeline),
        Collections.nCopies(nodes, timeline.pool()),
        timeline.source(),
        true);
  }

  /**
   * Whether the core is told of every spot pool as a configured pool (a {@code PoolOffer} that
   * cannot launch: the timeline is the pool's whole capacity), so it knows the spot price while the
   * pool has no capacity, as the live scheduler knows its configured pools. The cluster replay's
   * pools are not (its figures were measured without); the single-job study's pool is.
   */
  public boolean poolsConfigured() {
    return poolsConfigured;
  }

  /** The pool of the node at {@code index} in the cluster list. */
  public String poolOf(int nodeIndex) {
    return nodePools.get(nodeIndex);
  }

  /** Every pool's timeline, sorted by pool id. */
  public Map<String, PoolTimeline> pools() {
    return pools;
  }

  /** Where availability comes from, in words. */
  public String source() {
    return source;
  }

  /** Per-pool availability lines for the report. */
  public List<String> describe() {
    List<String> lines = new ArrayList<>();
    lines.add("spot availability: " + source);
    pools.forEach(
        (id, t) ->
            lines.add(
                String.format(
                    Locale.ROOT,
                    "pool %s: availability %.2f from %s",
                    id,
                    t.availability(),
                    t.source())));
    return lines;
  }

  private static PoolTimeline fromTraces(
      String pool, String key, List<SpotTrace> traces, SplittableRandom random) {
    List<SpotTrace> matching = new ArrayList<>();
    for (SpotTrace trace : traces) {
      String stem =
          trace.pool().substring(trace.pool().lastIndexOf('/') + 1).toLowerCase(Locale.ROOT);
      if (stem.equals(key)) {
        matching.add(trace);
      }
    }
    if (matching.isEmpty()) {
      matching = traces; // no trace for this zone/class: use them all
    }
    int total = matching.stream().mapToInt(SpotTrace::slots).sum();
    boolean[] slots = new boolean[total];
    int at = 0;
    for (SpotTrace trace : matching) {
      for (int i = 0; i < trace.slots(); i++) {
        slots[at++] = trace.available(i);
      }
    }
    String source =
        matching.size() == traces.size() && matching.size() > 1
            ? "all traces"
            : String.join("+", matching.stream().map(SpotTrace::pool).toList());
    return new PoolTimeline(
        pool,
        source,
        slots,
        matching.get(0).slotSeconds(),
        random == null ? 0 : random.nextInt(total));
  }

  private static PoolTimeline synthetic(String pool, SplittableRandom random) {
    int slotSeconds = 600;
    int slotCount = 30 * 24 * 6;
    double meanUpSlots = 3.5 * 6;
    double meanDownSlots = meanUpSlots * 0.2 / 0.8;
    boolean[] slots = new boolean[slotCount];
    boolean up = random.nextDouble() < 0.8;
    for (int i = 0; i < slotCount; i++) {
      slots[i] = up;
      double leave = 1.0 / (up ? meanUpSlots : meanDownSlots);
      if (random.nextDouble() < leave) {
        up = !up;
      }
    }
    return new PoolTimeline(pool, "synthetic", slots, slotSeconds, 0);
  }

  static String gpuClass(String model) {
    return model.toUpperCase(Locale.ROOT).startsWith("V100") ? "v100" : "k80";
  }

  private static String zone(String nodeId, long seed) {
    return new SplittableRandom(fnv(nodeId) ^ seed).nextBoolean() ? "us-west-2a" : "us-west-2b";
  }

  static long fnv(String text) {
    long hash = 0xcbf29ce484222325L;
    for (int i = 0; i < text.length(); i++) {
      hash ^= text.charAt(i);
      hash *= 0x100000001b3L;
    }
    return hash;
  }
}
