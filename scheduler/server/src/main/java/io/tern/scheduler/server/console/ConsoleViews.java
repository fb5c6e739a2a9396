package io.tern.scheduler.server.console;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.Timestamp;
import com.google.protobuf.util.JsonFormat;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.tern.api.v1.Attempt;
import io.tern.api.v1.ClusterServiceGrpc;
import io.tern.api.v1.CostLine;
import io.tern.api.v1.CostReport;
import io.tern.api.v1.ExplainJobRequest;
import io.tern.api.v1.FinOpsServiceGrpc;
import io.tern.api.v1.GetCostReportRequest;
import io.tern.api.v1.GetJobRequest;
import io.tern.api.v1.GetQueueRequest;
import io.tern.api.v1.Job;
import io.tern.api.v1.JobServiceGrpc;
import io.tern.api.v1.JobState;
import io.tern.api.v1.ListBudgetsRequest;
import io.tern.api.v1.ListJobsRequest;
import io.tern.api.v1.ListJobsResponse;
import io.tern.api.v1.ListNodesRequest;
import io.tern.api.v1.ListNodesResponse;
import io.tern.api.v1.ListOffPeakWindowsRequest;
import io.tern.api.v1.ListOffPeakWindowsResponse;
import io.tern.api.v1.OffPeakWindow;
import io.tern.offpeak.WindowSpec;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What each console page shows, as JSON, read through the scheduler's own gRPC API as the signed-in
 * caller: the scheduler authenticates, authorizes (a user's teams only; finops and admins
 * everything) and, on a standby, relays to the leader, exactly as for the CLI.
 */
final class ConsoleViews {
  /** Jobs a jobs page lists at most (newest first). */
  static final int MAX_JOBS = 1000;

  static final int MAX_COST_DAYS = 90;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonFormat.Printer PRINTER =
      JsonFormat.printer().alwaysPrintFieldsWithNoPresence().omittingInsignificantWhitespace();

  private final ManagedChannel channel;
  private final GpuHistory history;
  private final Clock clock;

  ConsoleViews(ManagedChannel channel, GpuHistory history, Clock clock) {
    this.channel = channel;
    this.history = history;
    this.clock = clock;
  }

  /** The jobs the caller may see, filtered by team, state and owner (each optional). */
  String jobs(Caller caller, Map<String, String> query) {
    ListJobsRequest.Builder request = ListJobsRequest.newBuilder().setPageSize(500);
    String team = query.getOrDefault("team", "");
    String owner = query.getOrDefault("owner", "");
    request.setTeam(team);
    String state = query.getOrDefault("state", "");
    if (!state.isEmpty()) {
      request.addStates(jobState(state));
    }
    List<Job> jobs = new ArrayList<>();
    JobServiceGrpc.JobServiceBlockingStub stub = caller.on(JobServiceGrpc.newBlockingStub(channel));
    String page = "";
    do {
      ListJobsResponse response = stub.listJobs(request.setPageToken(page).build());
      jobs.addAll(response.getJobsList());
      page = response.getNextPageToken();
    } while (!page.isEmpty() && jobs.size() < MAX_JOBS);
    jobs.sort(
        Comparator.comparing((Job j) -> seconds(j.getSubmittedAt()))
            .reversed()
            .thenComparing(Job::getId, Comparator.reverseOrder()));
    ObjectNode out = JSON.createObjectNode();
    ArrayNode rows = out.putArray("jobs");
    TreeSet<String> owners = new TreeSet<>();
    TreeSet<String> teams = new TreeSet<>();
    for (Job job : jobs) {
      owners.add(job.getOwner());
      teams.add(job.getSpec().getTeam());
      if (!owner.isEmpty() && !owner.equals(job.getOwner())) {
        continue;
      }
      if (rows.size() >= MAX_JOBS) {
        break;
      }
      rows.add(row(job));
    }
    out.put("truncated", rows.size() >= MAX_JOBS);
    owners.forEach(out.putArray("owners")::add);
    teams.forEach(out.putArray("teams")::add);
    return out.toString();
  }

