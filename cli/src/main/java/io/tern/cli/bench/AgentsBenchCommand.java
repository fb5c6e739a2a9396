package io.tern.cli.bench;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.tern.api.v1.AgentMessage;
import io.tern.api.v1.AgentServiceGrpc;
import io.tern.api.v1.CapacityType;
import io.tern.api.v1.Gpu;
import io.tern.api.v1.GpuHealth;
import io.tern.api.v1.JobServiceGrpc;
import io.tern.api.v1.JobSpec;
import io.tern.api.v1.Register;
import io.tern.api.v1.Resources;
import io.tern.api.v1.SchedulerMessage;
import io.tern.api.v1.Telemetry;
import io.tern.cli.CommandModels;
import io.tern.cli.OutputFormat;
import io.tern.cli.OutputOptions;
import io.tern.cli.UserInputException;
import io.tern.cli.client.ClientOptions;
import io.tern.cli.client.SchedulerClient;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tern bench agents}: many simulated agents (streams in this process) heartbeating to a
 * running scheduler that holds a large queue. Reads the scheduler's own figures from its /metrics:
 * how long agent messages wait and take on its loop, and its heap.
 */
@Command(
    modelTransformer = CommandModels.Declared.class,
    name = "agents",
    description = {
      "Queue many jobs, then connect many simulated agents heartbeating once a second; report the"
          + " scheduler's agent-message latency (p50/p99) and heap from its /metrics endpoint."
    })
