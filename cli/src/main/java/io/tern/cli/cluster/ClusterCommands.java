package io.tern.cli.cluster;

import static io.tern.cli.CommandModels.option;
import static io.tern.cli.CommandModels.positional;

import io.grpc.StatusRuntimeException;
import io.tern.api.v1.ClusterServiceGrpc;
import io.tern.api.v1.DrainNodeRequest;
import io.tern.api.v1.GetQueueRequest;
import io.tern.api.v1.GetQueueResponse;
import io.tern.api.v1.Gpu;
import io.tern.api.v1.ListNodesRequest;
import io.tern.api.v1.ListNodesResponse;
import io.tern.api.v1.Node;
import io.tern.api.v1.NodeState;
import io.tern.api.v1.QueueEntry;
import io.tern.api.v1.UndrainNodeRequest;
import io.tern.cli.ClientCommand;
import io.tern.cli.UserInputException;
import io.tern.cli.client.CallFailures;
import io.tern.cli.client.Protos;
import io.tern.cli.client.SchedulerClient;
import io.tern.cli.client.Table;
import java.time.Instant;
import picocli.CommandLine.Model.CommandSpec;

/** The client verbs about the cluster: nodes (and drain, undrain), queue. */
public final class ClusterCommands {
  private ClusterCommands() {}

  public static final class NodesCommand extends ClientCommand {
    public NodesCommand() {
      super("nodes", "List the GPU nodes with live telemetry.");
    }

    @Override
    protected void declare(CommandSpec model) {
      model.addSubcommand("drain", new DrainCommand().model());
      model.addSubcommand("undrain", new UndrainCommand().model());
      model.usageMessage().commandListHeading("%nCommands:%n");
    }

    @Override
    public Integer call() {
      try (SchedulerClient scheduler = client.connect()) {
        ListNodesResponse nodes =
            scheduler.call(
                c ->
                    ClusterServiceGrpc.newBlockingStub(c)
                        .listNodes(ListNodesRequest.getDefaultInstance()));
        var out = out();
        if (output.structured()) {
          out.println(output.render(Protos.json(nodes)));
        } else {
          Instant now = Instant.now();
          Table table =
              new Table(
                  "NODE",
                  "STATE",
                  "CAPACITY",
                  "POOL",
                  "$/H",
                  "GPUS",
                  "MODEL",
                  "MEM USED",
                  "UTIL",
                  "JOBS",
                  "SEEN");
          for (Node n : nodes.getNodesList()) {
            long used = n.getGpusList().stream().mapToLong(Gpu::getMemoryUsedMib).sum();
            long total = n.getGpusList().stream().mapToLong(Gpu::getMemoryTotalMib).sum();
            double util =
                n.getGpusList().stream().mapToInt(Gpu::getUtilizationPercent).average().orElse(0);
            boolean lost = n.getState() == NodeState.NODE_STATE_LOST;
            table.row(
                n.getId(),
                Protos.enumName(n.getState(), "NODE_STATE_")
                    + (n.hasRestingUntil() || n.hasReclaimAt() || n.getDrained() ? "*" : ""),
                Protos.enumName(n.getCapacityType(), "CAPACITY_TYPE_")
                    .toLowerCase()
                    .replace('_', '-'),
                n.getPool(),
                String.format("%.2f", n.getPricePerHourUsd()),
                n.getGpusCount(),
                n.getGpusCount() == 0 ? "-" : n.getGpus(0).getModel(),
                // A lost node's last telemetry is not what it does now.
                lost ? "-" : String.format("%.0f/%.0f GiB", used / 1024.0, total / 1024.0),
                lost ? "-" : String.format("%.0f%%", util),
                String.join(",", n.getJobIdsList()),
                Protos.age(n.getLastHeartbeat(), now) + " ago");
          }
          table.print(out);
          for (Node n : nodes.getNodesList()) {
            if (n.hasRestingUntil()) {
              out.println(
                  "* "
                      + n.getId()
                      + " takes no job until "
                      + Protos.time(n.getRestingUntil())
                      + ": "
                      + n.getRestingReason());
            }
            if (n.hasReclaimAt()) {
              out.println("* " + n.getId() + reclaimNote(n, now));
            } else if (n.getDrained()) {
              out.println("* " + n.getId() + " was drained by an operator (tern nodes undrain)");
            }
          }
        }
        out.flush();
        return 0;
      } catch (StatusRuntimeException e) {
        throw CallFailures.failure(e);
      }
    }
  }