  private static ObjectNode row(Job job) {
    ObjectNode row = JSON.createObjectNode();
    row.put("id", job.getId());
    row.put("name", job.getSpec().getName());
    row.put("team", job.getSpec().getTeam());
    row.put("owner", job.getOwner());
    row.put("state", shortName(job.getState().name(), "JOB_STATE_"));
    row.put(
        "gpus",
        job.getSpec().getResources().getGpus()
            * Math.max(1, job.getSpec().getResources().getNodes()));
    row.put("submittedAt", seconds(job.getSubmittedAt()));
    row.put("costUsd", job.getCostUsd());
    // The last attempt's number: attempts that never ran may have been dropped from the record.
    row.put(
        "attempts",
        job.getAttemptsCount() == 0 ? 0 : job.getAttempts(job.getAttemptsCount() - 1).getNumber());
    if (job.getAttemptsCount() > 0) {
      Attempt last = job.getAttempts(job.getAttemptsCount() - 1);
      row.put("nodes", String.join(",", last.getNodeIdsList()));
      row.put("capacity", shortName(last.getCapacityType().name(), "CAPACITY_TYPE_"));
    }
    row.put("reason", job.getPendingReason());
    return row;
  }

  /** One job: the job itself, {@code explain}, and its current attempt's GPUs over time. */
  String job(Caller caller, String jobId) {
    JobServiceGrpc.JobServiceBlockingStub stub = caller.on(JobServiceGrpc.newBlockingStub(channel));
    Job job = stub.getJob(GetJobRequest.newBuilder().setJobId(jobId).build());
    ObjectNode out = JSON.createObjectNode();
    out.set("job", tree(job));
    out.set(
        "explain", tree(stub.explainJob(ExplainJobRequest.newBuilder().setJobId(jobId).build())));
    out.put("now", clock.instant().getEpochSecond());
    ArrayNode gpus = out.putArray("gpus");
    if (job.getAttemptsCount() > 0) {
      Attempt last = job.getAttempts(job.getAttemptsCount() - 1);
      for (int i = 0; i < last.getNodeIdsCount() && i < last.getGpusCount(); i++) {
        for (int index : last.getGpus(i).getIndexList()) {
          gpus.add(series(history.series(last.getNodeIds(i), index)));
        }
      }
    }
    return out.toString();
  }

  /** The queue in scheduling order, with each job's reason. */
  String queue(Caller caller, Map<String, String> query) {
    return print(
        caller
            .on(ClusterServiceGrpc.newBlockingStub(channel))
            .getQueue(
                GetQueueRequest.newBuilder()
                    .setTeam(query.getOrDefault("team", ""))
                    .setLimit(500)
                    .build()));
  }

  /** Every node and GPU (another team's job ids left out by the scheduler). */
  String nodes(Caller caller) {
    ListNodesResponse nodes =
        caller
            .on(ClusterServiceGrpc.newBlockingStub(channel))
            .listNodes(ListNodesRequest.getDefaultInstance());
    history.record(nodes.getNodesList(), clock.instant());
    ObjectNode out = tree(nodes);
    out.put("now", clock.instant().getEpochSecond());
    return out.toString();
  }

