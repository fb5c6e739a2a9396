package io.tern.scheduler.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.stub.StreamObserver;
import io.tern.api.v1.HistoryChunk;
import io.tern.api.v1.Job;
import io.tern.api.v1.JobSpec;
import io.tern.api.v1.Node;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class HistoryChunksTest {
  private final List<HistoryChunk> sent = new ArrayList<>();
  private final StreamObserver<HistoryChunk> observer =
      new StreamObserver<>() {
        @Override
        public void onNext(HistoryChunk value) {
          sent.add(value);
        }

        @Override
        public void onError(Throwable t) {}

        @Override
        public void onCompleted() {}
      };

  @Test
  void entriesAreSpreadOverChunksUnderTheLimitInOrder() {
    HistoryChunks chunks = new HistoryChunks(observer, 10_000);
    chunks.builder().setJobsLeftOut(7);
    List<Node> nodes = new ArrayList<>();
    List<Job> jobs = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      nodes.add(Node.newBuilder().setId("node-" + i).setPool("x".repeat(300)).build());
    }
    for (int i = 0; i < 200; i++) {
      jobs.add(
          Job.newBuilder()
              .setId("job-" + i)
              .setSpec(JobSpec.newBuilder().putEnv("PAD", "y".repeat(i * 10)))
              .build());
    }

    nodes.forEach(n -> chunks.make(n.getSerializedSize()).addNodes(n));
    jobs.forEach(j -> chunks.make(j.getSerializedSize()).addJobs(j));
    chunks.flush();

    assertThat(sent.size()).isGreaterThan(20);
    assertThat(sent.getFirst().getJobsLeftOut()).isEqualTo(7);
    assertThat(sent.subList(1, sent.size()))
        .allSatisfy(c -> assertThat(c.getJobsLeftOut()).isZero());
    assertThat(sent)
        .allSatisfy(
            c ->
                assertThat(c.getSerializedSize())
                    .isLessThanOrEqualTo(
                        c.getJobsCount() + c.getNodesCount() == 1 ? Integer.MAX_VALUE : 10_000));
    assertThat(sent.stream().flatMap(c -> c.getNodesList().stream()).toList()).isEqualTo(nodes);
    assertThat(sent.stream().flatMap(c -> c.getJobsList().stream()).toList()).isEqualTo(jobs);
  }

  @Test
  void anEmptyAnswerIsOneChunk() {
    HistoryChunks chunks = new HistoryChunks(observer, HistoryChunks.MAX_BYTES);
    chunks.builder().setJobsLeftOut(2);

    chunks.flush();

    assertThat(sent).containsExactly(HistoryChunk.newBuilder().setJobsLeftOut(2).build());
  }
}
