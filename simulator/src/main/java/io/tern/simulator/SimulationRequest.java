package io.tern.simulator;

import io.tern.simulator.engine.SimulationSettings;
import io.tern.simulator.spot.PriceTable;
import io.tern.simulator.trace.AlibabaMapping;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * What to simulate. Immutable; start with {@link #of(Path, String)} and add the rest with the
 * {@code with...} methods.
 *
 * @param jobs the jobs trace
 * @param format {@code native} or {@code alibaba-v2023}
 * @param nodes node list, or null (Alibaba: the file beside the pods; native: a derived cluster)
 * @param spotDir directory of spot availability traces, or null for the seeded synthetic model
 * @param policies policy names ({@code all}, or e.g. {@code tern}, {@code spot-greedy}); empty =
 *     all; the on-demand baseline is always included
 * @param seed seeds every random choice; same request and seed → byte-identical JSON
 * @param settings cloud and cluster behaviour
 * @param prices price table
 * @param alibabaMapping how Alibaba fields map to jobs (ignored for the native format)
 */
public record SimulationRequest(
    Path jobs,
    String format,
    Path nodes,
    Path spotDir,
    List<String> policies,
    long seed,
    SimulationSettings settings,
    PriceTable prices,
    AlibabaMapping alibabaMapping) {

  /** Checks required fields and copies the policy list. */
  public SimulationRequest {
    Objects.requireNonNull(jobs, "jobs");
    Objects.requireNonNull(settings, "settings");
    Objects.requireNonNull(prices, "prices");
    Objects.requireNonNull(alibabaMapping, "alibabaMapping");
    format = format == null ? "native" : format;
    policies = List.copyOf(policies);
  }

  /** All policies, seed 1, default settings, prices and mapping. */
  public static SimulationRequest of(Path jobs, String format) {
    return new SimulationRequest(
        jobs,
        format,
        null,
        null,
        List.of(),
        1,
        SimulationSettings.defaults(),
        PriceTable.defaults(),
        AlibabaMapping.defaults());
  }

  public SimulationRequest withNodes(Path nodes) {
    return new SimulationRequest(
        jobs, format, nodes, spotDir, policies, seed, settings, prices, alibabaMapping);
  }

  public SimulationRequest withSpotDir(Path spotDir) {
    return new SimulationRequest(
        jobs, format, nodes, spotDir, policies, seed, settings, prices, alibabaMapping);
  }

  public SimulationRequest withPolicies(List<String> policies) {
    return new SimulationRequest(
        jobs, format, nodes, spotDir, policies, seed, settings, prices, alibabaMapping);
  }

  public SimulationRequest withSeed(long seed) {
    return new SimulationRequest(
        jobs, format, nodes, spotDir, policies, seed, settings, prices, alibabaMapping);
  }

  public SimulationRequest withSettings(SimulationSettings settings) {
    return new SimulationRequest(
        jobs, format, nodes, spotDir, policies, seed, settings, prices, alibabaMapping);
  }

  public SimulationRequest withPrices(PriceTable prices) {
    return new SimulationRequest(
        jobs, format, nodes, spotDir, policies, seed, settings, prices, alibabaMapping);
  }

  public SimulationRequest withAlibabaMapping(AlibabaMapping mapping) {
    return new SimulationRequest(
        jobs, format, nodes, spotDir, policies, seed, settings, prices, mapping);
  }
}
