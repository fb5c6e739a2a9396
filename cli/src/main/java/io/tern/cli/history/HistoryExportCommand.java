package io.tern.cli.history;

import io.grpc.StatusRuntimeException;
import io.tern.api.v1.ExportHistoryRequest;
import io.tern.api.v1.HistoryChunk;
import io.tern.api.v1.Job;
import io.tern.api.v1.JobServiceGrpc;
import io.tern.api.v1.Node;
import io.tern.cli.CommandModels;
import io.tern.cli.UserInputException;
import io.tern.cli.client.CallFailures;
import io.tern.cli.client.ClientOptions;
import io.tern.cli.client.SchedulerClient;
import io.tern.cli.client.SinceFlag;
import io.tern.simulator.trace.Workloads;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tern history export}: the finished jobs the scheduler ran since a time, from its durable
 * state (the ExportHistory rpc, so the caller's teams and roles apply), as a native trace, and the
 * nodes they ran on as a node list beside it.
 */
@Command(
    modelTransformer = CommandModels.Declared.class,
    name = "export",
    sortOptions = false,
    description = {
      "Write the finished jobs the cluster ran as a trace the simulator replays.",
      "The trace is in the simulator's native format, with the cluster's nodes as a node list"
          + " beside it (NAME.nodes.csv for NAME.csv), so that",
      "  tern simulate --jobs NAME.csv ...",
      "replays them under other windows, budgets or policies. submit: seconds after the first"
          + " exported submission; duration: the seconds of work the job did (work lost to"
          + " reclaims not counted). Users export their teams' jobs; FinOps and admins everyone's."
    })
public final class HistoryExportCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  final ClientOptions client = new ClientOptions();

  @Option(
      names = "--since",
      required = true,
      paramLabel = "WHEN",
      description = "Export jobs submitted since then: " + SinceFlag.FORMS + ".")
  String since;

  @Option(
      names = {"-o", "--output"},
      required = true,
      paramLabel = "FILE",
      description = "Where to write the trace (CSV); - for stdout.")
  String output;

  @Option(
      names = "--nodes",
      paramLabel = "FILE",
      description =
          "Where to write the node list. Default: NAME.nodes.csv beside NAME.csv, where `tern"
              + " simulate` finds it; none with -o - unless given.")
  Path nodes;

  @Option(names = "--team", paramLabel = "TEAM", description = "Only this team's jobs.")
  String team;

  Clock clock = Clock.systemUTC();

  @Override
  public Integer call() {
    Instant from = SinceFlag.parsePast("--since", since, clock.instant());
    if (output.isBlank()) {
      throw new UserInputException("-o: give a file, or - for stdout");
    }
    Path traceFile = output.equals("-") ? null : Path.of(output);
    Path nodeFile =
        nodes != null || traceFile == null ? nodes : Workloads.besideNodeList(traceFile);
    ExportHistoryRequest.Builder request =
        ExportHistoryRequest.newBuilder()
            .setSince(
                com.google.protobuf.Timestamp.newBuilder()
                    .setSeconds(from.getEpochSecond())
                    .setNanos(from.getNano()));
    if (team != null) {
      request.setTeam(team);
    }
    List<Job> jobs = new ArrayList<>();
    List<Node> nodeList = new ArrayList<>();
    int[] leftOut = {0};
    try (SchedulerClient scheduler = client.connect()) {
      scheduler.call(
          channel -> {
            jobs.clear();
            nodeList.clear();
            Iterator<HistoryChunk> chunks =
                JobServiceGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(5, TimeUnit.MINUTES)
                    .exportHistory(request.build());
            while (chunks.hasNext()) {
              HistoryChunk chunk = chunks.next();
              jobs.addAll(chunk.getJobsList());
              nodeList.addAll(chunk.getNodesList());
              leftOut[0] += chunk.getJobsLeftOut();
            }
            return null;
          });
    } catch (StatusRuntimeException e) {
      throw CallFailures.failure("export failed: ", e);
    }
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    String trace = HistoryTrace.trace(jobs);
    if (traceFile == null) {
      out.print(trace);
      out.flush();
    } else {
      write(traceFile, trace, "-o");
    }
    if (nodeFile != null) {
      write(nodeFile, HistoryTrace.nodeList(nodeList), "--nodes");
    }
    err.printf(
        "exported %d jobs%s and %d nodes%s%s%n",
        jobs.size(),
        leftOut[0] == 0
            ? ""
            : " (" + leftOut[0] + " left out: still queued or running, or never started)",
        nodeList.size(),
        traceFile == null ? "" : " to " + traceFile,
        nodeFile == null ? "" : ", " + nodeFile);
    if (traceFile != null) {
      err.println(
          "replay: tern simulate --jobs " + traceFile + " [--spot DIR] [--report FILE.html]");
    }
    err.flush();
    return 0;
  }

  private static void write(Path file, String text, String flag) {
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null && !Files.isDirectory(parent)) {
        throw new UserInputException(flag + ": no directory " + parent);
      }
      Files.writeString(file, text, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }
}
