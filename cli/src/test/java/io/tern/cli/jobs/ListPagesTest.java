package io.tern.cli.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.stub.StreamObserver;
import io.tern.api.v1.Job;
import io.tern.api.v1.JobServiceGrpc;
import io.tern.api.v1.ListJobsRequest;
import io.tern.api.v1.ListJobsResponse;
import io.tern.cli.testing.StandInScheduler;
import io.tern.cli.testing.TernInProcess;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code tern list --limit N} gives N jobs however many pages of the server's at most 1,000 that
 * takes, and says so, off stdout for JSON, when more match.
 */
class ListPagesTest {
  private static final int JOBS = 2_500;
  private StandInScheduler scheduler;
  private final List<Integer> pageSizes = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() throws IOException {
    scheduler =
        new StandInScheduler(
            new JobServiceGrpc.JobServiceImplBase() {
              @Override
              public void listJobs(
                  ListJobsRequest request, StreamObserver<ListJobsResponse> answer) {
                pageSizes.add(request.getPageSize());
                int from =
                    request.getPageToken().isEmpty() ? 0 : Integer.parseInt(request.getPageToken());
                int size = Math.min(request.getPageSize() == 0 ? 100 : request.getPageSize(), 1000);
                int to = Math.min(JOBS, from + size);
                ListJobsResponse.Builder page = ListJobsResponse.newBuilder();
                for (int i = from; i < to; i++) {
                  page.addJobs(Job.newBuilder().setId(String.format("job-%06d", i + 1)));
                }
                if (to < JOBS) {
                  page.setNextPageToken(Integer.toString(to));
                }
                answer.onNext(page.build());
                answer.onCompleted();
              }
            });
  }

  @AfterEach
  void stop() {
    scheduler.close();
  }

  private JsonNode list(TernInProcess run) throws IOException {
    assertThat(run.exit()).as(run.err()).isZero();
    return new ObjectMapper().readTree(run.out());
  }

  @Test
  void aLimitOverAPageIsReadPageByPage() throws IOException {
    String at = scheduler.address();

    TernInProcess some =
        TernInProcess.run("list", "--scheduler", at, "--limit", "2200", "-o", "json");
    JsonNode jobs = list(some).get("jobs");

    assertThat(jobs).hasSize(2200);
    assertThat(jobs.get(2199).get("id").asText()).isEqualTo("job-002200");
    assertThat(pageSizes).containsExactly(1000, 1000, 200);
    assertThat(some.err()).contains("more jobs: raise --limit");

    TernInProcess all =
        TernInProcess.run("list", "--scheduler", at, "--limit", "5000", "-o", "json");
    assertThat(list(all).get("jobs")).hasSize(JOBS);
    assertThat(all.err()).doesNotContain("more jobs");
  }

  @Test
  void theDefaultIsFiftyAndTheTableSaysThereIsMore() {
    TernInProcess run = TernInProcess.run("list", "--scheduler", scheduler.address());

    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(run.out().lines().filter(l -> l.startsWith("job-"))).hasSize(50);
    assertThat(run.out()).contains("(more jobs: raise --limit)");
  }
}
