package io.tern.cli.bench;

import io.grpc.Channel;
import io.tern.api.v1.JobServiceGrpc;
import io.tern.api.v1.JobSpec;
import io.tern.api.v1.Resources;
import io.tern.cli.CommandModels;
import io.tern.cli.OutputFormat;
import io.tern.cli.OutputOptions;
import io.tern.cli.UserInputException;
import io.tern.cli.client.ClientOptions;
import io.tern.cli.client.SchedulerClient;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tern bench submit}: durable submits per second against a running scheduler. A submit is
 * acknowledged only once ZooKeeper has it, so this measures the whole path. A warm-up storm runs
 * first, not counted: a fresh JVM spends seconds of CPU compiling the client's and the server's hot
 * paths, which on a small machine would otherwise be measured as submit cost.
 */
@Command(
    modelTransformer = CommandModels.Declared.class,
    name = "submit",
    description = "Submit many small jobs with N in flight; durable submits/s and latency p50/p99.")
final class SubmitBenchCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;
  final ClientOptions client = new ClientOptions();
  final OutputOptions output = new OutputOptions();

  @Option(
      names = "--jobs",
      defaultValue = "20000",
      description = "Jobs to submit (default ${DEFAULT-VALUE}).")
  int jobs;

  @Option(
      names = "--concurrency",
      defaultValue = "64",
      description = "Submits in flight (default ${DEFAULT-VALUE}).")
  int concurrency;

  @Option(
      names = "--warmup",
      description =
          "Jobs to submit first, not counted, while the client's and the scheduler's JIT compile"
              + " their hot paths (default: a quarter of --jobs).")
  Integer warmup;

  @Option(
      names = "--team",
      defaultValue = "bench",
      description = "Team of the jobs (default ${DEFAULT-VALUE}).")
  String team;

  /** The figures, named for scripts. */
  record Figures(
      int jobs,
      int concurrency,
      int warmup,
      int failed,
      double seconds,
      double submits_per_second,
      double latency_ms_p50,
      double latency_ms_p99) {}

  @Override
  public Integer call() throws InterruptedException {
    int warmupJobs = warmup == null ? jobs / 4 : warmup;
    if (jobs < 1 || concurrency < 1 || concurrency > 10_000 || warmupJobs < 0) {
      throw new UserInputException("--jobs must be >= 1, --concurrency 1..10000 and --warmup >= 0");
    }
    JobSpec template =
        JobSpec.newBuilder()
            .setName("bench")
            .setTeam(team)
            .addCommand("true")
            .setResources(Resources.newBuilder().setGpus(1).setNodes(1))
            .build();
    var err = spec.commandLine().getErr();
    try (SchedulerClient scheduler = client.connect()) {
      // Find the leader once; then stream submits at it.
      Channel channel =
          scheduler.call(
              c -> {
                JobServiceGrpc.newBlockingStub(c)
                    .listJobs(io.tern.api.v1.ListJobsRequest.newBuilder().setPageSize(1).build());
                return c;
              });
      if (warmupJobs > 0) {
        SubmitStorm.Result warm =
            SubmitStorm.run(channel, template, warmupJobs, concurrency, "warming up", err);
        if (warm.failed() > 0) {
          err.printf("%d of %d warm-up submits failed%n", warm.failed(), warmupJobs);
        }
      }
      SubmitStorm.Result storm =
          SubmitStorm.run(channel, template, jobs, concurrency, "submitted", err);
      long[] latencies = storm.latencyNanos();
      double seconds = storm.seconds();
      Arrays.sort(latencies);
      Figures figures =
          new Figures(
              jobs,
              concurrency,
              warmupJobs,
              storm.failed(),
              seconds,
              jobs / seconds,
              latencies[(int) (jobs * 0.50)] / 1e6,
              latencies[Math.min(jobs - 1, (int) (jobs * 0.99))] / 1e6);
      var out = spec.commandLine().getOut();
      if (output.format() == OutputFormat.json) {
        out.println(OutputOptions.toJson(figures));
      } else {
        out.printf(
            "%d submits (%d failed) in %.2f s: %.0f/s, latency p50 %.1f ms, p99 %.1f ms%n",
            jobs,
            figures.failed(),
            seconds,
            figures.submits_per_second(),
            figures.latency_ms_p50(),
            figures.latency_ms_p99());
      }
      out.flush();
      return storm.failed() == 0 ? 0 : 1;
    }
  }
}