  /** What a node's spot reclaim notice means now, after its id in the footnotes. */
  static String reclaimNote(Node n, Instant now) {
    String at = Protos.time(n.getReclaimAt());
    boolean passed =
        !Instant.ofEpochSecond(n.getReclaimAt().getSeconds(), n.getReclaimAt().getNanos())
            .isAfter(now);
    if (!passed) {
      return " drains for a spot reclaim at "
          + at
          + " (tern nodes undrain works once that time has passed, if it is still here)";
    }
    return n.getState() == NodeState.NODE_STATE_LOST
        ? " was reclaimed (spot) at " + at
        : " drains for a spot reclaim due at " + at + ": its agent has seen the notice";
  }

  /** A verb that changes one node and prints it: "NODE: STATE", or the node as JSON. */
  abstract static class NodeChange extends ClientCommand {
    String nodeId;
    String reason = "";

    NodeChange(String name, String... description) {
      super(name, description);
    }

    @Override
    protected void declare(CommandSpec model) {
      model.addPositional(
          positional(String.class, () -> nodeId, v -> nodeId = v)
              .paramLabel("NODE")
              .description("The node id.")
              .build());
      model.addOption(
          option(String.class, () -> reason, v -> reason = v, "--reason")
              .paramLabel("TEXT")
              .description("Recorded with the change.")
              .build());
    }

    @Override
    public Integer call() {
      try (SchedulerClient scheduler = client.connect()) {
        Node node = scheduler.call(c -> change(ClusterServiceGrpc.newBlockingStub(c)));
        var out = out();
        out.println(
            output.structured()
                ? output.render(Protos.json(node))
                : node.getId() + ": " + Protos.enumName(node.getState(), "NODE_STATE_"));
        out.flush();
        return 0;
      } catch (StatusRuntimeException e) {
        throw CallFailures.failure(e);
      }
    }

    abstract Node change(ClusterServiceGrpc.ClusterServiceBlockingStub cluster);
  }

  public static final class DrainCommand extends NodeChange {
    boolean checkpoint;

    public DrainCommand() {
      super(
          "drain",
          "Stop placing jobs on a node; with --checkpoint, move its jobs now.",
          "The drain lasts through agent restarts until 'tern nodes undrain'.");
    }

    @Override
    protected void declare(CommandSpec model) {
      super.declare(model);
      model.addOption(
          option(Boolean.class, () -> checkpoint, v -> checkpoint = v, "--checkpoint")
              .description("Checkpoint its jobs and resume them elsewhere.")
              .build());
    }

    @Override
    Node change(ClusterServiceGrpc.ClusterServiceBlockingStub cluster) {
      return cluster.drainNode(
          DrainNodeRequest.newBuilder()
              .setNodeId(nodeId)
              .setCheckpointJobs(checkpoint)
              .setReason(reason)
              .build());
    }
  }

  public static final class UndrainCommand extends NodeChange {
    public UndrainCommand() {
      super(
          "undrain",
          "Let a drained node take jobs again (a lost one once its agent registers).",
          "A node a spot reclaim drains cannot be undrained.");
    }

    @Override
    Node change(ClusterServiceGrpc.ClusterServiceBlockingStub cluster) {
      return cluster.undrainNode(
          UndrainNodeRequest.newBuilder().setNodeId(nodeId).setReason(reason).build());
    }
  }

  public static final class QueueCommand extends ClientCommand {
    String team = "";
    int limit;

    public QueueCommand() {
      super("queue", "Show queued jobs in the order the scheduler considers them.");
    }

    @Override
    protected void declare(CommandSpec model) {
      model.addOption(teamOption(() -> team, v -> team = v, "Only this team's jobs."));
      model.addOption(limitOption(() -> limit, v -> limit = v, "entries"));
    }

    @Override
    public Integer call() {
      if (limit < 1) {
        throw new UserInputException("--limit: must be at least 1");
      }
      try (SchedulerClient scheduler = client.connect()) {
        GetQueueResponse queue =
            scheduler.call(
                c ->
                    ClusterServiceGrpc.newBlockingStub(c)
                        .getQueue(
                            GetQueueRequest.newBuilder().setTeam(team).setLimit(limit).build()));
        var out = out();
        if (output.structured()) {
          out.println(output.render(Protos.json(queue)));
        } else {
          Table table =
              new Table(
                  "#", "ID", "NAME", "TEAM", "PRIORITY", "STATE", "GPUS", "WAITING", "REASON");
          int position = 1;
          for (QueueEntry e : queue.getEntriesList()) {
            table.row(
                position++,
                e.getJobId(),
                e.getName(),
                e.getTeam(),
                Protos.enumName(e.getPriority(), "PRIORITY_").toLowerCase(),
                Protos.enumName(e.getState(), "JOB_STATE_"),
                e.getGpus(),
                e.getWaitingSeconds() + "s",
                e.getReason());
          }
          table.print(out);
          out.println(queue.getTotal() + " queued");
        }
        out.flush();
        return 0;
      }
    }
  }
}
