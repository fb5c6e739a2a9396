package io.tern.cli.demo;

import io.grpc.CallCredentials;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.tern.api.v1.JobServiceGrpc;
import io.tern.api.v1.ListJobsRequest;
import io.tern.scheduler.server.api.LeaderForwarding;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Asks each scheduler replica directly (no leader following) whether it leads: a leader answers
 * client calls; a standby, told not to relay the call to the leader, refuses it with
 * FAILED_PRECONDITION. Thread-safe.
 */
final class SchedulerReplicas implements AutoCloseable {
  /** What a replica says of itself. */
  enum Role {
    LEADER,
    STANDBY,
    DOWN
  }

  private static final Metadata THIS_REPLICA_ONLY = new Metadata();

  static {
    THIS_REPLICA_ONLY.put(LeaderForwarding.FORWARDED, "tern-demo");
  }

  private final Map<String, ManagedChannel> channels = new LinkedHashMap<>();
  private final CallCredentials token;

  SchedulerReplicas(List<String> addresses, ChannelCredentials tls, CallCredentials token) {
    this.token = token;
    for (String address : addresses) {
      channels.put(address, Grpc.newChannelBuilder(address, tls).build());
    }
  }

  List<String> addresses() {
    return List.copyOf(channels.keySet());
  }

  Role role(String address) {
    try {
      JobServiceGrpc.newBlockingStub(channels.get(address))
          .withCallCredentials(token)
          .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(THIS_REPLICA_ONLY))
          .withDeadlineAfter(1, TimeUnit.SECONDS)
          .listJobs(ListJobsRequest.newBuilder().setPageSize(1).build());
      return Role.LEADER;
    } catch (StatusRuntimeException e) {
      return e.getStatus().getCode() == Status.Code.FAILED_PRECONDITION ? Role.STANDBY : Role.DOWN;
    }
  }

  /** The one replica that leads while every other stands by; null otherwise. */
  String leader() {
    String leader = null;
    for (String address : channels.keySet()) {
      Role role = role(address);
      if (role == Role.LEADER) {
        if (leader != null) {
          return null;
        }
        leader = address;
      } else if (role == Role.DOWN) {
        return null;
      }
    }
    return leader;
  }

  @Override
  public void close() {
    channels.values().forEach(ManagedChannel::shutdownNow);
  }
}
