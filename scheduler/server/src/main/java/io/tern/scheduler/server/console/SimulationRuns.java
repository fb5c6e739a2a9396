package io.tern.scheduler.server.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Simulations page's runs on one replica: a simulation waits its turn on a single worker thread
 * (a replay takes seconds of CPU on the scheduler's host, so at most {@link #MAX_WAITING} wait and
 * one runs), reports its progress, and keeps its summary and HTML report in memory among the newest
 * {@link #KEPT} runs. A user sees the runs they started; {@code finops} and {@code admin} see
 * everyone's. Thread-safe.
 */
final class SimulationRuns implements AutoCloseable {
  static final int MAX_WAITING = 3;
  static final int KEPT = 20;
  private static final Logger log = LoggerFactory.getLogger(SimulationRuns.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  enum State {
    WAITING,
    RUNNING,
    DONE,
    FAILED
  }

  /** One simulation: what was asked, by whom, and how far it got. */
  static final class Run {
    final String id;
    final String user;
    final Instant submittedAt;
    final ObjectNode asked;
    volatile State state = State.WAITING;
    volatile String phase = "waiting for the simulation before it";
    volatile double fraction;
    volatile Instant finishedAt;
    volatile String error;
    volatile ConsoleSimulations.Report report;

    /** Each phase's share done: the simulator replays its policies side by side. */
    final java.util.Map<String, Double> phases = new java.util.concurrent.ConcurrentSkipListMap<>();

    Run(String id, String user, Instant submittedAt, ObjectNode asked) {
      this.id = id;
      this.user = user;
      this.submittedAt = submittedAt;
      this.asked = asked;
    }
  }

  private final ConsoleSimulations simulations;
  private final Clock clock;
  private final ExecutorService worker;
  private final Deque<Run> runs = new ArrayDeque<>();
  private long nextId = 1;

  /**
   * @param simulations the simulator, or null when this replica runs none
   */
  SimulationRuns(ConsoleSimulations simulations, Clock clock) {
    this.simulations = simulations;
    this.clock = clock;
    this.worker =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "tern-console-simulation");
              t.setDaemon(true);
              t.setPriority(Thread.MIN_PRIORITY); // the scheduler's own threads come first
              return t;
            });
  }

  boolean available() {
    return simulations != null;
  }

  /** The choices the page offers. */
  ConsoleSimulations.Catalog catalog() {
    requireAvailable();
    return simulations.catalog();
  }

  /**
   * Queues a run for {@code session}'s user and returns it; {@code upload} (if any) belongs to the
   * run from now on and is deleted when it ends.
   */
  Run start(ConsoleSession session, ConsoleSimulations.Request request, ObjectNode asked) {
    requireAvailable();
    Run run;
    synchronized (this) {
      long waiting = runs.stream().filter(r -> r.state == State.WAITING).count();
      if (waiting >= MAX_WAITING) {
        deleteUpload(request);
        throw new ConsoleError(
            429,
            waiting
                + " simulations are already waiting on this scheduler; try again when one ends");
      }
      run = new Run("sim-" + nextId++, session.user(), clock.instant(), asked);
      runs.addFirst(run);
      while (runs.size() > KEPT) {
        Run oldest = runs.peekLast();
        if (oldest.state == State.WAITING || oldest.state == State.RUNNING) {
          break;
        }
        runs.removeLast();
      }
    }
    Run started = run;
    worker.execute(() -> execute(started, request));
    return run;
  }

  private void execute(Run run, ConsoleSimulations.Request request) {
    run.state = State.RUNNING;
    run.phase = "starting";
    ConsoleSimulations.Report report = null;
    String error = null;
    try {
      report =
          simulations.run(
              request,
              (phase, done, total) -> {
                run.phases.put(phase, total <= 0 ? 0 : Math.min(1, (double) done / total));
                run.phase = String.join(", ", run.phases.keySet());
                run.fraction =
                    run.phases.values().stream()
                        .mapToDouble(Double::doubleValue)
                        .average()
                        .orElse(0);
              });
    } catch (IllegalArgumentException e) {
      error = e.getMessage();
    } catch (RuntimeException | OutOfMemoryError e) {
      log.warn("console simulation {} failed", run.id, e);
      error = "the simulation failed: " + e;
    }
    if (request.uploaded() != null) {
      // The server's own path of the upload means nothing to the user: call it by its name.
      String path = request.uploaded().toString();
      String name = request.uploadedName() == null ? "the uploaded trace" : request.uploadedName();
      error = error == null ? null : error.replace(path, name);
      report =
          report == null
              ? null
              : new ConsoleSimulations.Report(
                  report.summaryJson().replace(path, jsonText(name)),
                  report.html().replace(path, ConsolePages.escape(name)));
    }
    // The upload goes before the run says it ended: nothing of it outlives the run.
    deleteUpload(request);
    run.finishedAt = clock.instant();
    run.report = report;
    run.error = error;
    run.phase = report != null ? "done" : "failed";
    run.fraction = report != null ? 1 : run.fraction;
    run.state = report != null ? State.DONE : State.FAILED;
  }

  private static void deleteUpload(ConsoleSimulations.Request request) {
    if (request.uploaded() != null) {
      try {
        Files.deleteIfExists(request.uploaded());
        Files.deleteIfExists(request.uploaded().getParent());
      } catch (IOException e) {
        log.debug("cannot delete the uploaded trace {}: {}", request.uploaded(), e.toString());
      }
    }
  }

  /** The runs {@code session} may see, newest first, as the page's JSON. */
  String list(ConsoleSession session) {
    ObjectNode out = JSON.createObjectNode();
    out.put("available", available());
    if (available()) {
      ConsoleSimulations.Catalog catalog = simulations.catalog();
      ObjectNode c = out.putObject("catalog");
      choices(c.putArray("traces"), catalog.traces());
      choices(c.putArray("spotSets"), catalog.spotSets());
      choices(c.putArray("policies"), catalog.policies());
    }
    ArrayNode list = out.putArray("runs");
    for (Run run : visible(session)) {
      list.add(describe(run, false));
    }
    return out.toString();
  }

  /** One run with its summary, or a 404 for one the user may not see. */
  String one(ConsoleSession session, String id) {
    return describe(find(session, id), true).toString();
  }

  /** The run's HTML report, or a 404 / 409 when there is none (yet). */
  String report(ConsoleSession session, String id) {
    Run run = find(session, id);
    if (run.report == null) {
      throw new ConsoleError(409, "simulation " + id + " has no report: it is " + label(run));
    }
    return run.report.html();
  }

  Run find(ConsoleSession session, String id) {
    return visible(session).stream()
        .filter(r -> r.id.equals(id))
        .findFirst()
        .orElseThrow(() -> new ConsoleError(404, "no simulation " + id));
  }

  private synchronized List<Run> visible(ConsoleSession session) {
    boolean all = session.roles().contains("finops") || session.roles().contains("admin");
    List<Run> out = new ArrayList<>();
    for (Run run : runs) {
      if (all || run.user.equals(session.user())) {
        out.add(run);
      }
    }
    return out;
  }

  private static ObjectNode describe(Run run, boolean withSummary) {
    ObjectNode o = JSON.createObjectNode();
    o.put("id", run.id);
    o.put("user", run.user);
    o.put("submittedAt", run.submittedAt.toString());
    if (run.finishedAt != null) {
      o.put("finishedAt", run.finishedAt.toString());
    }
    o.put("state", run.state.name());
    o.put("phase", run.phase);
    o.put("fraction", run.fraction);
    o.set("asked", run.asked);
    if (run.error != null) {
      o.put("error", run.error);
    }
    ConsoleSimulations.Report report = run.report;
    if (withSummary && report != null) {
      o.set("summary", withoutSeries(report.summaryJson()));
    }
    return o;
  }

  /** The summary without its time series: the page draws the table; the report has the charts. */
  private static JsonNode withoutSeries(String summaryJson) {
    try {
      JsonNode tree = JSON.readTree(summaryJson);
      for (JsonNode policy : tree.path("policies")) {
        if (policy instanceof ObjectNode p) {
          p.remove("series");
        }
      }
      return tree;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String jsonText(String text) {
    String quoted = com.fasterxml.jackson.databind.node.TextNode.valueOf(text).toString();
    return quoted.substring(1, quoted.length() - 1);
  }

  private static void choices(ArrayNode into, List<ConsoleSimulations.Choice> choices) {
    for (ConsoleSimulations.Choice c : choices) {
      into.addObject().put("id", c.id()).put("label", c.label());
    }
  }

  private static String label(Run run) {
    return run.state.name().toLowerCase(java.util.Locale.ROOT);
  }

  private void requireAvailable() {
    if (simulations == null) {
      throw new ConsoleError(
          404, "this scheduler runs no simulations (tern simulate does the same from a shell)");
    }
  }

  @Override
  public void close() {
    worker.shutdownNow();
    try {
      worker.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
