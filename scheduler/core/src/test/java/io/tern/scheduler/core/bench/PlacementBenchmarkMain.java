package io.tern.scheduler.core.bench;

/**
 * Runs {@link PlacementBenchmark} from the command line (test scope, so the core itself does no
 * console I/O): {@code java -cp target/classes:target/test-classes
 * io.tern.scheduler.core.bench.PlacementBenchmarkMain [nodes gpusPerNode pending [rounds [seed]]]}.
 */
public final class PlacementBenchmarkMain {
  private PlacementBenchmarkMain() {}

  public static void main(String[] args) {
    PlacementBenchmark.Options o = PlacementBenchmark.Options.defaults();
    if (args.length >= 3) {
      o =
          new PlacementBenchmark.Options(
              Integer.parseInt(args[0]),
              Integer.parseInt(args[1]),
              Integer.parseInt(args[2]),
              args.length > 3 ? Integer.parseInt(args[3]) : o.steadyRounds(),
              args.length > 4 ? Long.parseLong(args[4]) : o.seed());
    }
    PlacementBenchmark.Result r = PlacementBenchmark.run(o, System.err::println);
    System.out.println(r.toJson());
  }
}
