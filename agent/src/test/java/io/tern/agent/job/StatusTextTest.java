package io.tern.agent.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.tern.api.v1.JobStatus;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A status's words fit the agent's stream, also when a saved one is reported again. */
class StatusTextTest {
  @TempDir Path dir;

  @Test
  void aLongMessageIsCutAndSaysSoAShortOneIsLeftAlone() {
    JobStatus longOne =
        JobStatus.newBuilder().setJobId("job-000001").setMessage("x".repeat(66_000)).build();
    JobStatus cut = StatusText.fit(longOne);
    assertThat(cut.getMessage()).hasSize(StatusText.MAX_MESSAGE_CHARS);
    assertThat(cut.getMessage()).endsWith(" more characters cut)").startsWith("xxxx");
    assertThat(cut.getJobId()).isEqualTo("job-000001");

    JobStatus shortOne = longOne.toBuilder().setMessage("cancelled: done").build();
    assertThat(StatusText.fit(shortOne)).isSameAs(shortOne);
  }

  @Test
  void aSavedStatusThatIsTooLongIsReportedCut() throws Exception {
    // What an agent that did not cut it left on disk: it would be refused on every reconnect.
    AttemptRecord record = AttemptRecord.of(new WorkDir(dir), new AttemptId("job-000001", 1));
    record.saveStatus(JobStatus.newBuilder().setMessage("y".repeat(70_000)).build());
    assertThat(record.readStatus().orElseThrow().getMessage())
        .hasSize(StatusText.MAX_MESSAGE_CHARS);
  }
}
