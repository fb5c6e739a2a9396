package io.tern.scheduler.server.loop;

import io.grpc.Status;
import io.tern.api.v1.Job;
import io.tern.api.v1.JobSpec;
import io.tern.scheduler.core.model.Node;
import io.tern.scheduler.core.placement.NeverFits;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

/**
 * What submission refuses beyond the spec's own rules (honest submission): a job that no node and
 * no pool could ever hold ({@link NeverFits}, against the nodes the leader knows and the pools its
 * cloud connector may launch), and a deadline closer than the job's maximum runtime, which the
 * scheduler takes as its work. {@code allow_unfit} on the request skips both. Parents named in
 * {@code dependsOn} must exist ({@link DependencyGate#checkParents}).
 */
public final class SubmitChecks {
  private final LoopThread loop;
  private final Clock clock;
  private final Fleet fleet;

  SubmitChecks(LoopThread loop, Clock clock, Fleet fleet) {
    this.loop = loop;
    this.clock = clock;
    this.fleet = fleet;
  }

  /**
   * Completes when {@code spec} can be queued; INVALID_ARGUMENT naming the field otherwise. Its
   * parents must exist and be of teams {@code seesTeam} accepts, whatever {@code allowUnfit} says.
   */
  public CompletableFuture<Void> check(
      JobSpec spec, boolean allowUnfit, Predicate<String> seesTeam) {
    return loop.call(
        term -> {
          DependencyGate.checkParents(term, spec, seesTeam);
          if (allowUnfit) {
            return null;
          }
          Instant now = clock.instant();
          deadline(spec, now);
          List<Node> nodes = new ArrayList<>();
          for (NodeSession session : term.nodes.values()) {
            nodes.add(CoreSnapshots.node(session, true, null));
          }
          Job job =
              Job.newBuilder()
                  .setId("job-000000")
                  .setSpec(spec)
                  .setSubmittedAt(CoreSnapshots.timestamp(now))
                  .build();
          NeverFits.check(CoreSnapshots.job(job), nodes, fleet.pools())
              .ifPresent(
                  why -> {
                    throw refused("spec.resources: " + why);
                  });
          return null;
        });
  }

  /** Refuses a deadline the job cannot make even if it started now and ran its maximum runtime. */
  static void deadline(JobSpec spec, Instant now) {
    if (!spec.hasDeadline() || !spec.hasMaxRuntime()) {
      return;
    }
    Instant deadline = CoreSnapshots.instant(spec.getDeadline());
    Duration runtime =
        Duration.ofSeconds(spec.getMaxRuntime().getSeconds(), spec.getMaxRuntime().getNanos());
    if (now.plus(runtime).isAfter(deadline)) {
      throw refused(
          "spec.deadline: "
              + deadline
              + " is "
              + hours(Duration.between(now, deadline))
              + " away, and the job may run "
              + hours(runtime)
              + " (maxRuntime): it cannot finish by then; give a later deadline or a shorter"
              + " maxRuntime");
    }
  }

  private static String hours(Duration d) {
    return d.toMinutes() < 120 ? d.toMinutes() + " min" : d.toHours() + " h";
  }

  private static RuntimeException refused(String why) {
    return Status.INVALID_ARGUMENT
        .withDescription(why + " (allow_unfit, tern submit --allow-unfit, queues it anyway)")
        .asRuntimeException();
  }
}
