package io.tern.simulator.policy;

import java.util.List;
import java.util.Locale;

/**
 * The policies compared over a whole workload. Each is the same core ({@code PlacementEngine}) fed
 * a differently built cluster and queue, plus what the agent would do on a spot notice.
 */
public enum ClusterPolicy {
  /** Every node on-demand; nothing is ever reclaimed. The cost baseline. */
  ON_DEMAND(
      "on-demand",
      false,
      false,
      false,
      false,
      "every node on-demand; nothing is reclaimed (the cost baseline)"),
  /** Spot only, no checkpoints: a reclaim relaunches the job from scratch. */
  SPOT_GREEDY(
      "spot-greedy",
      true,
      false,
      false,
      false,
      "spot whenever it exists, no checkpoints: a reclaim relaunches the job from scratch"),
  /** Spot only with the jobs' periodic checkpoints: a reclaim loses work since the last one. */
  SPOT_CHECKPOINT(
      "spot-checkpoint",
      true,
      true,
      false,
      false,
      "spot whenever it exists; jobs checkpoint periodically, a reclaim loses work since the last"
          + " checkpoint"),
  /**
   * Tern: checkpoint inside the two-minute notice, deadline-aware on-demand fallback, off-peak
   * preference and pool diversity, all decided by the core.
   */
  TERN(
      "tern",
      true,
      true,
      true,
      true,
      "checkpoint inside the two-minute notice, spot preferred, on-demand fallback when deadline"
          + " slack runs out, off-peak preference, avoid the pool just reclaimed");

  private final String label;
  private final boolean spotFleet;
  private final boolean periodicCheckpoints;
  private final boolean checkpointOnNotice;
  private final boolean onDemandFallback;
  private final String description;

  ClusterPolicy(
      String label,
      boolean spotFleet,
      boolean periodicCheckpoints,
      boolean checkpointOnNotice,
      boolean onDemandFallback,
      String description) {
    this.label = label;
    this.spotFleet = spotFleet;
    this.periodicCheckpoints = periodicCheckpoints;
    this.checkpointOnNotice = checkpointOnNotice;
    this.onDemandFallback = onDemandFallback;
    this.description = description;
  }

  /** The name used in requests, JSON and reports. */
  public String label() {
    return label;
  }

  /** Whether the trace's nodes are bought as spot (else on-demand). */
  public boolean spotFleet() {
    return spotFleet;
  }

  /** Whether jobs keep their periodic checkpoints (else a stop loses all work). */
  public boolean periodicCheckpoints() {
    return periodicCheckpoints;
  }

  /** Whether a spot notice makes running jobs checkpoint and stop before the reclaim. */
  public boolean checkpointOnNotice() {
    return checkpointOnNotice;
  }

  /** Whether spot-ok jobs may use on-demand capacity (else they are spot-only). */
  public boolean onDemandFallback() {
    return onDemandFallback;
  }

  /** One sentence for the report. */
  public String description() {
    return description;
  }

  /** Every policy, in report order. */
  public static List<ClusterPolicy> all() {
    return List.of(values());
  }

  /**
   * Parses names ({@code all}, or labels like {@code tern}); the on-demand baseline is always
   * included first because savings are measured against it.
   *
   * @throws IllegalArgumentException naming an unknown policy
   */
  public static List<ClusterPolicy> parse(List<String> names) {
    if (names == null
        || names.isEmpty()
        || names.stream().anyMatch(n -> n.equalsIgnoreCase("all"))) {
      return all();
    }
    java.util.LinkedHashSet<ClusterPolicy> chosen = new java.util.LinkedHashSet<>();
    chosen.add(ON_DEMAND);
    for (String name : names) {
      chosen.add(byLabel(name.trim()));
    }
    return List.copyOf(chosen);
  }

  /** The policy with this label. */
  public static ClusterPolicy byLabel(String label) {
    for (ClusterPolicy p : values()) {
      if (p.label.equals(label.toLowerCase(Locale.ROOT))) {
        return p;
      }
    }
    throw new IllegalArgumentException(
        "unknown policy '"
            + label
            + "'; expected all, on-demand, spot-greedy, spot-checkpoint or tern");
  }
}
