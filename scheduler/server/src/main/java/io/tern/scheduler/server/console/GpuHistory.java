package io.tern.scheduler.server.console;

import io.tern.api.v1.Gpu;
import io.tern.api.v1.Node;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Each GPU's recent utilization and memory use, for the console's charts: one sample per {@link
 * #STEP} at most, the last {@link #SAMPLES} of them ({@link #WINDOW}) in a ring of primitive arrays
 * (6 bytes a sample, about 1.2 KB a GPU with its map entry: about 10 MB for 1,000 nodes of 8 GPUs).
 * A GPU not seen for a whole window is forgotten. Thread-safe.
 */
final class GpuHistory {
  static final Duration STEP = Duration.ofSeconds(10);
  static final int SAMPLES = 180;
  static final Duration WINDOW = STEP.multipliedBy(SAMPLES);

  /** One GPU's samples, in time order. */
  record Series(String nodeId, int gpu, long[] epochSeconds, int[] utilization, int[] memory) {}

  private static final class Ring {
    final int[] at = new int[SAMPLES];
    final byte[] utilization = new byte[SAMPLES];
    final byte[] memory = new byte[SAMPLES];
    int next;
    int size;

    /** The newest sample's time; only with {@code size > 0}. */
    long last() {
      return Integer.toUnsignedLong(at[(next + SAMPLES - 1) % SAMPLES]);
    }

    void add(long epochSecond, int util, int mem) {
      at[next] = (int) epochSecond;
      utilization[next] = (byte) util;
      memory[next] = (byte) mem;
      next = (next + 1) % SAMPLES;
      size = Math.min(size + 1, SAMPLES);
    }
  }

  private final Map<String, Ring> rings = new HashMap<>();

  /** Records the nodes' GPUs as seen at {@code now}, unless sampled less than a step ago. */
  synchronized void record(List<Node> nodes, Instant now) {
    long t = now.getEpochSecond();
    for (Node node : nodes) {
      for (Gpu gpu : node.getGpusList()) {
        Ring ring = rings.computeIfAbsent(key(node.getId(), gpu.getIndex()), k -> new Ring());
        if (ring.size == 0 || t - ring.last() >= STEP.toSeconds()) {
          ring.add(t, clampPercent(gpu.getUtilizationPercent()), memoryPercent(gpu));
        }
      }
    }
    rings.values().removeIf(ring -> ring.size > 0 && t - ring.last() > WINDOW.toSeconds());
  }

  /** The samples of a node's GPU, oldest first (empty when never seen). */
  synchronized Series series(String nodeId, int gpu) {
    Ring ring = rings.get(key(nodeId, gpu));
    int size = ring == null ? 0 : ring.size;
    long[] at = new long[size];
    int[] util = new int[size];
    int[] mem = new int[size];
    for (int i = 0; i < size; i++) {
      int slot = (ring.next - size + i + SAMPLES) % SAMPLES;
      at[i] = Integer.toUnsignedLong(ring.at[slot]);
      util[i] = ring.utilization[slot];
      mem[i] = ring.memory[slot];
    }
    return new Series(nodeId, gpu, at, util, mem);
  }

  /** How many GPUs have samples. */
  synchronized int gpus() {
    return rings.size();
  }

  private static String key(String nodeId, int gpu) {
    return nodeId + "#" + gpu;
  }

  private static int clampPercent(int value) {
    return Math.max(0, Math.min(100, value));
  }

  static int memoryPercent(Gpu gpu) {
    return gpu.getMemoryTotalMib() <= 0
        ? 0
        : clampPercent((int) Math.round(100.0 * gpu.getMemoryUsedMib() / gpu.getMemoryTotalMib()));
  }
}
