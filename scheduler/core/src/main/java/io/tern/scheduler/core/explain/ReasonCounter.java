package io.tern.scheduler.core.explain;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Counts node-level reasons by kind and turns them into {@link PendingReason}s, largest count first
 * (ties in {@link ReasonKind} order), so explanations read the same on every run. Not thread-safe.
 */
public final class ReasonCounter {
  private final Map<ReasonKind, Integer> counts = new EnumMap<>(ReasonKind.class);
  private final Map<ReasonKind, String> details = new EnumMap<>(ReasonKind.class);

  /** Adds {@code nodes} nodes refused for {@code kind}; the first detail given for a kind wins. */
  public ReasonCounter add(ReasonKind kind, int nodes, String detail) {
    if (nodes <= 0) {
      return this;
    }
    counts.merge(kind, nodes, Integer::sum);
    details.putIfAbsent(kind, detail);
    return this;
  }

  public ReasonCounter add(ReasonKind kind, int nodes) {
    return add(kind, nodes, kind.text());
  }

  public int count(ReasonKind kind) {
    return counts.getOrDefault(kind, 0);
  }

  public boolean isEmpty() {
    return counts.isEmpty();
  }

  /** The counted reasons, largest first. */
  public List<PendingReason> toReasons() {
    List<PendingReason> out = new ArrayList<>(counts.size());
    for (Map.Entry<ReasonKind, Integer> e : counts.entrySet()) {
      out.add(PendingReason.nodes(e.getKey(), e.getValue(), details.get(e.getKey())));
    }
    out.sort(
        (a, b) ->
            a.nodes() != b.nodes()
                ? Integer.compare(b.nodes(), a.nodes())
                : a.kind().compareTo(b.kind()));
    return out;
  }
}
