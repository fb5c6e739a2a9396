package io.tern.scheduler.server.loop;

import io.grpc.Status;
import io.tern.api.v1.DrainNodeRequest;
import io.tern.api.v1.GetQueueRequest;
import io.tern.api.v1.GetQueueResponse;
import io.tern.api.v1.JobState;
import io.tern.api.v1.ListNodesRequest;
import io.tern.api.v1.ListNodesResponse;
import io.tern.api.v1.Node;
import io.tern.api.v1.NodeState;
import io.tern.api.v1.QueueEntry;
import io.tern.api.v1.UndrainNodeRequest;
import io.tern.scheduler.spec.SpecLimits;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

/** What ClusterService asks of the scheduler, run on the loop. */
public final class ClusterRequests {
  private final LoopThread loop;
  private final Clock clock;
  private final Heartbeats telemetry;
  private final StateWrites writes;
  private final JobCommands commands;
  private final PlanTrigger plans;

  ClusterRequests(
      LoopThread loop,
      Clock clock,
      Heartbeats telemetry,
      StateWrites writes,
      JobCommands commands,
      PlanTrigger plans) {
    this.loop = loop;
    this.clock = clock;
    this.telemetry = telemetry;
    this.writes = writes;
    this.commands = commands;
    this.plans = plans;
  }

  /**
   * The nodes, with the ids of the jobs on them that {@code seesTeam} accepts the team of (another
   * team's job ids are left out).
   */
  public CompletableFuture<ListNodesResponse> nodes(
      ListNodesRequest request, Predicate<String> seesTeam) {
    return loop.call(
        term -> {
          telemetry.absorbTelemetry(term);
          ListNodesResponse.Builder out = ListNodesResponse.newBuilder();
          Instant now = clock.instant();
          for (NodeSession session : term.nodes.values()) {
            if (request.getStatesCount() == 0
                || request.getStatesList().contains(session.state())) {
              out.addNodes(view(term, session, seesTeam, now));
            }
          }
          return out.build();
        });
  }

  private static Node view(
      LeaderTerm term, NodeSession session, Predicate<String> seesTeam, Instant now) {
    Node.Builder node =
        session.node.toBuilder()
            .clearGpus()
            .addAllGpus(session.gpus)
            .setLastHeartbeat(CoreSnapshots.timestamp(lastHeard(session)))
            .clearRestingUntil()
            .clearRestingReason();
    if (now.isBefore(session.faultedUntil)) {
      node.setRestingUntil(CoreSnapshots.timestamp(session.faultedUntil))
          .setRestingReason(session.faultReason);
    }
    term.jobsOn(session.id()).stream()
        .filter(j -> seesTeam.test(j.job.getSpec().getTeam()))
        .forEach(j -> node.addJobIds(j.id()));
    return node.build();
  }

  /**
   * When the node was last heard: for a lost node the time stored as it was lost (a leader elected
   * since then has never heard it, and its session only counts from the election).
   */
  private static Instant lastHeard(NodeSession session) {
    return session.state() == NodeState.NODE_STATE_LOST && session.node.hasLastHeartbeat()
        ? CoreSnapshots.instant(session.node.getLastHeartbeat())
        : session.lastHeartbeat;
  }

