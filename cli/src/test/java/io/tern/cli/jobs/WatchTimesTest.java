package io.tern.cli.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Timestamp;
import io.grpc.stub.StreamObserver;
import io.tern.api.v1.Attempt;
import io.tern.api.v1.Job;
import io.tern.api.v1.JobServiceGrpc;
import io.tern.api.v1.JobState;
import io.tern.api.v1.WatchJobRequest;
import io.tern.cli.testing.StandInScheduler;
import io.tern.cli.testing.TernInProcess;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import org.junit.jupiter.api.Test;

/** {@code tern watch} stamps a job that ended long ago with its end, not with the time it ran. */
class WatchTimesTest {
  @Test
  void theFirstLineCarriesTheJobsLastRecordedChange() throws Exception {
    Instant ended = Instant.parse("2026-01-01T10:15:23Z");
    Job job =
        Job.newBuilder()
            .setId("job-000002")
            .setState(JobState.JOB_STATE_SUCCEEDED)
            .setSubmittedAt(Timestamp.newBuilder().setSeconds(ended.getEpochSecond() - 600))
            .addAttempts(
                Attempt.newBuilder()
                    .setNumber(1)
                    .addNodeIds("gpu-1")
                    .setPlacedAt(Timestamp.newBuilder().setSeconds(ended.getEpochSecond() - 500))
                    .setStartedAt(Timestamp.newBuilder().setSeconds(ended.getEpochSecond() - 499))
                    .setEndedAt(Timestamp.newBuilder().setSeconds(ended.getEpochSecond()))
                    .setEndReason("exit 0"))
            .build();
    try (StandInScheduler scheduler =
        new StandInScheduler(
            new JobServiceGrpc.JobServiceImplBase() {
              @Override
              public void watchJob(WatchJobRequest request, StreamObserver<Job> answer) {
                answer.onNext(job);
                answer.onCompleted();
              }
            })) {
      TernInProcess run =
          TernInProcess.run("watch", "--scheduler", scheduler.address(), "job-000002");

      assertThat(run.out())
          .startsWith(
              DateTimeFormatter.ofPattern("HH:mm:ss").format(ended.atZone(ZoneId.systemDefault()))
                  + "  job-000002  SUCCEEDED  attempt 1 on gpu-1: exit 0");
    }
  }
}
