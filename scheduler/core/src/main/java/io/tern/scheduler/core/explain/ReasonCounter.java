package io.tern.scheduler.core.explain;

import java.util.ArrayList;
import java.util.List;

/**
 * Counts node-level reasons by kind and turns them into {@link PendingReason}s, largest count first
 * (ties in {@link ReasonKind} order), so explanations read the same on every run. Not thread-safe.
 */
public final class ReasonCounter {
  private static final ReasonKind[] KINDS = ReasonKind.values();
  private final int[] counts = new int[KINDS.length];
  private final String[] details = new String[KINDS.length];

  /** Adds {@code nodes} nodes refused for {@code kind}; the first detail given for a kind wins. */
  public ReasonCounter add(ReasonKind kind, int nodes, String detail) {
    if (nodes <= 0) {
      return this;
    }
    counts[kind.ordinal()] += nodes;
    if (details[kind.ordinal()] == null) {
      details[kind.ordinal()] = detail;
    }
    return this;
  }

  public ReasonCounter add(ReasonKind kind, int nodes) {
    return add(kind, nodes, kind.text());
  }

  public int count(ReasonKind kind) {
    return counts[kind.ordinal()];
  }

  public boolean isEmpty() {
    for (int c : counts) {
      if (c > 0) {
        return false;
      }
    }
    return true;
  }

  /** The counted reasons, largest first. */
  public List<PendingReason> toReasons() {
    List<PendingReason> out = new ArrayList<>();
    for (ReasonKind kind : KINDS) {
      if (counts[kind.ordinal()] > 0) {
        out.add(PendingReason.nodes(kind, counts[kind.ordinal()], details[kind.ordinal()]));
      }
    }
    out.sort(
        (a, b) ->
            a.nodes() != b.nodes()
                ? Integer.compare(b.nodes(), a.nodes())
                : a.kind().compareTo(b.kind()));
    return out;
  }
}
