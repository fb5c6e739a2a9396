package io.tern.scheduler.server.loop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.tern.api.v1.CancelJobRequest;
import io.tern.api.v1.Job;
import io.tern.api.v1.JobState;
import io.tern.api.v1.ListJobsRequest;
import io.tern.api.v1.SchedulerMessage.KindCase;
import io.tern.api.v1.SubmitJobResponse;
import io.tern.api.v1.UpdateJobRequest;
import io.tern.scheduler.server.zk.ZkPaths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/** JobService's requests on a loop run by hand: replies wait for ZooKeeper's commit. */
class JobRequestsTest {
  private final HandLoop loop = new HandLoop();
  private final JobRequests jobs = loop.jobRequests();

  @Test
  void aSubmitIsAnsweredOnceItsJobIsInZooKeeper() throws Exception {
    loop.lead(List.of(), List.of());

    CompletableFuture<SubmitJobResponse> reply = submit(HandLoop.spec("vision", 1), "");
    loop.runDue();
    assertThat(reply).isNotDone();
    assertThat(loop.plansRequested).isZero();

    loop.settle();
    Job job = reply.get().getJob();
    assertThat(job.getId()).isEqualTo("job-000001");
    assertThat(job.getState()).isEqualTo(JobState.JOB_STATE_PENDING);
    assertThat(job.getOwner()).isEqualTo("alice");
    assertThat(job.getSubmittedAt()).isEqualTo(HandLoop.at(HandLoop.T0));
    ZkPaths paths = ZkPaths.defaults();
    assertThat(loop.committedPaths()).containsExactly(paths.jobShard(1), paths.job("job-000001"));
    assertThat(loop.plansRequested).isEqualTo(1);
  }

  private static io.tern.api.v1.JobSpec array(String indices, int parallel) {
    return HandLoop.spec("vision", 1).toBuilder()
        .setArray(io.tern.api.v1.ArraySpec.newBuilder().setIndices(indices).setParallel(parallel))
        .build();
  }

  @Test
  void anArrayIsOneIdWithATaskPerIndexWrittenInOneCommit() throws Exception {
    loop.lead(List.of(), List.of());
    var spec = array("0-2,7", 2);

    var reply = submit(spec, "k1");
    loop.settle();

    assertThat(reply.get().getArrayId()).isEqualTo("job-000001");
    assertThat(reply.get().getArrayTasks()).isEqualTo(4);
    assertThat(reply.get().getJob().getId()).isEqualTo("job-000001-0");
    assertThat(loop.term.jobs.keySet())
        .containsExactly("job-000001-0", "job-000001-1", "job-000001-2", "job-000001-7");
    var task = loop.term.entry("job-000001-7").job.getSpec().getArray();
    assertThat(task.getTaskIndex()).isEqualTo(7);
    assertThat(task.getArrayId()).isEqualTo("job-000001");
    assertThat(task.getParallel()).isEqualTo(2);
    assertThat(loop.committedPaths()).hasSize(5); // the shard and four tasks
    assertThat(loop.plansRequested).isEqualTo(1);

    var retry = submit(spec, "k1");
    loop.settle();
    assertThat(retry.get().getDeduplicated()).isTrue();
    assertThat(retry.get().getArrayId()).isEqualTo("job-000001");
    assertThat(retry.get().getArrayTasks()).as("counted as the first answer did").isEqualTo(4);
    assertThat(loop.term.jobs).hasSize(4);

    var next = submit(HandLoop.spec("vision", 1), "");
    loop.settle();
    assertThat(next.get().getJob().getId()).isEqualTo("job-000002");
    var listed = jobs.list(ListJobsRequest.newBuilder().setArrayId("job-000001").build());
    loop.runDue();
    assertThat(listed.get().getJobsList())
        .extracting(Job::getId)
        .hasSize(4)
        .allMatch(id -> id.startsWith("job-000001-"));
  }