final class AgentsBenchCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;
  final ClientOptions client = new ClientOptions();
  final OutputOptions output = new OutputOptions();

  @Option(
      names = "--metrics",
      required = true,
      paramLabel = "URL",
      description = "The leader's metrics, e.g. http://127.0.0.1:9464/metrics.")
  String metricsFlag;

  private URI metrics;

  @Option(
      names = "--agents",
      defaultValue = "1000",
      description = "Simulated agents (default ${DEFAULT-VALUE}).")
  int agents;

  @Option(
      names = "--gpus-per-agent",
      defaultValue = "8",
      description = "GPUs per agent (default ${DEFAULT-VALUE}).")
  int gpusPerAgent;

  @Option(
      names = "--queued",
      defaultValue = "100000",
      description =
          "Jobs queued first; they ask for more GPUs than a node has, so they stay queued (default ${DEFAULT-VALUE}).")
  int queued;

  @Option(
      names = "--seconds",
      defaultValue = "60",
      description = "How long the agents heartbeat (default ${DEFAULT-VALUE}).")
  int seconds;

  /** The figures, named for scripts. */
  record Figures(
      int agents,
      int queued,
      int seconds,
      long heartbeats_sent,
      double message_ms_p50,
      double message_ms_p99,
      double heap_used_mib,
      double last_plan_ms) {}

  @Override
  public Integer call() throws Exception {
    metrics =
        io.tern.cli.EndpointUrl.parse("--metrics", metricsFlag, "http://127.0.0.1:9464/metrics");
    if (agents < 1 || queued < 0 || seconds < 1 || gpusPerAgent < 1 || gpusPerAgent > 64) {
      throw new UserInputException(
          "--agents and --seconds must be >= 1, --queued >= 0, --gpus-per-agent 1..64");
    }
    var err = spec.commandLine().getErr();
    String target;
    try (SchedulerClient scheduler = client.connect()) {
      scheduler.call(
          c ->
              JobServiceGrpc.newBlockingStub(c)
                  .listJobs(io.tern.api.v1.ListJobsRequest.newBuilder().setPageSize(1).build()));
      target = scheduler.currentAddress();
    }
    List<ManagedChannel> channels = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      channels.add(NettyChannelBuilder.forTarget(target).usePlaintext().build());
    }
    ScheduledExecutorService timer = Executors.newScheduledThreadPool(2);
    List<StreamObserver<AgentMessage>> streams = new ArrayList<>();
    long[] sent = {0};
    try {
      queue(channels.get(0), err);
      err.printf("connecting %d agents%n", agents);
      err.flush();
      for (int a = 0; a < agents; a++) {
        String node = String.format("bench-%05d", a);
        StreamObserver<AgentMessage> out =
            AgentServiceGrpc.newStub(channels.get(a % channels.size())).connect(new Ignore());
        Register.Builder register =
            Register.newBuilder()
                .setNodeId(node)
                .setCapacityType(CapacityType.CAPACITY_TYPE_ON_DEMAND)
                .setPool("bench")
                .setPricePerHourUsd(10)
                .setCpu(96)
                .setMemoryGib(1024)
                .addAllGpus(gpus(node, 0));
        synchronized (out) {
          out.onNext(AgentMessage.newBuilder().setRegister(register).build());
        }
        streams.add(out);
        long offset = (long) a * 1000 / agents;
        int index = a;
        timer.scheduleAtFixedRate(
            () -> {
              AgentMessage beat =
                  AgentMessage.newBuilder()
                      .setTelemetry(Telemetry.newBuilder().addAllGpus(gpus(node, index % 100)))
                      .build();
              synchronized (out) {
                out.onNext(beat);
              }
              synchronized (sent) {
                sent[0]++;
              }
            },
            offset,
            1000,
            TimeUnit.MILLISECONDS);
      }
      err.printf("heartbeating for %d s%n", seconds);
      err.flush();
      Thread.sleep(seconds * 1000L);
      String text = scrape();
      Figures figures =
          new Figures(
              agents,
              queued,
              seconds,
              sent[0],
              metric(text, "tern_agent_message_seconds\\{quantile=\"0.5\"\\}") * 1000,
              metric(text, "tern_agent_message_seconds\\{quantile=\"0.99\"\\}") * 1000,
              metric(text, "tern_heap_used_bytes") / (1024 * 1024),
              metric(text, "tern_last_plan_seconds") * 1000);
      var out = spec.commandLine().getOut();
      if (output.format() == OutputFormat.json) {
        out.println(OutputOptions.toJson(figures));
      } else {
        out.printf(
            "%d agents, %d queued: agent messages p50 %.2f ms, p99 %.2f ms; heap %.0f MiB; last plan %.0f ms%n",
            agents,
            queued,
            figures.message_ms_p50(),
            figures.message_ms_p99(),
            figures.heap_used_mib(),
            figures.last_plan_ms());
      }
      out.flush();
      return 0;
    } finally {
      timer.shutdownNow();
      for (StreamObserver<AgentMessage> s : streams) {
        synchronized (s) {
          s.onCompleted();
        }
      }
      channels.forEach(ManagedChannel::shutdownNow);
    }
  }

  private void queue(ManagedChannel channel, java.io.PrintWriter err) throws InterruptedException {
    JobSpec tooBig =
        JobSpec.newBuilder()
            .setName("queued")
            .setTeam("bench")
            .addCommand("true")
            .setResources(
                Resources.newBuilder().setGpus(Math.min(64, gpusPerAgent * 2)).setNodes(1))
            .build();
    SubmitStorm.Result storm = SubmitStorm.run(channel, tooBig, queued, 256, "queued", err);
    if (storm.failed() > 0) {
      throw new IllegalStateException(storm.failed() + " of " + queued + " submits failed");
    }
  }

  private List<Gpu> gpus(String node, int utilization) {
    List<Gpu> gpus = new ArrayList<>(gpusPerAgent);
    for (int i = 0; i < gpusPerAgent; i++) {
      gpus.add(
          Gpu.newBuilder()
              .setIndex(i)
              .setUuid(node + "-" + i)
              .setModel("H100")
              .setMemoryTotalMib(81920)
              .setUtilizationPercent(utilization)
              .setHealth(GpuHealth.GPU_HEALTH_OK)
              .build());
    }
    return gpus;
  }

  private String scrape() throws IOException, InterruptedException {
    try (HttpClient http = HttpClient.newHttpClient()) {
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(metrics).GET().build(), HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        throw new IOException(metrics + " answered " + response.statusCode());
      }
      return response.body();
    }
  }

  private static double metric(String text, String name) {
    Matcher m = Pattern.compile("(?m)^" + name + " ([0-9.eE+-]+)").matcher(text);
    return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
  }

  /** The scheduler's commands are not acted on: these agents only heartbeat. */
  private static final class Ignore implements StreamObserver<SchedulerMessage> {
    @Override
    public void onNext(SchedulerMessage value) {}

    @Override
    public void onError(Throwable t) {}

    @Override
    public void onCompleted() {}
  }
}
