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
import io.tern.scheduler.server.loop.ClusterRequests;

/** ClusterService over gRPC. */
public final class ClusterServiceImpl extends ClusterServiceGrpc.ClusterServiceImplBase {
  private final ClusterRequests cluster;

  public ClusterServiceImpl(ClusterRequests cluster) {
    this.cluster = cluster;
  }

  @Override
  public void listNodes(ListNodesRequest request, StreamObserver<ListNodesResponse> observer) {
    GrpcErrors.reply(cluster.nodes(request), observer);
  }

  @Override
  public void getQueue(GetQueueRequest request, StreamObserver<GetQueueResponse> observer) {
    if (request.getLimit() < 0 || request.getLimit() > 10_000) {
      observer.onError(
          Status.INVALID_ARGUMENT.withDescription("limit: must be 0..10000").asRuntimeException());
      return;
    }
    GrpcErrors.reply(cluster.queue(request), observer);
  }

  @Override
  public void drainNode(DrainNodeRequest request, StreamObserver<Node> observer) {
    if (request.getNodeId().isEmpty()) {
      observer.onError(
          Status.INVALID_ARGUMENT.withDescription("node_id: is required").asRuntimeException());
      return;
    }
    GrpcErrors.reply(cluster.drain(request), observer);
  }
}