  @Test
  void cancellingAnArrayCancelsEachTaskThatHasNotEnded() throws Exception {
    loop.lead(List.of(), List.of());
    submit(array("0-3", 0), "");
    loop.settle();
    var first = jobs.cancel(CancelJobRequest.newBuilder().setJobId("job-000001-1").build());
    loop.settle();
    assertThat(first.get().getState()).isEqualTo(JobState.JOB_STATE_CANCELLED);

    var all = jobs.cancel(CancelJobRequest.newBuilder().setJobId("job-000001").build());
    loop.settle();

    assertThat(all.get().getId()).isEqualTo("job-000001-0");
    assertThat(loop.term.jobs.values())
        .extracting(JobEntry::state)
        .containsOnly(JobState.JOB_STATE_CANCELLED);
    // As for a finished job (the proto's CancelJob comment): a no-op answering it unchanged.
    Job before = loop.term.jobs.get("job-000001-0").job;
    var again = jobs.cancel(CancelJobRequest.newBuilder().setJobId("job-000001").build());
    loop.settle();
    assertThat(again.get()).isEqualTo(before);
    var finishedJob = jobs.cancel(CancelJobRequest.newBuilder().setJobId("job-000001-1").build());
    loop.settle();
    assertThat(finishedJob.get().getState()).isEqualTo(JobState.JOB_STATE_CANCELLED);
    var none = jobs.cancel(CancelJobRequest.newBuilder().setJobId("job-000009").build());
    loop.settle();
    assertThat(none).isCompletedExceptionally();
    // What takes one job (its logs, GetJob) says an array's id names several.
    var arrayAsJob = jobs.get("job-000001");
    loop.settle();
    assertThatThrownBy(arrayAsJob::get)
        .cause()
        .isInstanceOf(java.util.NoSuchElementException.class)
        .hasMessage(
            "job-000001 is an array of 4 tasks, not one job: name a task, e.g. job-000001-0"
                + " (tern status job-000001 lists them)");
  }

  @Test
  void updatingAnArrayWhoseTasksEndedWithABadValueNamesTheFieldFirst() throws Exception {
    var controls = new JobControls(loop, loop.clock, loop.writes, loop.commands, loop.plans);
    loop.lead(List.of(), List.of());
    submit(array("0-1", 0), "");
    loop.settle();
    jobs.cancel(CancelJobRequest.newBuilder().setJobId("job-000001").build());
    loop.settle();

    var bad =
        controls.update(
            UpdateJobRequest.newBuilder().setJobId("job-000001").setRetries(200).build());
    var good =
        controls.update(UpdateJobRequest.newBuilder().setJobId("job-000001").setRetries(2).build());
    loop.settle();

    assertThatThrownBy(bad::get)
        .cause()
        .isInstanceOf(StatusRuntimeException.class)
        .hasMessageStartingWith("INVALID_ARGUMENT: retries: ");
    assertThatThrownBy(good::get).cause().hasMessageStartingWith("FAILED_PRECONDITION: array ");
  }

  @Test
  void anArrayTooLargeForOneCommitIsRefusedWhole() {
    loop.lead(List.of(), List.of());
    var big = array("0-999", 0).toBuilder().putEnv("PAYLOAD", "x".repeat(1024)).build();

    var reply = submit(big, "");
    loop.settle();

    assertThatThrownBy(reply::get)
        .cause()
        .isInstanceOf(StatusRuntimeException.class)
        .hasMessageContaining("array: 1000 tasks");
    assertThat(loop.term.jobs).isEmpty();
    assertThat(loop.committedPaths()).isEmpty();
  }

  @Test
  void aFailedWriteFailsTheSubmit() {
    loop.lead(List.of(), List.of());

    var reply = submit(HandLoop.spec("vision", 1), "");
    loop.runDue();
    loop.failWrites(new IllegalStateException("connection loss"));

    assertThat(reply).isCompletedExceptionally();
    assertThat(loop.plansRequested).isZero();
  }