  /** The off-peak windows, open now or when they open next. */
  String offPeak(Caller caller) {
    ListOffPeakWindowsResponse windows =
        caller
            .on(FinOpsServiceGrpc.newBlockingStub(channel))
            .listOffPeakWindows(ListOffPeakWindowsRequest.getDefaultInstance());
    ObjectNode out = tree(windows);
    Instant now = clock.instant();
    LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
    Instant weekStart =
        today
            .minusDays(today.getDayOfWeek().getValue() - 1L)
            .atStartOfDay(ZoneOffset.UTC)
            .toInstant();
    Instant weekEnd = weekStart.plus(java.time.Duration.ofDays(7));
    out.put("now", now.getEpochSecond());
    out.put("weekStart", weekStart.getEpochSecond());
    ArrayNode openings = out.putArray("openings");
    for (OffPeakWindow window : windows.getWindowsList()) {
      WindowSpec spec =
          new WindowSpec(
              window.getName(),
              window.getCron(),
              java.time.Duration.ofSeconds(window.getDuration().getSeconds()),
              java.time.ZoneId.of(window.getTimeZone()));
      // A day either side of the UTC week: the page draws the week in any time zone.
      Instant from =
          spec.nextOpeningAfter(
              weekStart.minus(spec.duration()).minus(java.time.Duration.ofDays(1)));
      Instant until = weekEnd.plus(java.time.Duration.ofDays(1));
      for (int i = 0; from != null && from.isBefore(until) && i < 500; i++) {
        ObjectNode opening = openings.addObject();
        opening.put("name", window.getName());
        opening.put("from", from.getEpochSecond());
        opening.put("to", spec.closingOf(from).getEpochSecond());
        from = spec.nextOpeningAfter(from);
      }
    }
    return out.toString();
  }

