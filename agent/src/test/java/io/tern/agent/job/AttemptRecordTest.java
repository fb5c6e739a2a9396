package io.tern.agent.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.tern.api.v1.JobStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What an attempt leaves on the node's disk until the leader has acknowledged how it ended. */
class AttemptRecordTest {
  @TempDir Path dir;

  @Test
  void aRecordFromBeforeClusterIdsHasNone() throws Exception {
    AttemptRecord record = AttemptRecord.of(new WorkDir(dir), new AttemptId("job-7", 3));
    Files.createDirectories(record.dir());
    Files.writeString(
        record.dir().resolve("tern-attempt"),
        "attempt=3\ncheckpoints=true\nepoch=12\nfenceSignal=USR1\ngraceMillis=90000\njob=job-7\n");
    assertThat(record.readStarted())
        .hasValueSatisfying(started -> assertThat(started.clusterId()).isEmpty());
  }

  @Test
  void keepsTheAttemptItsStatusAndItsFenceUntilSettled() throws Exception {
    WorkDir work = new WorkDir(dir);
    AttemptId id = new AttemptId("job-7", 3);
    AttemptRecord record = AttemptRecord.of(work, id);
    assertThat(record.unsettled()).isFalse();

    AttemptRecord.Started started = new AttemptRecord.Started(id, 12, "c-1", true, "USR1", 90_000);
    record.started(started);
    assertThat(record.unsettled()).isTrue();
    assertThat(record.readStarted()).contains(started);
    assertThat(record.readPid()).isEmpty();
    assertThat(record.readExit()).isEmpty();

    // The shim writes both in place: a line without its newline is still being written.
    Files.writeString(record.dir().resolve("job.pid"), "4242 98");
    Files.writeString(record.dir().resolve("exit"), "0");
    assertThat(record.readPid()).isEmpty();
    assertThat(record.readExit()).isEmpty();
    Files.writeString(record.dir().resolve("job.pid"), "4242 987654\n");
    Files.writeString(record.dir().resolve("exit"), "0 1\n");
    assertThat(record.readPid()).contains(new AttemptRecord.JobPid(4242, 987654));
    assertThat(record.readExit()).contains(new AttemptRecord.Exit(0, true));

    assertThat(record.claimFence(1234)).as("the first to fence signals").isTrue();
    assertThat(record.claimFence(1234)).as("only once").isFalse();
    assertThat(record.fenced()).isTrue();

    JobStatus status =
        JobStatus.newBuilder()
            .setJobId("job-7")
            .setAttempt(3)
            .setPhase(JobStatus.Phase.PHASE_CHECKPOINTED)
            .build();
    record.saveStatus(status);
    assertThat(record.readStatus()).contains(status);

    Files.writeString(record.dir().resolve("output.log"), "kept\n");
    record.settle();
    assertThat(record.unsettled()).isFalse();
    assertThat(record.readStatus()).isEmpty();
    assertThat(record.fenced()).isFalse();
    assertThat(record.dir().resolve("output.log")).exists();
  }

  @Test
  void anEmptyFenceRecordIsAClaimTheAgentLeavesToItsWriter() throws Exception {
    // A writer (the shim) that created the file but could not write it (a full disk) signalled.
    AttemptRecord record = new AttemptRecord(dir);
    Files.createFile(dir.resolve("fenced"));
    assertThat(record.claimFence(1234)).isFalse();
    assertThat(record.fenced()).isTrue();
  }

  @Test
  void aDamagedRecordSaysSo() throws Exception {
    AttemptRecord record = new AttemptRecord(dir);
    Files.writeString(dir.resolve("tern-attempt"), "job=../x\nattempt=zero\n");
    org.assertj.core.api.Assertions.assertThatThrownBy(record::readStarted)
        .hasMessageContaining("is damaged");
  }
}
