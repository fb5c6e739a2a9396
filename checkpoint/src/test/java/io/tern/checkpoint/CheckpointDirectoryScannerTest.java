package io.tern.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import io.tern.checkpoint.CheckpointDirectoryScanner.CompletedCheckpoint;
import io.tern.checkpoint.CheckpointDirectoryScanner.RejectedCheckpoint;
import io.tern.checkpoint.CheckpointDirectoryScanner.ScanResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointDirectoryScannerTest {

  @TempDir Path dir;

  private void complete(String name, Instant at) throws Exception {
    Files.createDirectories(dir.resolve(name));
    Files.writeString(dir.resolve(name).resolve("state"), name);
    Path marker = Files.createFile(dir.resolve(name + ".done"));
    Files.setLastModifiedTime(marker, FileTime.from(at));
  }

  @Test
  void findsCompleteCheckpointsOldestFirstAndSkipsCommittedOnes() throws Exception {
    Instant t = Instant.parse("2026-11-23T06:00:00Z");
    complete("step-000300", t.plusSeconds(30));
    complete("step-000100", t.plusSeconds(10));
    complete("step-000200", t.plusSeconds(20));
    complete("b-same-time", t.plusSeconds(40));
    complete("a-same-time", t.plusSeconds(40));
    Files.createDirectories(dir.resolve("step-000400")); // still being written: no marker yet

    ScanResult r = new CheckpointDirectoryScanner(dir).scan(Set.of("step-000100"));
    assertThat(r.ready())
        .extracting(CompletedCheckpoint::name)
        .containsExactly("step-000200", "step-000300", "a-same-time", "b-same-time");
    assertThat(r.ready().get(0).directory()).isEqualTo(dir.resolve("step-000200"));
    assertThat(r.ready().get(0).completedAt()).isEqualTo(t.plusSeconds(20));
    assertThat(r.rejected()).isEmpty();
  }

  @Test
  void aHostileMarkerNameIsPrintedEscapedAndShort() throws Exception {
    String name = "x\nFAKE LOG LINE \u001b[2J" + "y".repeat(300);
    Files.createFile(dir.resolve(name.substring(0, 200) + ".done"));

    ScanResult r = new CheckpointDirectoryScanner(dir).scan(Set.of());
    assertThat(r.rejected())
        .singleElement()
        .satisfies(
            rejected -> {
              assertThat(rejected.entry()).startsWith("x\nFAKE");
              assertThat(rejected.printableEntry())
                  .startsWith("'x\\x0aFAKE LOG LINE \\x1b[2J")
                  .doesNotContain("\n", "\u001b")
                  .hasSizeLessThan(220);
              assertThat(rejected.reason()).doesNotContain("\n");
            });
  }

  @Test
  void rejectsMarkersThatCanNeverBeCommitted() throws Exception {
    Files.createFile(dir.resolve("orphan.done")); // no directory
    Files.createFile(dir.resolve(".hidden.done"));
    Files.createFile(dir.resolve("bad name.done"));
    Files.createDirectories(dir.resolve("dir-marker.done"));
    Files.createDirectories(dir.resolve("dir-marker"));
    Path outside = Files.createDirectories(dir.getParent().resolve(dir.getFileName() + "-outside"));
    Files.createSymbolicLink(dir.resolve("linked"), outside);
    Files.createFile(dir.resolve("linked.done"));
    Files.createFile(dir.resolve("notes.txt"));
    Files.createFile(dir.resolve("file-not-dir"));
    Files.createFile(dir.resolve("file-not-dir.done"));

    ScanResult r = new CheckpointDirectoryScanner(dir).scan(Set.of());
    assertThat(r.ready()).isEmpty();
    assertThat(r.rejected())
        .extracting(RejectedCheckpoint::entry)
        .containsExactly(".hidden", "bad name", "dir-marker", "file-not-dir", "linked", "orphan");
  }

  @Test
  void aMissingDirectoryIsEmpty() throws Exception {
    ScanResult r = new CheckpointDirectoryScanner(dir.resolve("absent")).scan(Set.of());
    assertThat(r.ready()).isEmpty();
    assertThat(r.rejected()).isEmpty();
  }
}