  /**
   * Cost per team per UTC day over the last {@code days} days (from the durable ledger, through
   * GetCostReport), the whole range's lines, and the budgets the caller may read.
   */
  String cost(Caller caller, Map<String, String> query) {
    int days = days(query);
    FinOpsServiceGrpc.FinOpsServiceBlockingStub stub =
        caller.on(FinOpsServiceGrpc.newBlockingStub(channel));
    List<LocalDate> dates = dates(days);
    Map<String, double[][]> perTeam = new TreeMap<>();
    for (int d = 0; d < dates.size(); d++) {
      CostReport report = stub.getCostReport(range(dates.get(d), dates.get(d).plusDays(1)));
      for (CostLine line : report.getTeamsList()) {
        double[][] series =
            perTeam.computeIfAbsent(line.getKey(), k -> new double[2][dates.size()]);
        series[0][d] = line.getSpotUsd();
        series[1][d] = line.getOnDemandUsd();
      }
    }
    ObjectNode out = JSON.createObjectNode();
    ArrayNode dayList = out.putArray("days");
    dates.forEach(date -> dayList.add(date.atStartOfDay(ZoneOffset.UTC).toEpochSecond()));
    ArrayNode teams = out.putArray("teams");
    perTeam.forEach(
        (team, series) -> {
          ObjectNode t = teams.addObject();
          t.put("team", team);
          ArrayNode spot = t.putArray("spotUsd");
          ArrayNode onDemand = t.putArray("onDemandUsd");
          for (int d = 0; d < dates.size(); d++) {
            spot.add(series[0][d]);
            onDemand.add(series[1][d]);
          }
        });
    out.set(
        "report",
        tree(stub.getCostReport(range(dates.get(0), dates.get(dates.size() - 1).plusDays(1)))));
    try {
      out.set("budgets", tree(stub.listBudgets(ListBudgetsRequest.getDefaultInstance())));
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() != Status.Code.PERMISSION_DENIED) {
        throw e;
      }
      out.putNull("budgets");
    }
    return out.toString();
  }

  /** The same figures as {@link #cost}, one row per day and team, for a spreadsheet. */
  String costCsv(Caller caller, Map<String, String> query) {
    int days = days(query);
    FinOpsServiceGrpc.FinOpsServiceBlockingStub stub =
        caller.on(FinOpsServiceGrpc.newBlockingStub(channel));
    StringBuilder csv =
        new StringBuilder(
            "day,team,gpu_hours,spot_usd,on_demand_usd,idle_gpu_hours,lost_gpu_hours,"
                + "on_demand_premium_usd,spot_saving_usd\n");
    for (LocalDate date : dates(days)) {
      for (CostLine line : stub.getCostReport(range(date, date.plusDays(1))).getTeamsList()) {
        csv.append(date)
            .append(',')
            .append(csvText(line.getKey()))
            .append(
                String.format(
                    Locale.ROOT,
                    ",%.4f,%.4f,%.4f,%.4f,%.4f,%.4f,%.4f%n",
                    line.getGpuHours(),
                    line.getSpotUsd(),
                    line.getOnDemandUsd(),
                    line.getIdleGpuHours(),
                    line.getLostGpuHours(),
                    line.getOnDemandPremiumUsd(),
                    line.getSpotSavingUsd()));
      }
    }
    return csv.toString();
  }

  private static String csvText(String text) {
    boolean quote = text.contains(",") || text.contains("\"") || text.contains("\n");
    String safe =
        text.startsWith("=") || text.startsWith("+") || text.startsWith("@") ? "'" + text : text;
    return quote ? '"' + safe.replace("\"", "\"\"") + '"' : safe;
  }

  private List<LocalDate> dates(int days) {
    LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
    List<LocalDate> dates = new ArrayList<>();
    for (int d = days - 1; d >= 0; d--) {
      dates.add(today.minusDays(d));
    }
    return dates;
  }

  /**
   * The days from {@code from} to {@code until}, ending now at the latest (a running attempt is
   * costed up to the report's end).
   */
  private GetCostReportRequest range(LocalDate from, LocalDate until) {
    Instant start = from.atStartOfDay(ZoneOffset.UTC).toInstant();
    Instant end = until.atStartOfDay(ZoneOffset.UTC).toInstant();
    Instant now = clock.instant();
    if (end.isAfter(now)) {
      end = now.isAfter(start) ? now : start.plusSeconds(1);
    }
    return GetCostReportRequest.newBuilder()
        .setSince(timestamp(start))
        .setUntil(timestamp(end))
        .build();
  }

  private static int days(Map<String, String> query) {
    String text = query.getOrDefault("days", "14");
    try {
      int days = Integer.parseInt(text);
      if (days >= 1 && days <= MAX_COST_DAYS) {
        return days;
      }
    } catch (NumberFormatException e) {
      // below
    }
    throw new ConsoleError(
        400,
        "days: expected a whole number of days from 1 to "
            + MAX_COST_DAYS
            + ", got \""
            + text
            + "\"");
  }

  static JobState jobState(String text) {
    try {
      JobState state = JobState.valueOf("JOB_STATE_" + text.toUpperCase(Locale.ROOT));
      if (state != JobState.JOB_STATE_UNSPECIFIED) {
        return state;
      }
    } catch (IllegalArgumentException e) {
      // below
    }
    throw new ConsoleError(400, "state: unknown job state \"" + text + "\"");
  }

  private static ObjectNode series(GpuHistory.Series series) {
    ObjectNode out = JSON.createObjectNode();
    out.put("node", series.nodeId());
    out.put("gpu", series.gpu());
    ArrayNode at = out.putArray("at");
    ArrayNode util = out.putArray("utilization");
    ArrayNode mem = out.putArray("memory");
    for (int i = 0; i < series.epochSeconds().length; i++) {
      at.add(series.epochSeconds()[i]);
      util.add(series.utilization()[i]);
      mem.add(series.memory()[i]);
    }
    return out;
  }

  static String shortName(String enumName, String prefix) {
    return enumName.startsWith(prefix) ? enumName.substring(prefix.length()) : enumName;
  }

  private static long seconds(Timestamp timestamp) {
    return timestamp.getSeconds();
  }

  private static Timestamp timestamp(Instant instant) {
    return Timestamp.newBuilder().setSeconds(instant.getEpochSecond()).build();
  }

  static String print(MessageOrBuilder message) {
    try {
      return PRINTER.print(message);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("cannot print " + message.getClass().getSimpleName(), e);
    }
  }

  private static ObjectNode tree(MessageOrBuilder message) {
    try {
      return (ObjectNode) JSON.readTree(print(message));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
