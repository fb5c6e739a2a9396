package io.tern.scheduler.core.explain;

import java.util.Objects;

/**
 * One reason a job is pending.
 *
 * @param kind what kind of reason
 * @param nodes how many nodes it applies to (0 for job-level reasons)
 * @param detail human text, e.g. {@code not enough free GPU memory (needs 40960 MiB per GPU)}
 */
public record PendingReason(ReasonKind kind, int nodes, String detail) {

  public PendingReason {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(detail, "detail");
  }

  public static PendingReason of(ReasonKind kind, String detail) {
    return new PendingReason(kind, 0, detail);
  }

  public static PendingReason nodes(ReasonKind kind, int nodes, String detail) {
    return new PendingReason(kind, nodes, detail);
  }

  @Override
  public String toString() {
    if (kind.perNode()) {
      return nodes + (nodes == 1 ? " node: " : " nodes: ") + detail;
    }
    return detail;
  }
}
