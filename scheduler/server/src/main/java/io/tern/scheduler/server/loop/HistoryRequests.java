package io.tern.scheduler.server.loop;

import com.google.protobuf.Timestamp;
import io.tern.api.v1.Attempt;
import io.tern.api.v1.Job;
import io.tern.api.v1.Node;
import io.tern.api.v1.NodeState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

/** The cluster's own history, as ExportHistory asks for it, read on the loop. */
public final class HistoryRequests {
  /**
   * What the cluster ran.
   *
   * @param jobs finished jobs that started at least once, oldest submission first
   * @param nodes the nodes that ran one of them or are registered now (not lost), sorted by id
   * @param jobsLeftOut visible jobs submitted in the range that are not in {@code jobs}
   */
  public record History(List<Job> jobs, List<Node> nodes, int jobsLeftOut) {
    public History {
      jobs = List.copyOf(jobs);
      nodes = List.copyOf(nodes);
    }
  }

  private final LoopThread loop;

  HistoryRequests(LoopThread loop) {
    this.loop = loop;
  }

  /**
   * The jobs submitted at or after {@code since} whose team {@code visible} accepts (and, when
   * {@code team} is not empty, of that team only), with the nodes they ran on.
   */
  public CompletableFuture<History> export(
      Timestamp sinceTime, String team, Predicate<String> visible) {
    Instant since = CoreSnapshots.instant(sinceTime);
    return loop.call(
        term -> {
          List<Job> jobs = new ArrayList<>();
          TreeSet<String> nodeIds = new TreeSet<>();
          int leftOut = 0;
          for (JobEntry entry : term.jobs.values()) {
            Job job = entry.job;
            String jobTeam = job.getSpec().getTeam();
            if (!visible.test(jobTeam)
                || (!team.isEmpty() && !team.equals(jobTeam))
                || CoreSnapshots.instant(job.getSubmittedAt()).isBefore(since)) {
              continue;
            }
            if (!entry.finished()
                || job.getAttemptsList().stream().noneMatch(Attempt::hasStartedAt)) {
              leftOut++;
              continue;
            }
            jobs.add(job);
            job.getAttemptsList().forEach(a -> nodeIds.addAll(a.getNodeIdsList()));
          }
          jobs.sort(
              Comparator.comparing((Job j) -> CoreSnapshots.instant(j.getSubmittedAt()))
                  .thenComparing(Job::getId));
          List<Node> nodes = new ArrayList<>();
          for (NodeSession session : term.nodes.values()) {
            if (nodeIds.contains(session.id()) || session.state() != NodeState.NODE_STATE_LOST) {
              nodes.add(session.node.toBuilder().clearGpus().addAllGpus(session.gpus).build());
            }
          }
          return new History(jobs, nodes, leftOut);
        });
  }
}
