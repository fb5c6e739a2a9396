package io.tern.scheduler.core.placement;

/** Picks which of a node's usable GPUs a job gets. Stateless and thread-safe. */
public final class GpuSelection {
  private GpuSelection() {}

  /**
   * {@code count} GPUs out of {@code usable}: a shareable job takes already-shared GPUs first (it
   * packs with its kind), everything else the lowest free indices. Deterministic.
   */
  public static long choose(NodeView node, long usable, int count, boolean shareable) {
    long chosen = 0;
    if (shareable) {
      chosen = lowest(usable & node.sharedGpus(), count);
    }
    int left = count - Long.bitCount(chosen);
    return chosen | lowest(usable & ~chosen, left);
  }

  /** The {@code count} lowest set bits of {@code mask} (all of them if fewer). */
  public static long lowest(long mask, int count) {
    long taken = 0;
    long m = mask;
    while (count > 0 && m != 0) {
      taken |= m & -m;
      m &= m - 1;
      count--;
    }
    return taken;
  }
}
