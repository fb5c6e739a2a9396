package io.tern.cli.simulate;

import io.tern.cli.CommandModels;
import io.tern.cli.OutputFormat;
import io.tern.cli.OutputOptions;
import io.tern.cli.UserInputException;
import io.tern.cli.client.Table;
import io.tern.simulator.CantBeLate;
import io.tern.simulator.ProgressListener;
import io.tern.simulator.Simulation;
import io.tern.simulator.SimulationRequest;
import io.tern.simulator.policy.SingleJobSetting;
import io.tern.simulator.report.CantBeLateReport;
import io.tern.simulator.report.HtmlReport;
import io.tern.simulator.report.PolicyResult;
import io.tern.simulator.report.SimulationSummary;
import io.tern.simulator.report.SummaryJson;
import io.tern.simulator.spot.PriceTable;
import io.tern.simulator.spot.SpotTrace;
import io.tern.simulator.spot.SpotTraceReader;
import io.tern.simulator.trace.AlibabaMapping;
import io.tern.simulator.trace.AlibabaTraceImporter;
import io.tern.simulator.trace.TraceFormatException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tern simulate}: replay a trace through the scheduling core under several policies. */
@Command(
    modelTransformer = CommandModels.Declared.class,
    name = "simulate",
    sortOptions = false,
    description = {
      "Replay a workload trace through the scheduling core under several policies.",
      "Side by side: cost, savings vs on-demand, deadline misses, JCT, queue wait, work lost.",
      "",
      "Examples:",
      "  tern simulate --jobs trace.csv --spot ../shared/traces/cant-be-late-spot --report out.html",
      "  tern simulate --format alibaba-v2023 --jobs openb_pod_list_default.csv \\",
      "      --nodes openb_node_list_gpu_node.csv --spot DIR -o json",
      "  tern simulate --cant-be-late --spot ../shared/traces/cant-be-late-spot \\",
      "      --job-hours 48 --deadline-hours 52 --changeover-hours 0.1 -o json",
      ""
    })
