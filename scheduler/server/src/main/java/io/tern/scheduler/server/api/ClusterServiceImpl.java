package io.tern.scheduler.server.api;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.tern.api.v1.ClusterServiceGrpc;
import io.tern.api.v1.DrainNodeRequest;
import io.tern.api.v1.GetQueueRequest;
import io.tern.api.v1.GetQueueResponse;
import io.tern.api.v1.ListNodesRequest;
import io.tern.api.v1.ListNodesResponse;
import io.tern.api.v1.Node;
import io.tern.api.v1.NodeState;
import io.tern.api.v1.QueueEntry;
import io.tern.api.v1.UndrainNodeRequest;
import io.tern.scheduler.server.auth.Principal;
import io.tern.scheduler.server.loop.ClusterRequests;

/** ClusterService over gRPC. */
public final class ClusterServiceImpl extends ClusterServiceGrpc.ClusterServiceImplBase {
  private final ClusterRequests cluster;

  public ClusterServiceImpl(ClusterRequests cluster) {
    this.cluster = cluster;
  }

  @Override
  public void listNodes(ListNodesRequest request, StreamObserver<ListNodesResponse> observer) {
    var badState =
        EnumFilter.check("states", request.getStatesValueList(), NodeState.getDescriptor());
    if (badState.isPresent()) {
      observer.onError(badState.get());
      return;
    }
    // Every caller sees the nodes; only their own teams' job ids on them.
    Principal caller = Principal.current();
    GrpcErrors.reply(cluster.nodes(request, caller::readsJobsOf), observer);
  }

  @Override
  public void getQueue(GetQueueRequest request, StreamObserver<GetQueueResponse> observer) {
    if (request.getLimit() < 0 || request.getLimit() > 10_000) {
      observer.onError(
          Status.INVALID_ARGUMENT.withDescription("limit: must be 0..10000").asRuntimeException());
      return;
    }
    if (GrpcErrors.refusedTeam(request.getTeam(), observer)) {
      return;
    }
    Principal caller = Principal.current();
    GrpcErrors.reply(cluster.queue(request).thenApply(queue -> visibleTo(caller, queue)), observer);
  }

  /**
   * Everyone sees where the queue stands, but only their own teams' jobs by name: another team's
   * entry keeps its place, team, size and state, without its id or name.
   */
  private static GetQueueResponse visibleTo(Principal caller, GetQueueResponse queue) {
    if (caller.isFinOps()) {
      return queue;
    }
    GetQueueResponse.Builder out = queue.toBuilder();
    for (QueueEntry.Builder entry : out.getEntriesBuilderList()) {
      if (!caller.readsJobsOf(entry.getTeam())) {
        entry.clearJobId().setName("(another team's job)");
      }
    }
    return out.build();
  }

  @Override
  public void drainNode(DrainNodeRequest request, StreamObserver<Node> observer) {
    if (request.getNodeId().isEmpty()) {
      observer.onError(
          Status.INVALID_ARGUMENT.withDescription("node_id: is required").asRuntimeException());
      return;
    }
    if (!JobServiceImpl.checkReason(request.getReason(), observer)) {
      return;
    }
    GrpcErrors.reply(cluster.drain(request), observer);
  }

  @Override
  public void undrainNode(UndrainNodeRequest request, StreamObserver<Node> observer) {
    if (request.getNodeId().isEmpty()) {
      observer.onError(
          Status.INVALID_ARGUMENT.withDescription("node_id: is required").asRuntimeException());
      return;
    }
    GrpcErrors.reply(cluster.undrain(request), observer);
  }
}
