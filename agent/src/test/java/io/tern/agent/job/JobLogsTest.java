package io.tern.agent.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobLogsTest {
  @TempDir Path dir;

  private JobLogs logs(String content) throws Exception {
    WorkDir work = new WorkDir(dir.resolve("work"));
    Path log = work.log(new AttemptId("job-000001", 1));
    Files.createDirectories(log.getParent());
    Files.writeString(log, content, StandardCharsets.UTF_8);
    return new JobLogs(work);
  }

  private static String tail(JobLogs logs, int lines) throws Exception {
    long offset = logs.tailOffset("job-000001", 1, lines);
    return new String(
        logs.read("job-000001", 1, offset, JobLogs.MAX_CHUNK).data(), StandardCharsets.UTF_8);
  }

  @Test
  void bytesThatAreNotTextComeBackAsTheJobWroteThem() throws Exception {
    WorkDir work = new WorkDir(dir.resolve("work"));
    Path log = work.log(new AttemptId("job-000001", 1));
    Files.createDirectories(log.getParent());
    byte[] wrote = {0, (byte) 0xff, (byte) 0xfe, 'o', 'k', '\n', (byte) 0xc3, (byte) 0xa9};
    Files.write(log, wrote);
    JobLogs logs = new JobLogs(work);

    JobLogs.LogChunk first = logs.read("job-000001", 1, 0, 7); // cuts the é in two
    JobLogs.LogChunk rest = logs.read("job-000001", 1, first.nextOffset(), 100);

    assertThat(first.data()).isEqualTo(java.util.Arrays.copyOf(wrote, 7));
    assertThat(rest.data()).containsExactly((byte) 0xa9);
    assertThat(logs.read("job-000001", 1, logs.tailOffset("job-000001", 1, 1), 100).data())
        .containsExactly((byte) 0xc3, (byte) 0xa9);
  }

  @Test
  void theTailStartsAtTheFirstOfTheLastLines() throws Exception {
    JobLogs logs = logs("one\ntwo\nthree\n");

    assertThat(tail(logs, 1)).isEqualTo("three\n");
    assertThat(tail(logs, 2)).isEqualTo("two\nthree\n");
    assertThat(tail(logs, 3)).isEqualTo("one\ntwo\nthree\n");
    assertThat(tail(logs, 10)).isEqualTo("one\ntwo\nthree\n");
  }

  @Test
  void aLastLineWithoutANewlineIsALine() throws Exception {
    assertThat(tail(logs("one\ntwo\nthr"), 1)).isEqualTo("thr");
    assertThat(tail(logs("one\ntwo\nthr"), 2)).isEqualTo("two\nthr");
  }

  @Test
  void theTailIsFoundAcrossBlocksOfALongLog() throws Exception {
    StringBuilder content = new StringBuilder();
    for (int i = 0; i < 20_000; i++) {
      content.append("line ").append(i).append('\n');
    }
    assertThat(tail(logs(content.toString()), 3)).isEqualTo("line 19997\nline 19998\nline 19999\n");
  }

  @Test
  void anEmptyLogHasAnEmptyTailAndAMissingOneIsNoSuchFile() throws Exception {
    assertThat(tail(logs(""), 5)).isEmpty();
    assertThatThrownBy(() -> logs("").tailOffset("job-000002", 1, 1))
        .isInstanceOf(NoSuchFileException.class);
    assertThatThrownBy(() -> logs("x").tailOffset("job-000001", 1, 0))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
