package io.tern.scheduler.server.loop;

import io.grpc.Status;
import io.tern.api.v1.Job;
import io.tern.api.v1.JobSpec;
import io.tern.scheduler.core.model.Node;
import io.tern.scheduler.core.model.NodeState;
import io.tern.scheduler.core.placement.NeverFits;
import io.tern.scheduler.core.policy.PoolOffer;
import io.tern.scheduler.spec.DeadlineFit;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * What submission refuses beyond the spec's own rules (honest submission): a job that no node and
 * no pool could ever hold ({@link NeverFits}, against the nodes the leader knows and the pools its
 * cloud connector may launch), and a deadline closer than the job's maximum runtime, which the
 * scheduler takes as its work. {@code allow_unfit} on the request skips both. Parents named in
 * {@code dependsOn} must exist ({@link DependencyGate#checkParents}). Run by {@link JobRequests}
 * inside a submission's own loop task, after an idempotent retry has been answered. Loop thread
 * only.
 */
final class SubmitChecks {
  private final Clock clock;
  private final Supplier<List<PoolOffer>> pools;

  /** The stored nodes {@link #nodes} was made from, in the sessions' order. */
  private final List<io.tern.api.v1.Node> madeFrom = new ArrayList<>();

  private List<Node> nodes = List.of();

  SubmitChecks(Clock clock, Supplier<List<PoolOffer>> pools) {
    this.clock = clock;
    this.pools = pools;
  }

  /**
   * Returns when {@code spec} can be queued; throws INVALID_ARGUMENT naming the field otherwise.
   * Its parents must exist and be of teams {@code seesTeam} accepts, whatever {@code allowUnfit}
   * says.
   */
  void check(LeaderTerm term, JobSpec spec, boolean allowUnfit, Predicate<String> seesTeam) {
    DependencyGate.checkParents(term, spec, seesTeam);
    if (allowUnfit) {
      return;
    }
    Instant now = clock.instant();
    deadline(spec, now);
    Job job =
        Job.newBuilder()
            .setId("job-000000")
            .setSpec(spec)
            .setSubmittedAt(CoreSnapshots.timestamp(now))
            .build();
    NeverFits.check(CoreSnapshots.job(job), nodes(term), pools.get())
        .ifPresent(
            why -> {
              throw refused("spec.resources: " + why);
            });
  }

  /**
   * The nodes as {@link NeverFits} reads them: what each registered with (its GPUs as the stored
   * node lists them, not the latest telemetry). Rebuilt only when a stored node was replaced (a
   * registration, a drain, a loss) since the last submission, so a submission costs one pass of
   * reference comparisons over the sessions, not a copy of the fleet.
   */
  private List<Node> nodes(LeaderTerm term) {
    boolean same = madeFrom.size() == term.nodes.size();
    int i = 0;
    for (NodeSession session : term.nodes.values()) {
      if (!same) {
        break;
      }
      same = madeFrom.get(i++) == session.node;
    }
    if (!same) {
      madeFrom.clear();
      List<Node> made = new ArrayList<>(term.nodes.size());
      for (NodeSession session : term.nodes.values()) {
        madeFrom.add(session.node);
        made.add(
            CoreSnapshots.node(session.node, session.node.getGpusList(), NodeState.READY, null));
      }
      nodes = List.copyOf(made);
    }
    return nodes;
  }

  /** Refuses a deadline the job cannot make even if it started now and ran its maximum runtime. */
  static void deadline(JobSpec spec, Instant now) {
    var problem = DeadlineFit.problem(spec, now);
    if (problem.isPresent()) {
      throw refused("spec.deadline: " + problem.get());
    }
  }

  private static RuntimeException refused(String why) {
    return Status.INVALID_ARGUMENT
        .withDescription(why + " (allow_unfit, tern submit --allow-unfit, queues it anyway)")
        .asRuntimeException();
  }
}