  /** Queued jobs in the order the queue considers them: priority class, then submission. */
  public CompletableFuture<GetQueueResponse> queue(GetQueueRequest request) {
    return loop.call(
        term -> {
          Instant now = clock.instant();
          List<JobEntry> queued = new ArrayList<>();
          for (JobEntry entry : term.unfinishedJobs()) {
            if (entry.queued()
                && (request.getTeam().isEmpty()
                    || request.getTeam().equals(entry.job.getSpec().getTeam()))) {
              queued.add(entry);
            }
          }
          queued.sort(
              Comparator.comparing(
                      (JobEntry e) -> CoreSnapshots.priority(e.job.getSpec().getPriority()))
                  .thenComparing(JobEntry::id));
          int limit = request.getLimit() <= 0 ? 100 : request.getLimit();
          GetQueueResponse.Builder out = GetQueueResponse.newBuilder().setTotal(queued.size());
          for (JobEntry entry : queued.subList(0, Math.min(limit, queued.size()))) {
            var spec = entry.job.getSpec();
            var explanation = term.explanations.get(entry.id());
            out.addEntries(
                QueueEntry.newBuilder()
                    .setJobId(entry.id())
                    .setName(spec.getName())
                    .setTeam(spec.getTeam())
                    .setPriority(spec.getPriority())
                    .setState(entry.state())
                    .setGpus(
                        spec.getResources().getGpus() * Math.max(1, spec.getResources().getNodes()))
                    .setWaitingSeconds(
                        Duration.between(CoreSnapshots.instant(entry.job.getSubmittedAt()), now)
                            .toSeconds())
                    .setReason(
                        explanation == null
                            ? entry.job.getPendingReason()
                            : explanation.toString()));
          }
          return out.build();
        });
  }

  /** Stops placements on a node; with checkpoint_jobs its jobs checkpoint (or stop) and move. */
  public CompletableFuture<Node> drain(DrainNodeRequest request) {
    return loop.call(
        term -> {
          NodeSession session = term.nodes.get(request.getNodeId());
          if (session == null) {
            throw new NoSuchElementException("no node " + SpecLimits.echo(request.getNodeId()));
          }
          if (!session.node.getDrained()) {
            Node.Builder node = session.node.toBuilder().setDrained(true);
            if (session.state() == NodeState.NODE_STATE_READY) {
              node.setState(NodeState.NODE_STATE_DRAINING);
            }
            session.node = node.build();
            writes.saveNode(session);
          }
          if (request.getCheckpointJobs()) {
            Instant now = clock.instant();
            String why =
                "node "
                    + session.id()
                    + " drained"
                    + (request.getReason().isEmpty() ? "" : ": " + request.getReason());
            for (JobEntry entry : term.jobsOn(session.id())) {
              if (entry.state() == JobState.JOB_STATE_RUNNING) {
                commands.interrupt(term, entry.id(), entry.attemptNumber(), true, why, now);
              }
            }
          }
          return view(
              term,
              session,
              team -> true,
              clock.instant()); // drains are for admins, who see every team
        });
  }

  /**
   * Lets a drained node take placements again: READY now, or once its agent registers if it is
   * lost. A node a spot reclaim drains is refused until the reclaim time (the cloud takes it back),
   * and while its agent process says it has seen the notice; after it, the node is still here and
   * the notice is over.
   */
  public CompletableFuture<Node> undrain(UndrainNodeRequest request) {
    return loop.call(
        term -> {
          NodeSession session = term.nodes.get(request.getNodeId());
          if (session == null) {
            throw new NoSuchElementException("no node " + SpecLimits.echo(request.getNodeId()));
          }
          if (session.node.hasReclaimAt()) {
            Instant reclaimAt = CoreSnapshots.instant(session.node.getReclaimAt());
            String refusal =
                session.spotNotice != null && session.channel != null
                    ? "'s agent has seen a spot reclaim notice (for "
                        + reclaimAt
                        + "): the cloud is taking it back"
                    : clock.instant().isBefore(reclaimAt)
                        ? " is draining for a spot reclaim at "
                            + reclaimAt
                            + "; the cloud takes it back"
                        : null;
            if (refusal != null) {
              throw Status.FAILED_PRECONDITION
                  .withDescription("node " + session.id() + refusal)
                  .asRuntimeException();
            }
          }
          // A reclaim whose time has passed with the node still here is over.
          Node.Builder node = session.node.toBuilder().setDrained(false).clearReclaimAt();
          if (session.state() == NodeState.NODE_STATE_DRAINING) {
            node.setState(NodeState.NODE_STATE_READY);
          }
          if (!node.build().equals(session.node)) {
            session.node = node.build();
            writes.saveNode(session);
            plans.requestPlan();
          }
          return view(
              term,
              session,
              team -> true,
              clock.instant()); // undrains are for admins, who see every team
        });
  }
}
