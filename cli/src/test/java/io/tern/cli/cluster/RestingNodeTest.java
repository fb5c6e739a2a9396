package io.tern.cli.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Timestamp;
import io.grpc.stub.StreamObserver;
import io.tern.api.v1.ClusterServiceGrpc;
import io.tern.api.v1.ListNodesRequest;
import io.tern.api.v1.ListNodesResponse;
import io.tern.api.v1.Node;
import io.tern.api.v1.NodeState;
import io.tern.cli.client.Protos;
import io.tern.cli.testing.StandInScheduler;
import io.tern.cli.testing.TernInProcess;
import org.junit.jupiter.api.Test;

/**
 * A node resting after its agent could not prepare an attempt is READY to the cluster and takes no
 * job: {@code tern nodes} marks it and says until when and why; a draining node says why it drains.
 */
class RestingNodeTest {
  @Test
  void aRestingNodeIsMarkedWithWhenAndWhy() throws Exception {
    Timestamp until = Timestamp.newBuilder().setSeconds(1_796_000_000L).build();
    Node resting =
        Node.newBuilder()
            .setId("node-1")
            .setState(NodeState.NODE_STATE_READY)
            .setRestingUntil(until)
            .setRestingReason(
                "its agent could not prepare a job (cannot record /w/jobs/job-000007/attempt-1: No"
                    + " space left on device)")
            .build();
    Node fine = Node.newBuilder().setId("node-2").setState(NodeState.NODE_STATE_READY).build();
    // Ahead of the clock: the notice has not yet come due.
    Timestamp reclaim =
        Timestamp.newBuilder().setSeconds(java.time.Instant.now().getEpochSecond() + 600).build();
    Node reclaimed =
        Node.newBuilder()
            .setId("node-4")
            .setState(NodeState.NODE_STATE_DRAINING)
            .setReclaimAt(reclaim)
            .build();
    Node drained =
        Node.newBuilder()
            .setId("node-5")
            .setState(NodeState.NODE_STATE_DRAINING)
            .setDrained(true)
            .build();
    // Lost with its last telemetry: a busy GPU it no longer reports.
    Node lost =
        Node.newBuilder()
            .setId("node-3")
            .setState(NodeState.NODE_STATE_LOST)
            .addGpus(
                io.tern.api.v1.Gpu.newBuilder()
                    .setModel("L4")
                    .setMemoryTotalMib(24_576)
                    .setMemoryUsedMib(17_408)
                    .setUtilizationPercent(95))
            .build();
    try (StandInScheduler scheduler =
        new StandInScheduler(
            new ClusterServiceGrpc.ClusterServiceImplBase() {
              @Override
              public void listNodes(
                  ListNodesRequest request, StreamObserver<ListNodesResponse> answer) {
                answer.onNext(
                    ListNodesResponse.newBuilder()
                        .addNodes(resting)
                        .addNodes(fine)
                        .addNodes(lost)
                        .addNodes(reclaimed)
                        .addNodes(drained)
                        .build());
                answer.onCompleted();
              }
            })) {
      TernInProcess run = TernInProcess.run("nodes", "--scheduler", scheduler.address());

      assertThat(run.exit()).as(run.err()).isZero();
      assertThat(run.out())
          .containsPattern("node-1 +READY\\* ")
          .containsPattern("node-2 +READY ")
          .containsPattern("node-3 +LOST .* L4 +- +- ")
          .doesNotContain("95%")
          .contains(
              "* node-1 takes no job until "
                  + Protos.time(until)
                  + ": its agent could not prepare a job (cannot record"
                  + " /w/jobs/job-000007/attempt-1: No space left on device)")
          .containsPattern("node-4 +DRAINING\\* ")
          .contains(
              "* node-4 drains for a spot reclaim at "
                  + Protos.time(reclaim)
                  + " (tern nodes undrain works once that time has passed, if it is still here)")
          .contains("* node-5 was drained by an operator (tern nodes undrain)");
    }
  }
}