  @Test
  void aRetryWithTheSameKeyGetsTheSameJobEvenBeforeItCommitted() throws Exception {
    loop.lead(List.of(), List.of());
    var spec = HandLoop.spec("vision", 1);

    var first = submit(spec, "k1");
    loop.runDue();
    var retry = submit(spec, "k1");
    loop.runDue();
    var other = submit(spec.toBuilder().setName("other").build(), "k1");
    loop.settle();
    var later = submit(spec, "k1");
    loop.settle();

    assertThat(first.get().getDeduplicated()).isFalse();
    assertThat(retry.get().getJob().getId()).isEqualTo(first.get().getJob().getId());
    assertThat(retry.get().getDeduplicated()).isTrue();
    assertThat(later.get().getDeduplicated()).isTrue();
    assertThat(loop.term.jobs).hasSize(1);
    assertThatThrownBy(other::get)
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOf(StatusRuntimeException.class)
        .satisfies(
            e ->
                assertThat(((StatusRuntimeException) e).getStatus().getCode())
                    .isEqualTo(Status.Code.ALREADY_EXISTS));
  }

  @Test
  void aRetryOfAnAcceptedSubmitIsNotCheckedAgain() throws Exception {
    loop.lead(List.of(), List.of());
    var spec =
        HandLoop.spec("vision", 1).toBuilder()
            .setDeadline(HandLoop.at(HandLoop.T0.plus(Duration.ofHours(3))))
            .setMaxRuntime(com.google.protobuf.Duration.newBuilder().setSeconds(2 * 3600))
            .build();

    var first = submit(spec, "k1");
    loop.settle();
    loop.clock.advance(Duration.ofHours(2));
    var retry = submit(spec, "k1");
    var fresh = submit(spec, "k2");
    loop.settle();

    assertThat(retry.get().getJob().getId()).isEqualTo(first.get().getJob().getId());
    assertThat(retry.get().getDeduplicated()).isTrue();
    assertThatThrownBy(fresh::get)
        .cause()
        .isInstanceOf(StatusRuntimeException.class)
        .hasMessageContaining("spec.deadline: ")
        .hasMessageContaining("cannot finish by then");
  }

  @Test
  void aReplicaThatDoesNotLeadRefusesNamingTheLeader() {
    var reply = submit(HandLoop.spec("vision", 1), "");
    loop.runDue();

    assertThatThrownBy(reply::get)
        .cause()
        .isInstanceOf(NotLeaderException.class)
        .satisfies(
            e -> assertThat(((NotLeaderException) e).leaderAddress()).contains("other:50051"));
  }

  @Test
  void aQueuedJobIsCancelledAtOnceARunningOneWhenItsAgentStopsIt() throws Exception {
    loop.lead(
        List.of(
            HandLoop.queued("job-000001", HandLoop.spec("vision", 1)),
            HandLoop.placed(
                "job-000002", HandLoop.spec("vision", 1), JobState.JOB_STATE_RUNNING, "n1", 0)),
        List.of(HandLoop.node("n1", 8)));
    HandLoop.Channel agent = loop.connect("n1");

    var queued =
        jobs.cancel(CancelJobRequest.newBuilder().setJobId("job-000001").setReason("oops").build());
    var running = jobs.cancel(CancelJobRequest.newBuilder().setJobId("job-000002").build());
    loop.runDue();
    assertThat(queued).isNotDone();
    assertThat(agent.sent).isEmpty();

    loop.settle();
    assertThat(queued.get().getState()).isEqualTo(JobState.JOB_STATE_CANCELLED);
    assertThat(running.get().getState()).isEqualTo(JobState.JOB_STATE_RUNNING);
    assertThat(running.get().getCancelRequested()).isTrue();
    var stop = agent.of(KindCase.STOP_JOB).getFirst().getStopJob();
    assertThat(stop.getJobId()).isEqualTo("job-000002");
    assertThat(stop.getReason()).isEqualTo("cancelled");
  }

