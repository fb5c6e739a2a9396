package io.tern.agent.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FinishedAttemptsTest {
  private static final Instant NOW = Instant.parse("2026-12-07T12:00:00Z");
  private static final Instant LONG_AGO = NOW.minus(Duration.ofDays(8));
  private static final Instant LATELY = NOW.minus(Duration.ofHours(1));

  @TempDir Path root;

  private WorkDir workDir() {
    return new WorkDir(root.resolve("work"));
  }

  /** A settled attempt's folder, its log and folder last changed at {@code at}. */
  private Path attempt(String job, int n, Instant at) throws IOException {
    Path dir = workDir().attempt(new AttemptId(job, n));
    Files.createDirectories(dir.resolve("checkpoints/step-1"));
    Files.writeString(dir.resolve("checkpoints/step-1/model.bin"), "weights");
    Files.writeString(dir.resolve("output.log"), "step 1\n");
    touch(dir.resolve("output.log"), at);
    touch(dir, at);
    return dir;
  }

  private static void touch(Path path, Instant at) throws IOException {
    Files.setLastModifiedTime(path, FileTime.from(at));
  }

  private int sweep(Set<AttemptId> running) {
    return new FinishedAttempts(workDir(), Duration.ofDays(7)).sweep(running, NOW);
  }

  @Test
  void anAttemptSettledLongerAgoThanTheKeepTimeGoesAndItsJobFolderWithIt() throws IOException {
    Path old = attempt("job-000001", 1, LONG_AGO);

    assertThat(sweep(Set.of())).isEqualTo(1);
    assertThat(old).doesNotExist();
    assertThat(old.getParent()).as("the job's folder, now empty").doesNotExist();
  }

  @Test
  void whatMayStillBeNeededStays() throws IOException {
    Path recent = attempt("job-000001", 1, LATELY);
    Path unsettled = attempt("job-000002", 1, LONG_AGO);
    Files.writeString(unsettled.resolve(AttemptRecord.RECORD), "job=job-000002\n");
    touch(unsettled, LONG_AGO);
    Path running = attempt("job-000003", 1, LONG_AGO);
    Path loggedLately = attempt("job-000004", 1, LONG_AGO);
    touch(loggedLately.resolve("output.log"), LATELY);
    Path notAnAttempt = workDir().jobs().resolve("job-000005").resolve("notes");
    Files.createDirectories(notAnAttempt);
    touch(notAnAttempt, LONG_AGO);
    Path earlier = attempt("job-000006", 1, LONG_AGO);
    Path later = attempt("job-000006", 2, LATELY);
    Path setAside = attempt("job-000007", 1, LONG_AGO);
    Path otherCluster = setAside.resolveSibling("earlier-attempt-1");
    Files.move(setAside, otherCluster);
    touch(otherCluster, LONG_AGO);
    Path asideLately = attempt("job-000008", 1, LONG_AGO);
    Path otherClusterLately = asideLately.resolveSibling("earlier-attempt-1");
    Files.move(asideLately, otherClusterLately);
    touch(otherClusterLately, LATELY);

    assertThat(sweep(Set.of(new AttemptId("job-000003", 1)))).isEqualTo(2);

    assertThat(recent).exists();
    assertThat(unsettled).as("its end not yet acknowledged").exists();
    assertThat(running).exists();
    assertThat(loggedLately).exists();
    assertThat(notAnAttempt).exists();
    assertThat(earlier).doesNotExist();
    assertThat(later).as("the job's later attempt, and so its folder, stay").exists();
    assertThat(otherCluster).doesNotExist();
    assertThat(otherClusterLately).exists();
  }

  @Test
  void readOnlyFoldersAreEmptiedAndLinksRemovedNotFollowed() throws IOException {
    Path outside = root.resolve("dataset");
    Files.createDirectories(outside);
    Files.writeString(outside.resolve("keep.csv"), "a,b\n");
    Path old = attempt("job-000001", 1, LONG_AGO);
    Path locked = old.resolve("run/locked");
    Files.createDirectories(locked);
    Files.writeString(locked.resolve("out.txt"), "x");
    Files.createSymbolicLink(old.resolve("run/data"), outside);
    Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("r-x------"));
    touch(old, LONG_AGO);

    assertThat(sweep(Set.of())).isEqualTo(1);

    assertThat(Files.exists(old, LinkOption.NOFOLLOW_LINKS)).isFalse();
    assertThat(outside.resolve("keep.csv")).hasContent("a,b");
  }

  @Test
  void aWorkDirWithNoJobsYetIsFine() {
    assertThat(sweep(Set.of())).isZero();
  }
}
