package io.tern.simulator.policy;

import io.tern.simulator.CantBeLate;
import io.tern.simulator.spot.PriceTable;
import io.tern.simulator.spot.SpotTrace;
import io.tern.simulator.spot.SpotTraceReader;
import io.tern.simulator.spot.SyntheticSpotTraces;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Prints the single-job study's figures as the README quotes them, for the shared traces and the
 * held-out synthetic sets, at 48 h / 52 h / 0.1 h and 48 h / 50 h / 0.2 h: the mean cost ratio of
 * tern, greedy, Uniform Progress and the optimum with their deadline misses, tern over the optimum,
 * tern's dearest run against the cap of on-demand plus one changeover (and how many runs are above
 * it), and on how many traces tern's mean is above Uniform Progress's. A tool for whoever tunes the
 * policy (about 30 s for everything here), run against the built distribution:
 *
 * <pre>
 * ./mvnw -B -q -o -pl cli -am package -DskipTests
 * ./mvnw -B -q -o -pl simulator -am test-compile
 * java -cp cli/target/tern.jar:simulator/target/test-classes \
 *     io.tern.simulator.policy.CantBeLateFigures shared,markov,lognormal,fresh [SPOT_DIR [48/52/0.1,...]]
 * </pre>
 *
 * Sets: {@code shared} is SPOT_DIR (default {@code ../shared/traces/cant-be-late-spot}, a start
 * every 24 h); {@code markov} and {@code lognormal} the README's held-out sets; {@code fresh} a
 * third family (log-normal runs, other means, seed 90210) kept for a final check only. Synthetic
 * sets start every 48 h.
 */
public final class CantBeLateFigures {
  private CantBeLateFigures() {}

  /** The held-out sets by name (the README names their means and seeds). */
  static List<SpotTrace> heldOut(String name) {
    return switch (name) {
      case "markov" ->
          SyntheticSpotTraces.heldOut(
              new double[][] {{4, 1}, {1, 1}, {0.5, 0.3}, {8, 2}, {2, 4}, {0.3, 0.2}}, 4, 3000, 7);
      case "lognormal" ->
          SyntheticSpotTraces.heldOutHeavyTailed(
              new double[][] {
                {6, 0.5}, {1.5, 0.7}, {0.4, 0.4}, {12, 6}, {3, 3}, {0.2, 0.5}, {20, 1}, {0.7, 0.2}
              },
              3,
              3000,
              20261205);
      case "fresh" ->
          SyntheticSpotTraces.heldOutHeavyTailed(
              new double[][] {
                {2, 0.3}, {5, 2}, {0.8, 0.3}, {10, 0.5}, {1, 2}, {4, 4}, {0.5, 1}, {16, 3}
              },
              3,
              3000,
              90210);
      default -> throw new IllegalArgumentException("unknown set: " + name);
    };
  }

  public static void main(String[] args) {
    String sets = args.length > 0 ? args[0] : "shared,markov,lognormal";
    Path shared = Path.of(args.length > 1 ? args[1] : "../shared/traces/cant-be-late-spot");
    List<SingleJobSetting> settings =
        args.length > 2
            ? java.util.Arrays.stream(args[2].split(","))
                .map(t -> t.split("/"))
                .map(
                    h ->
                        new SingleJobSetting(
                            Double.parseDouble(h[0]),
                            Double.parseDouble(h[1]),
                            Double.parseDouble(h[2])))
                .toList()
            : List.of(new SingleJobSetting(48, 52, 0.1), new SingleJobSetting(48, 50, 0.2));
    for (String set : sets.split(",")) {
      boolean isShared = set.equals("shared");
      List<SpotTrace> traces = isShared ? SpotTraceReader.readDirectory(shared) : heldOut(set);
      for (SingleJobSetting setting : settings) {
        System.out.println(set + " " + figures(traces, setting, isShared ? 24 : 48));
      }
    }
  }

  /** One line of figures for a set of traces in one setting. */
  static String figures(List<SpotTrace> traces, SingleJobSetting s, double startEveryHours) {
    Map<String, double[]> sums = new LinkedHashMap<>(); // policy -> {sum of ratios, misses}
    int runs = 0;
    int overCap = 0;
    int aboveUp = 0;
    double dearest = 0;
    String dearestRun = "";
    double cap =
        (s.jobHours() + 2 * s.restartOverheadHours()) / (s.jobHours() + s.restartOverheadHours());
    for (SpotTrace trace : traces) {
      double[] prices = CantBeLate.instancePrices(trace.pool(), PriceTable.defaults());
      double baseline = s.onDemandHours() * prices[1];
      double tern = 0;
      double up = 0;
      for (int start : CantBeLate.startSlots(trace, s, startEveryHours)) {
        Map<String, SingleJobOutcome> r = CantBeLate.runAll(trace, start, s, prices[0], prices[1]);
        r.forEach(
            (policy, outcome) -> {
              double[] sum = sums.computeIfAbsent(policy, p -> new double[2]);
              sum[0] += outcome.costUsd() / baseline;
              sum[1] += outcome.deadlineMet() ? 0 : 1;
            });
        double ratio = r.get("tern").costUsd() / baseline;
        if (ratio > dearest) {
          dearest = ratio;
          dearestRun = trace.pool() + " from slot " + start;
        }
        overCap += ratio > cap + 1e-9 ? 1 : 0;
        tern += ratio;
        up += r.get("uniform-progress").costUsd() / baseline;
        runs++;
      }
      aboveUp += tern > up + 1e-9 ? 1 : 0;
    }
    StringBuilder line =
        new StringBuilder(
            String.format(
                Locale.ROOT,
                "%.0f h / %.0f h / %.1f h, %d runs:",
                s.jobHours(),
                s.deadlineHours(),
                s.restartOverheadHours(),
                runs));
    for (String policy : List.of("tern", "greedy", "uniform-progress", "optimum")) {
      double[] sum = sums.get(policy);
      line.append(
          String.format(Locale.ROOT, " %s %.4f (%d missed)", policy, sum[0] / runs, (int) sum[1]));
    }
    line.append(
        String.format(
            Locale.ROOT,
            "; tern/optimum %.3f; dearest %.4f (%s; cap %.4f, %d runs above);"
                + " tern above uniform-progress on %d of %d traces",
            sums.get("tern")[0] / sums.get("optimum")[0],
            dearest,
            dearestRun,
            cap,
            overCap,
            aboveUp,
            traces.size()));
    return line.toString();
  }
}
