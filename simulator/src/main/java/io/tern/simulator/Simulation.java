package io.tern.simulator;

import io.tern.simulator.engine.ClusterSimulation;
import io.tern.simulator.engine.SimulationSettings;
import io.tern.simulator.policy.ClusterPolicy;
import io.tern.simulator.report.PolicyResult;
import io.tern.simulator.report.Rounding;
import io.tern.simulator.report.SimulationSummary;
import io.tern.simulator.spot.PriceTable;
import io.tern.simulator.spot.SpotFleetModel;
import io.tern.simulator.spot.SpotTrace;
import io.tern.simulator.spot.SpotTraceReader;
import io.tern.simulator.trace.TraceJob;
import io.tern.simulator.trace.TraceNode;
import io.tern.simulator.trace.Workload;
import io.tern.simulator.trace.Workloads;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The simulator's entry point for {@code tern simulate}: loads a trace, replays it under every
 * requested policy through the production core, and returns the side-by-side summary. Deterministic
 * for a given request (seed included). The policies of one call are replayed concurrently, on a
 * small pool of daemon threads that lives as long as the call; calls are independent.
 */
public final class Simulation {
  private Simulation() {}

  /**
   * Runs a simulation. The policies are replayed concurrently, so {@code progress} is called from
   * several threads (see {@link ProgressListener}).
   *
   * @throws io.tern.simulator.trace.TraceFormatException for bad or missing input files (the CLI's
   *     exit code 2)
   * @throws IllegalArgumentException for an unknown policy name
   */
  public static SimulationSummary run(SimulationRequest request, ProgressListener progress) {
    List<ClusterPolicy> policies = ClusterPolicy.parse(request.policies());
    Workload workload =
        Workloads.load(
            request.format(),
            request.jobs(),
            request.nodes(),
            request.alibabaMapping(),
            request.seed());
    List<SpotTrace> traces =
        request.spotDir() == null ? List.of() : SpotTraceReader.readDirectory(request.spotDir());
    return replay(
        workload,
        String.valueOf(request.jobs()),
        policies,
        request.settings(),
        // A node list with what its nodes cost (a history export) prices their models.
        request.prices().withNodePrices(workload.nodes()),
        traces,
        request.seed(),
        progress);
  }

  /**
   * Replays an in-memory workload (for benchmarks and tests). The policies are replayed
   * concurrently, so {@code progress} is called from several threads (see {@link
   * ProgressListener}).
   */
  public static SimulationSummary replay(
      Workload workload,
      String jobsFile,
      List<ClusterPolicy> policies,
      SimulationSettings settings,
      PriceTable prices,
      List<SpotTrace> traces,
      long seed,
      ProgressListener progress) {
    SpotFleetModel spot = SpotFleetModel.build(workload.nodes(), traces, seed);
    List<PolicyResult> results = replayAll(workload, policies, settings, prices, spot, progress);
    // Without the baseline (a caller's own list of policies), savings stay zero.
    PolicyResult baseline =
        results.stream()
            .filter(r -> r.policy().equals(ClusterPolicy.ON_DEMAND.label()))
            .findFirst()
            .orElse(null);
    List<PolicyResult> withSavings = new ArrayList<>();
    for (PolicyResult r : results) {
      withSavings.add(baseline == null ? r : r.withSavingsAgainst(baseline));
    }
    List<String> modelNotes = new ArrayList<>(settings.describe());
    modelNotes.add(
        "on-demand: the trace's nodes bought on-demand; spot policies: the trace's nodes bought as"
            + " spot, plus an elastic on-demand pool per node shape (up to as many nodes as the"
            + " trace has of it) launched on the core's capacity requests");
    modelNotes.add(
        "saving split: from spot prices = this policy's GPU time priced on-demand (same models)"
            + " minus its cost; from GPU models = the baseline's useful GPU time minus this"
            + " policy's, both priced on-demand (other models, or unfinished work); from lost work"
            + " = the baseline's lost work and checkpoint overhead minus this policy's, priced"
            + " on-demand. The three add up to the saving");
    modelNotes.addAll(spot.describe());
    int gpus = workload.nodes().stream().mapToInt(TraceNode::gpus).sum();
    long first = workload.jobs().stream().mapToLong(TraceJob::submitSeconds).min().orElse(0);
    long last = workload.jobs().stream().mapToLong(TraceJob::submitSeconds).max().orElse(0);
    return new SimulationSummary(
        workload.format(),
        jobsFile,
        spot.source(),
        seed,
        workload.jobs().size(),
        workload.nodes().size(),
        gpus,
        Rounding.round4((last - first) / 3600.0),
        workload.mappingNotes(),
        modelNotes,
        prices.describe(),
        withSavings);
  }

  /**
   * Replays every policy, concurrently on up to one thread per processor, and returns the results
   * in the order of {@code policies}. The replays share only immutable inputs (the workload, the
   * settings, the price table and the spot model); each builds its own simulation state, so the
   * results are the same as one after another. If replays fail, the exception of the first failing
   * policy in that order is thrown as it was thrown by the replay.
   */
  private static List<PolicyResult> replayAll(
      Workload workload,
      List<ClusterPolicy> policies,
      SimulationSettings settings,
      PriceTable prices,
      SpotFleetModel spot,
      ProgressListener progress) {
    int threads = Math.min(policies.size(), Runtime.getRuntime().availableProcessors());
    if (threads <= 1) {
      List<PolicyResult> results = new ArrayList<>(policies.size());
      for (ClusterPolicy policy : policies) {
        results.add(replayOne(workload, policy, settings, prices, spot, progress));
      }
      return results;
    }
    // Daemon threads, so a replay still running after another one failed never holds up exit; the
    // pool's shutdownNow interrupts it, and it stops at its next progress point.
    ExecutorService pool =
        Executors.newFixedThreadPool(
            threads, Thread.ofPlatform().name("tern-replay-", 1).daemon().factory());
    try {
      List<Future<PolicyResult>> futures = new ArrayList<>(policies.size());
      for (ClusterPolicy policy : policies) {
        futures.add(
            pool.submit(() -> replayOne(workload, policy, settings, prices, spot, progress)));
      }
      List<PolicyResult> results = new ArrayList<>(policies.size());
      for (Future<PolicyResult> future : futures) {
        results.add(await(future));
      }
      return results;
    } finally {
      pool.shutdownNow();
    }
  }

  private static PolicyResult replayOne(
      Workload workload,
      ClusterPolicy policy,
      SimulationSettings settings,
      PriceTable prices,
      SpotFleetModel spot,
      ProgressListener progress) {
    return new ClusterSimulation(
            workload.jobs(), workload.nodes(), policy, settings, prices, spot, progress)
        .run()
        .toResult();
  }

  /** The replay's result, or what it threw, unwrapped. */
  private static PolicyResult await(Future<PolicyResult> future) {
    try {
      return future.get();
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException r) {
        throw r;
      }
      if (cause instanceof Error error) {
        throw error;
      }
      throw new IllegalStateException("replay failed", cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      CancellationException cancelled = new CancellationException("interrupted while replaying");
      cancelled.initCause(e);
      throw cancelled;
    }
  }
}
