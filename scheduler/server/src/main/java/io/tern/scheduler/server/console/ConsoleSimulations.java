package io.tern.scheduler.server.console;

import java.nio.file.Path;
import java.util.List;

/**
 * What the console's Simulations page runs: the simulator, behind a port, so that the scheduler's
 * server does not depend on the simulator module. Whoever starts the scheduler (the {@code tern}
 * command) plugs an implementation in; a replica without one shows the page with a note instead.
 * Implementations must be thread-safe; {@link #run} is called on the console's own worker thread,
 * one simulation at a time.
 */
public interface ConsoleSimulations {

  /** The job traces, spot sets and policies a user may pick. */
  Catalog catalog();

  /**
   * Replays a job trace under the chosen policies (the on-demand baseline always included).
   *
   * @throws IllegalArgumentException for bad input, with a message that names the field ({@code
   *     trace}, {@code spot}, {@code policies}, {@code seed}) or the line of the trace at fault
   */
  Report run(Request request, Progress progress);

  /**
   * One choice on the page.
   *
   * @param id what a request names it by
   * @param label what a person reads
   */
  record Choice(String id, String label) {}

  /**
   * @param traces job traces to replay (the first is the default)
   * @param spotSets spot-availability sets (the first is the default)
   * @param policies policy names and what each does
   */
  record Catalog(List<Choice> traces, List<Choice> spotSets, List<Choice> policies) {}

  /**
   * @param trace a {@link Catalog#traces} id, or null with {@code uploaded}
   * @param uploaded a job trace in the native format a user uploaded, or null
   * @param uploadedName the name the user's file had (what errors and reports call the upload)
   * @param spotSet a {@link Catalog#spotSets} id
   * @param policies policy ids; empty for all
   * @param seed seeds every random choice of the replay
   */
  record Request(
      String trace,
      Path uploaded,
      String uploadedName,
      String spotSet,
      List<String> policies,
      long seed) {
    public Request {
      policies = List.copyOf(policies);
    }
  }

  /**
   * @param summaryJson the replay's summary, as {@code tern simulate -o json} prints it
   * @param html the self-contained report, as {@code tern simulate --report} writes it
   */
  record Report(String summaryJson, String html) {}

  /** Progress of a run: a phase, and how far it is. Called from any thread. */
  @FunctionalInterface
  interface Progress {
    void update(String phase, long done, long total);
  }
}
