package io.tern.simulator.report;

import java.util.List;

/**
 * The result of one simulation: every policy side by side over the same workload and spot
 * availability, with the assumptions that produced it. Serialises to JSON with {@link SummaryJson};
 * the same request and seed give byte-identical JSON (no wall-clock figures in here).
 *
 * @param format trace format
 * @param jobsFile the jobs trace, as given
 * @param spotSource where spot availability came from
 * @param seed the seed
 * @param jobs jobs replayed
 * @param nodes nodes in the cluster
 * @param gpus GPUs in the cluster
 * @param traceSpanHours from the first submit to the last submit
 * @param mappingNotes how trace fields became job fields
 * @param modelNotes how the simulator models the cloud and the cluster
 * @param prices the price table used
 * @param policies one result per policy, in the requested order
 */
public record SimulationSummary(
    String format,
    String jobsFile,
    String spotSource,
    long seed,
    int jobs,
    int nodes,
    int gpus,
    double traceSpanHours,
    List<String> mappingNotes,
    List<String> modelNotes,
    List<String> prices,
    List<PolicyResult> policies) {

  /** Copies the lists. */
  public SimulationSummary {
    mappingNotes = List.copyOf(mappingNotes);
    modelNotes = List.copyOf(modelNotes);
    prices = List.copyOf(prices);
    policies = List.copyOf(policies);
  }

  /** The result of a policy by name, or {@code null}. */
  public PolicyResult policy(String name) {
    return policies.stream().filter(p -> p.policy().equals(name)).findFirst().orElse(null);
  }
}