public final class SimulateCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;
  final OutputOptions output = new OutputOptions();

  @Option(
      names = "--jobs",
      paramLabel = "TRACE",
      description = "The jobs trace (native CSV, or Alibaba pods).")
  Path jobs;

  @Option(
      names = "--format",
      defaultValue = "native",
      description = "Trace format: native | alibaba-v2023 (default ${DEFAULT-VALUE}).")
  String format;

  @Option(
      names = "--nodes",
      paramLabel = "FILE",
      description = "Node list (alibaba-v2023: openb_node_list_gpu_node.csv).")
  Path nodes;

  @Option(
      names = "--spot",
      paramLabel = "DIR",
      description = "Spot availability traces (the cant-be-late-spot format).")
  Path spot;

  @Option(
      names = "--policy",
      split = ",",
      paramLabel = "NAME",
      description = "all, or any of on-demand, spot-greedy, spot-checkpoint, tern (default all).")
  List<String> policies = List.of("all");

  @Option(
      names = "--deadline-share",
      paramLabel = "SHARE",
      description = {
        "alibaba-v2023: the share of pods (0-1) given a deadline, picked by a hash of --seed and"
            + " the pod name (default 0.2; the trace has no deadlines of its own)."
      })
  Double deadlineShare;

  @Option(
      names = "--deadline-slack",
      paramLabel = "FACTOR",
      description = {
        "alibaba-v2023: a chosen pod's deadline is submit + FACTOR x its duration (default 1.5)."
      })
  Double deadlineSlack;

  @Option(
      names = "--seed",
      defaultValue = "1",
      description = "Seed; the same seed gives the same output (default ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--report",
      paramLabel = "FILE.html",
      description = "Write a self-contained HTML report.")
  Path report;

  @Option(
      names = "--cant-be-late",
      description =
          "The single-job deadline study of the Can't Be Late paper on --spot: one job under Tern"
              + " (the production core), greedy, Uniform Progress, the offline optimum and"
              + " on-demand.")
  boolean cantBeLate;

  @Option(
      names = "--job-hours",
      paramLabel = "H",
      defaultValue = "48",
      description = "--cant-be-late: hours of work of the job (default ${DEFAULT-VALUE}).")
  double jobHours;

  @Option(
      names = "--deadline-hours",
      paramLabel = "H",
      defaultValue = "52",
      description =
          "--cant-be-late: its deadline, hours after its start (default ${DEFAULT-VALUE}).")
  double deadlineHours;

  @Option(
      names = "--changeover-hours",
      paramLabel = "H",
      defaultValue = "0.1",
      description =
          "--cant-be-late: time each start on a new instance costs before work resumes (default"
              + " ${DEFAULT-VALUE}).")
  double changeoverHours;

  @Option(
      names = "--start-every-hours",
      paramLabel = "H",
      defaultValue = "24",
      description =
          "--cant-be-late: a start point every H hours of each trace; 0 for one at its beginning"
              + " (default ${DEFAULT-VALUE}).")
  double startEveryHours;

  @Option(
      names = "--offpeak",
      paramLabel = "CRON;DURATION;ZONE",
      description =
          "An off-peak window to replay, as 'tern offpeak set' takes it: a Quartz cron (seconds"
              + " first), how long each opening lasts and an IANA time zone, e.g. '0 0 20 ? *"
              + " MON-FRI;11h;Europe/Berlin'; repeatable. Under the tern policy low-priority jobs"
              + " without a deadline wait for a window.")
  List<String> offPeak = new ArrayList<>();

  @Option(
      names = "--trace-start",
      paramLabel = "INSTANT",
      defaultValue = "1970-01-01T00:00:00Z",
      description =
          "With --offpeak: the calendar instant of the trace's second 0, so windows open on the"
              + " right weekdays and clock changes (default ${DEFAULT-VALUE}).")
  String traceStart;

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    ProgressListener progress = new Progress(err);
    try {
      if (cantBeLate) {
        return runCantBeLate(progress);
      }
      if (jobs == null) {
        throw new UserInputException("--jobs: give a trace to replay (or --cant-be-late)");
      }
      SimulationRequest request =
          SimulationRequest.of(jobs, format).withPolicies(policies).withSeed(seed);
      if (nodes != null) {
        request = request.withNodes(nodes);
      }
      if (spot != null) {
        request = request.withSpotDir(spot);
      }
      request = request.withAlibabaMapping(alibabaMapping(request.alibabaMapping()));
      request =
          request.withSettings(
              request.settings().withOffPeak(OffPeakFlags.parse(offPeak, traceStart)));
      SimulationSummary summary = Simulation.run(request, progress);
      if (report != null) {
        HtmlReport.write(summary, report);
        err.println("report: " + report.toAbsolutePath());
      }
      print(summary);
      return 0;
    } catch (TraceFormatException e) {
      throw new UserInputException(e.getMessage());
    } catch (IllegalArgumentException e) {
      throw new UserInputException(e.getMessage());
    }
  }

  /** The Alibaba mapping with the deadline flags applied; they only apply to that format. */
  private AlibabaMapping alibabaMapping(AlibabaMapping defaults) {
    if (deadlineShare == null && deadlineSlack == null) {
      return defaults;
    }
    String flag = deadlineShare != null ? "--deadline-share" : "--deadline-slack";
    if (!format.equalsIgnoreCase(AlibabaTraceImporter.FORMAT)) {
      throw new UserInputException(
          flag
              + ": applies to --format "
              + AlibabaTraceImporter.FORMAT
              + " only (a native trace has its own deadline column)");
    }
    double share = deadlineShare == null ? defaults.deadlineShare() : deadlineShare;
    double slack = deadlineSlack == null ? defaults.deadlineSlack() : deadlineSlack;
    if (!(share >= 0 && share <= 1)) {
      throw new UserInputException("--deadline-share: must be between 0 and 1, got " + share);
    }
    if (!(slack >= 1 && Double.isFinite(slack))) {
      throw new UserInputException(
          "--deadline-slack: must be at least 1 (deadline = submit + slack x duration), got "
              + slack);
    }
    return defaults.withDeadlines(share, slack);
  }

  private int runCantBeLate(ProgressListener progress) {
    if (spot == null) {
      throw new UserInputException("--spot: --cant-be-late needs the directory of spot traces");
    }
    if (!Files.isDirectory(spot)) {
      throw new UserInputException("--spot: " + spot + " is not a directory");
    }
    requirePositive("--job-hours", jobHours);
    requirePositive("--deadline-hours", deadlineHours);
    if (jobHours * 3600 < 1) {
      throw new UserInputException("--job-hours: must be at least one second, got " + jobHours);
    }
    if (!(changeoverHours >= 0) || Double.isInfinite(changeoverHours)) {
      throw new UserInputException("--changeover-hours: must be 0 or more, got " + changeoverHours);
    }
    if (!(startEveryHours >= 0) || Double.isInfinite(startEveryHours)) {
      throw new UserInputException(
          "--start-every-hours: must be 0 or more, got " + startEveryHours);
    }
    if (deadlineHours < jobHours + changeoverHours) {
      throw new UserInputException(
          "--deadline-hours: "
              + deadlineHours
              + " h cannot fit the job even on on-demand (--job-hours + --changeover-hours = "
              + (jobHours + changeoverHours)
              + " h)");
    }
    SingleJobSetting setting = new SingleJobSetting(jobHours, deadlineHours, changeoverHours);
    List<SpotTrace> traces = SpotTraceReader.readDirectory(spot);
    int longestSlot = traces.stream().mapToInt(SpotTrace::slotSeconds).max().orElse(0);
    if (startEveryHours > 0 && startEveryHours * 3600 < longestSlot) {
      // Starts fall on slots: a shorter spacing would start more than once a slot.
      throw new UserInputException(
          String.format(
              java.util.Locale.ROOT,
              "--start-every-hours: at least one trace slot (%.4f h), or 0 for one start per"
                  + " trace; got %s",
              longestSlot / 3600.0,
              startEveryHours));
    }
    try {
      CantBeLate.requireDeadlineInside(traces, setting);
    } catch (IllegalArgumentException e) {
      throw new UserInputException("--deadline-hours: " + e.getMessage());
    }
    CantBeLateReport result =
        CantBeLate.run(traces, setting, startEveryHours, PriceTable.defaults(), progress);
    if (report != null) {
      result.writeHtml(report);
      spec.commandLine().getErr().println("report: " + report.toAbsolutePath());
    }
    PrintWriter out = spec.commandLine().getOut();
    out.print(output.format() == OutputFormat.json ? SummaryJson.toJson(result) : result.toTable());
    out.flush();
    return 0;
  }

  private static void requirePositive(String flag, double value) {
    if (!(value > 0) || Double.isInfinite(value)) {
      throw new UserInputException(flag + ": must be a finite number more than 0, got " + value);
    }
  }

  private void print(SimulationSummary summary) {
    PrintWriter out = spec.commandLine().getOut();
    if (output.format() == OutputFormat.json) {
      out.println(SummaryJson.toJson(summary));
      out.flush();
      return;
    }
    out.printf(
        "%d jobs on %d nodes (%d GPUs), %.0f h of trace, seed %d%n",
        summary.jobs(), summary.nodes(), summary.gpus(), summary.traceSpanHours(), summary.seed());
    Table table =
        new Table(
            "POLICY",
            "COST $",
            "SPOT $",
            "ON-DEMAND $",
            "SPOT GPU-H",
            "SAVED",
            "UNFINISHED",
            "DEADLINE MISSES",
            "JCT P50 H",
            "JCT P99 H",
            "WAIT P50 H",
            "GPU-H LOST",
            "RECLAIMS");
    // Whole dollars for a cluster's bill; cents for a small replay, where whole dollars hide it.
    String usd =
        summary.policies().stream().mapToDouble(PolicyResult::costUsd).max().orElse(0) < 1000
            ? "%,.2f"
            : "%,.0f";
    for (PolicyResult p : summary.policies()) {
      table.row(
          p.policy(),
          String.format(usd, p.costUsd()),
          String.format(usd, p.spotCostUsd()),
          String.format(usd, p.onDemandCostUsd()),
          String.format("%.1f%%", 100 * p.spotShareOfGpuHours()),
          String.format("%.1f%%", p.savingsVsOnDemandPercent()),
          p.jobsUnfinished(),
          p.deadlineMisses() + "/" + p.deadlineJobs(),
          String.format("%.2f", p.jctHours().p50()),
          String.format("%.2f", p.jctHours().p99()),
          String.format("%.2f", p.queueWaitHours().p50()),
          String.format("%.1f", p.gpuHoursLostToPreemption()),
          p.reclaims());
    }
    table.print(out);
    out.println();
    out.println("Where the saving comes from (vs on-demand; the parts add up to the saving):");
    Table split =
        new Table(
            "POLICY", "SAVED $", "FROM SPOT PRICES $", "FROM GPU MODELS $", "FROM LOST WORK $");
    for (PolicyResult p : summary.policies()) {
      split.row(
          p.policy(),
          String.format(usd, p.savingsVsOnDemandUsd()),
          String.format(usd, p.savingsSplit().fromSpotPricesUsd()),
          String.format(usd, p.savingsSplit().fromGpuModelsUsd()),
          String.format(usd, p.savingsSplit().fromLostWorkUsd()));
    }
    split.print(out);
    summary.mappingNotes().forEach(n -> out.println("  * " + n));
    out.flush();
  }

  /**
   * Progress on stderr, a line per 10% of each phase. Phases may report from several threads at
   * once (policies replay concurrently): calls are serialized and each phase keeps its own step, so
   * interleaved phases still print one line per step each.
   */
  private static final class Progress implements ProgressListener {
    private final PrintWriter err;
    private final Map<String, Long> lastTenth = new HashMap<>();

    Progress(PrintWriter err) {
      this.err = err;
    }

    @Override
    public synchronized void onProgress(String phase, long done, long total) {
      long tenth = total <= 0 ? 10 : done * 10 / total;
      Long last = lastTenth.put(phase, tenth);
      if (last == null || last != tenth) {
        err.println(phase + ": " + tenth * 10 + "%");
        err.flush();
      }
    }
  }
}
