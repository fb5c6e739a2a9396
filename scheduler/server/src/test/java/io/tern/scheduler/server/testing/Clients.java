package io.tern.scheduler.server.testing;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.tern.api.v1.ClusterServiceGrpc;
import io.tern.api.v1.FinOpsServiceGrpc;
import io.tern.api.v1.JobServiceGrpc;
import io.tern.api.v1.JobSpec;
import io.tern.api.v1.Resources;
import java.util.concurrent.TimeUnit;

/** gRPC clients to one replica, over real loopback. */
public final class Clients implements AutoCloseable {
  private final ManagedChannel channel;
  public final JobServiceGrpc.JobServiceBlockingStub jobs;
  public final ClusterServiceGrpc.ClusterServiceBlockingStub cluster;

  public Clients(String target) {
    channel = NettyChannelBuilder.forTarget(target).usePlaintext().build();
    jobs = JobServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
    cluster = ClusterServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  /** FinOpsService, with a deadline 10 s from now (the fields' deadlines run from construction). */
  public FinOpsServiceGrpc.FinOpsServiceBlockingStub finops() {
    return FinOpsServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  /** JobService with a deadline 10 s from now. */
  public JobServiceGrpc.JobServiceBlockingStub jobsNow() {
    return JobServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  public static JobSpec spec(String name, int gpus) {
    return JobSpec.newBuilder()
        .setName(name)
        .setTeam("vision")
        .addCommand("train")
        .setResources(Resources.newBuilder().setGpus(gpus).setNodes(1))
        .build();
  }

  @Override
  public void close() {
    channel.shutdownNow();
  }
}
