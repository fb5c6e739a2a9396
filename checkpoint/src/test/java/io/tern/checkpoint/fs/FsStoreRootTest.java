package io.tern.checkpoint.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tern.checkpoint.AttemptFence;
import io.tern.checkpoint.CheckpointStore;
import io.tern.checkpoint.CheckpointStoreSettings;
import io.tern.checkpoint.CommittedCheckpoint;
import io.tern.checkpoint.StoreIdentity;
import io.tern.checkpoint.StoreUnreachableException;
import io.tern.checkpoint.Trees;
import io.tern.checkpoint.config.CheckpointStoreLocation;
import io.tern.testing.TestClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A file store opened at a location is the folder that holds its marker: a missing folder, or one
 * without the marker (an unmounted volume's mount point), is never taken for a new, empty store.
 */
class FsStoreRootTest {
  private static final String JOB = "job-000001";

  @TempDir Path tmp;
  private final TestClock clock = new TestClock(Instant.parse("2026-12-08T09:00:00Z"));
  private final CheckpointStoreSettings settings = CheckpointStoreSettings.of(2, clock);

  private CheckpointStore open(Path folder) throws Exception {
    return CheckpointStoreLocation.parse(folder.toString()).open(settings);
  }

  private CommittedCheckpoint commit(CheckpointStore store, String name) throws Exception {
    Path local = Trees.write(tmp.resolve("local-" + name), Map.of("state", name));
    return store.commit(JOB, new AttemptFence(1, 0), local, name, OptionalLong.empty());
  }

  /** Every call that would write into the store, or read its code. */
  private List<ThrowingCallable> writes(CheckpointStore store) {
    return List.of(
        () -> store.beginAttempt(JOB, new AttemptFence(1, 0), Optional.empty()),
        () -> commit(store, "step-1"),
        () -> store.recordSuccess(JOB, 1),
        () -> store.successRecordFile(JOB, 1),
        () -> store.forCluster("cluster-a").recordSuccess(JOB, 1),
        () -> store.retire(JOB),
        () -> store.list(JOB),
        () -> store.workdirs().put("0".repeat(64), tmp.resolve("archive")),
        () -> store.workdirs().fetch("0".repeat(64), tmp.resolve("fetched")));
  }

  @Test
  void aMissingFolderIsNotMadeAndIsUnreachableUntilItIsInitialised() throws Exception {
    Path folder = tmp.resolve("mnt/ckpt");
    try (CheckpointStore store = open(folder)) {
      for (ThrowingCallable call : writes(store)) {
        assertThatThrownBy(call)
            .isInstanceOf(StoreUnreachableException.class)
            .hasMessageContaining("checkpoint store " + folder + " is missing")
            .hasMessageContaining("not mounted");
      }
      assertThat(tmp.resolve("mnt")).doesNotExist();

      StoreIdentity made = CheckpointStoreLocation.parse(folder.toString()).initialise(clock);

      assertThat(folder.resolve(FsStoreRoot.MARKER)).isRegularFile();
      assertThat(made.created()).isEqualTo(clock.instant());
      assertThat(commit(store, "step-1").name()).isEqualTo("step-1");
      assertThat(store.marker().orElseThrow().read()).contains(made);
    }
  }

  /** An unmounted volume's mount point: an empty folder, where nothing may be written. */
  @Test
  void anEmptyFolderWithoutAMarkerIsNotAStoreAndGetsNothingWritten() throws Exception {
    Path folder = Files.createDirectories(tmp.resolve("ckpt"));
    try (CheckpointStore store = open(folder)) {
      for (ThrowingCallable call : writes(store)) {
        assertThatThrownBy(call)
            .isInstanceOf(StoreUnreachableException.class)
            .hasMessageContaining("checkpoint store " + folder + " holds no .tern-store.json");
      }
      try (Stream<Path> entries = Files.list(folder)) {
        assertThat(entries).isEmpty();
      }
    }
  }

  @Test
  void initialisingWritesOneMarkerThatRacingInitialisersAllGet() throws Exception {
    Path folder = tmp.resolve("new");
    CheckpointStoreLocation location = CheckpointStoreLocation.parse(folder.toString());
    List<Callable<StoreIdentity>> racers = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      racers.add(() -> location.initialise(clock));
    }
    ExecutorService pool = Executors.newFixedThreadPool(8);
    List<StoreIdentity> got = new ArrayList<>();
    try {
      for (Future<StoreIdentity> f : pool.invokeAll(racers)) {
        got.add(f.get());
      }
    } finally {
      pool.shutdownNow();
    }

    assertThat(got).hasSize(8).containsOnly(got.getFirst());
    assertThat(StoreIdentity.decode(Files.readAllBytes(folder.resolve(FsStoreRoot.MARKER))))
        .isEqualTo(got.getFirst());
    try (Stream<Path> entries = Files.list(folder)) {
      assertThat(entries).as("no temporary file left").hasSize(1);
    }
    assertThat(location.initialise(clock)).as("again: the same").isEqualTo(got.getFirst());
  }

  /**
   * A store made before markers holds checkpoints but no marker: it is not used (nor marked) until
   * it is initialised, which marks it as it is, checkpoints kept.
   */
  @Test
  void aStoreFromBeforeMarkersIsMarkedWhenInitialisedAndKeepsItsCheckpoints() throws Exception {
    Path folder = Files.createDirectories(tmp.resolve("old"));
    try (CheckpointStore old = new FsCheckpointStore(folder, settings)) {
      commit(old, "step-1");
      commit(old.forCluster("cluster-a"), "step-1");
    }
    assertThat(folder.resolve(FsStoreRoot.MARKER)).doesNotExist();
    try (CheckpointStore store = open(folder)) {
      assertThatThrownBy(() -> store.list(JOB))
          .isInstanceOf(StoreUnreachableException.class)
          .hasMessageContaining("holds no " + FsStoreRoot.MARKER);
    }
    assertThat(folder.resolve(FsStoreRoot.MARKER)).doesNotExist();
    StoreIdentity initialised = CheckpointStoreLocation.parse(folder.toString()).initialise(clock);

    try (CheckpointStore store = open(folder)) {
      assertThat(store.list(JOB)).extracting(CommittedCheckpoint::name).containsExactly("step-1");
      assertThat(store.forCluster("cluster-a").list(JOB)).hasSize(1);
      assertThat(commit(store, "step-2").name()).isEqualTo("step-2");
    }
    StoreIdentity marked =
        StoreIdentity.decode(Files.readAllBytes(folder.resolve(FsStoreRoot.MARKER)));
    assertThat(initialised).isEqualTo(marked);
  }

  @Test
  void aMarkerWithAnotherIdIsRefusedNamingBothStores() throws Exception {
    Path folder = tmp.resolve("ckpt");
    StoreIdentity here = CheckpointStoreLocation.parse(folder.toString()).initialise(clock);
    StoreIdentity clusters =
        new StoreIdentity("4a1c5d2e-0000-4000-8000-000000000001", clock.instant());
    try (CheckpointStore store = open(folder)) {
      store.marker().orElseThrow().expect(clusters);
      for (ThrowingCallable call : writes(store)) {
        assertThatThrownBy(call)
            .isInstanceOf(StoreUnreachableException.class)
            .hasMessageContaining("checkpoint store " + folder + " holds store " + here)
            .hasMessageContaining("but this cluster's store is " + clusters + ": is it mounted?");
      }
      store.marker().orElseThrow().expect(here);
      assertThat(commit(store, "step-1").name()).isEqualTo("step-1");
    }
  }

  /**
   * Once it has used the store, a process holds it to that marker: a folder that loses it (the
   * volume unmounted), or that holds another store's, is unreachable until the store is back.
   */
  @Test
  void aStoreInUseThatLosesItsMarkerWaitsForItAndIsPickedUpAgain() throws Exception {
    Path folder = tmp.resolve("ckpt");
    StoreIdentity first = CheckpointStoreLocation.parse(folder.toString()).initialise(clock);
    try (CheckpointStore store = open(folder)) {
      commit(store, "step-1");
      Path away = Files.move(folder, tmp.resolve("unmounted"));
      Files.createDirectories(folder);

      assertThatThrownBy(() -> commit(store, "step-2"))
          .isInstanceOf(StoreUnreachableException.class)
          .hasMessageContaining("holds no .tern-store.json, but the store it held when this")
          .hasMessageContaining(first.toString());
      StoreIdentity other = CheckpointStoreLocation.parse(folder.toString()).initialise(clock);
      assertThatThrownBy(() -> commit(store, "step-2"))
          .isInstanceOf(StoreUnreachableException.class)
          .hasMessageContaining("holds store " + other);

      Files.delete(folder.resolve(FsStoreRoot.MARKER));
      Files.delete(folder);
      Files.move(away, folder);
      assertThat(commit(store, "step-2").name()).isEqualTo("step-2");
      assertThat(store.list(JOB)).extracting(CommittedCheckpoint::name).contains("step-1");
    }
  }

  /**
   * A marker is read again only when it is another file or has changed: the same file, unchanged,
   * costs a stat. Another volume's marker, even one with the same size and time, is another file.
   */
  @Test
  void aMarkerIsReadAgainWhenItIsAnotherFileOrHasChanged() throws Exception {
    Path folder = tmp.resolve("ckpt");
    Path marker = folder.resolve(FsStoreRoot.MARKER);
    StoreIdentity first = CheckpointStoreLocation.parse(folder.toString()).initialise(clock);
    FileTime settled = FileTime.from(Instant.now().minusSeconds(3600));
    Files.setLastModifiedTime(marker, settled);
    String id = first.id();
    StoreIdentity other =
        new StoreIdentity(
            id.substring(0, id.length() - 1) + (id.endsWith("0") ? "1" : "0"), first.created());
    try (CheckpointStore store = open(folder)) {
      commit(store, "step-1");

      // Rewritten in place, keeping its size and time: the same file, unchanged as far as a stat
      // can tell, so the identity read before stands.
      Files.write(marker, other.encode());
      Files.setLastModifiedTime(marker, settled);
      assertThat(commit(store, "step-2").name()).isEqualTo("step-2");

      // Its time changed: read again, and found to be another store's.
      Files.setLastModifiedTime(marker, FileTime.from(Instant.now()));
      assertThatThrownBy(() -> commit(store, "step-3"))
          .isInstanceOf(StoreUnreachableException.class)
          .hasMessageContaining("holds store " + other);

      // Another file (another volume's marker) with the same size and time as the one read: read.
      replace(marker, first, settled);
      assertThat(commit(store, "step-3").name()).isEqualTo("step-3");
      replace(marker, other, settled);
      assertThatThrownBy(() -> commit(store, "step-4"))
          .isInstanceOf(StoreUnreachableException.class)
          .hasMessageContaining("holds store " + other);
    }
  }

  private void replace(Path marker, StoreIdentity with, FileTime modified) throws Exception {
    Path file = Files.write(tmp.resolve("replacement"), with.encode());
    Files.setLastModifiedTime(file, modified);
    Files.move(file, marker, StandardCopyOption.REPLACE_EXISTING);
  }

  @Test
  void aFileThatIsNotAMarkerIsRefused() throws Exception {
    Path folder = Files.createDirectories(tmp.resolve("ckpt"));
    Files.writeString(folder.resolve(FsStoreRoot.MARKER), "{\"id\": \"x\"}");
    try (CheckpointStore store = open(folder)) {
      assertThatThrownBy(() -> commit(store, "step-1"))
          .isInstanceOf(StoreUnreachableException.class)
          .hasMessageContaining("is not a store marker");
    }
  }
}