  @Test
  void aPageOfLargeJobsEndsBeforeTwoMegabytesAndThePagesStillCoverEveryJob() throws Exception {
    // 25 jobs of 240 KB each (a spec may hold up to 256 KiB): one page of 25 would be 6 MB, more
    // than a gRPC client or a standby's relay accepts by default.
    List<Job> stored = new ArrayList<>();
    String big = "x".repeat(20_000);
    for (int i = 1; i <= 25; i++) {
      var spec = HandLoop.spec("vision", 1).toBuilder();
      for (int e = 0; e < 12; e++) {
        spec.putEnv("VALUE_" + e, big);
      }
      stored.add(HandLoop.queued(String.format("job-%06d", i), spec.build()));
    }
    loop.lead(stored, List.of());

    List<String> seen = new ArrayList<>();
    String token = "";
    int pages = 0;
    do {
      var page =
          jobs.list(
              ListJobsRequest.newBuilder().setPageSize(100).setPageToken(token).build(), t -> true);
      loop.runDue();
      assertThat(page.get().getSerializedSize()).isLessThanOrEqualTo(JobRequests.MAX_PAGE_BYTES);
      assertThat(page.get().getJobsCount()).isPositive();
      page.get().getJobsList().forEach(j -> seen.add(j.getId()));
      token = page.get().getNextPageToken();
      pages++;
    } while (!token.isEmpty());
    assertThat(pages).isGreaterThan(2);
    assertThat(seen).hasSize(25).doesNotHaveDuplicates().first().isEqualTo("job-000025");
  }

  @Test
  void anUnknownJobIsNotFound() {
    loop.lead(List.of(), List.of());
    var reply = jobs.get("job-000042");
    loop.runDue();
    assertThatThrownBy(reply::get).cause().isInstanceOf(NoSuchElementException.class);
  }

  @Test
  void listingIsNewestFirstInPagesOfTheVisibleTeams() throws Exception {
    List<Job> stored = new ArrayList<>();
    for (int i = 1; i <= 5; i++) {
      stored.add(HandLoop.queued("job-00000" + i, HandLoop.spec(i % 2 == 0 ? "nlp" : "vision", 1)));
    }
    loop.lead(stored, List.of());

    var first = jobs.list(ListJobsRequest.newBuilder().setPageSize(2).build(), "vision"::equals);
    loop.runDue();
    assertThat(first.get().getJobsList())
        .extracting(Job::getId)
        .containsExactly("job-000005", "job-000003");
    String token = first.get().getNextPageToken();
    var next =
        jobs.list(
            ListJobsRequest.newBuilder().setPageSize(2).setPageToken(token).build(),
            "vision"::equals);
    loop.runDue();
    assertThat(next.get().getJobsList()).extracting(Job::getId).containsExactly("job-000001");
    assertThat(next.get().getNextPageToken()).isEmpty();
  }

  @Test
  void explainSaysAJobNotPlannedYetWaitsForTheNextPlanAndWhereItStandsInItsTeam() throws Exception {
    loop.lead(
        List.of(
            HandLoop.queued("job-000001", HandLoop.spec("vision", 1)),
            HandLoop.queued("job-000002", HandLoop.spec("nlp", 1)),
            HandLoop.queued("job-000003", HandLoop.spec("vision", 1))),
        List.of());

    var reply = jobs.explain("job-000003");
    loop.runDue();

    assertThat(reply.get().getSummary()).startsWith("pending: not planned yet");
    assertThat(reply.get().getQueuePosition()).isEqualTo(2);
  }

  @Test
  void aWatcherSeesTheJobNowAndEachCommittedChange() {
    loop.lead(List.of(HandLoop.queued("job-000001", HandLoop.spec("vision", 1))), List.of());
    List<JobState> seen = new ArrayList<>();
    List<String> ends = new ArrayList<>();
    jobs.watch(
        "job-000001",
        new Watchers.Watcher() {
          @Override
          public boolean onJob(Job job) {
            seen.add(job.getState());
            return true;
          }

          @Override
          public void onEnd() {
            ends.add("end");
          }
        },
        e -> ends.add(e.getMessage()));
    loop.runDue();
    assertThat(seen).containsExactly(JobState.JOB_STATE_PENDING);

    jobs.cancel(CancelJobRequest.newBuilder().setJobId("job-000001").build());
    loop.runDue();
    assertThat(seen).as("not before the commit").hasSize(1);
    loop.settle();
    assertThat(seen).containsExactly(JobState.JOB_STATE_PENDING, JobState.JOB_STATE_CANCELLED);
    assertThat(ends).containsExactly("end");
  }

  private CompletableFuture<SubmitJobResponse> submit(io.tern.api.v1.JobSpec spec, String key) {
    return jobs.submit(spec, key, "alice", false, team -> true);
  }
}
