package io.tern.checkpoint.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.tern.checkpoint.CheckpointStore;
import io.tern.checkpoint.CheckpointStoreContract;
import io.tern.checkpoint.CheckpointStoreFullException;
import io.tern.checkpoint.CheckpointStoreSettings;
import io.tern.checkpoint.CommittedCheckpoint;
import io.tern.checkpoint.CorruptCheckpointException;
import io.tern.checkpoint.RestoreResult;
import io.tern.checkpoint.Trees;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class FsCheckpointStoreTest extends CheckpointStoreContract {

  private Path root;

  @Override
  protected CheckpointStore newStore(CheckpointStoreSettings settings) throws Exception {
    return new FsCheckpointStore(storeFolder(), settings);
  }

  /** The store's folder, made at the first call. */
  protected Path storeFolder() throws java.io.IOException {
    if (root == null) {
      root = Files.createDirectories(tmp.resolve("store"));
    }
    return root;
  }

  private Path path(String jobId, String name, String key) {
    return root.resolve(jobId).resolve(name).resolve(key);
  }

  @Override
  protected byte[] readRaw(String jobId, String name, String key) throws Exception {
    return Files.readAllBytes(path(jobId, name, key));
  }

  @Override
  protected void writeRaw(String jobId, String name, String key, byte[] bytes) throws Exception {
    Files.write(path(jobId, name, key), bytes);
  }

  @Override
  protected void deleteRaw(String jobId, String name, String key) throws Exception {
    Files.delete(path(jobId, name, key));
  }

  @Override
  protected List<String> rawEntries(String jobId) throws Exception {
    Path jobDir = root.resolve(jobId);
    if (!Files.exists(jobDir)) {
      return List.of();
    }
    try (Stream<Path> walk = Files.walk(jobDir)) {
      return walk.filter(p -> !Files.isDirectory(p))
          .map(p -> jobDir.relativize(p).toString())
          .sorted()
          .toList();
    }
  }

  /**
   * A store whose folder is gone (an NFS volume not mounted) is not an empty store: nothing begins
   * fresh, commits or is retired there, and nothing is written in its place.
   */
  @Test
  void aStoreWhoseFolderIsGoneFailsRatherThanStartAnew() throws Exception {
    commit("step-1", Map.of("f", "1"));
    Path away = Files.move(root, tmp.resolve("unmounted"));

    for (var call :
        List.<org.assertj.core.api.ThrowableAssert.ThrowingCallable>of(
            () -> store.beginAttempt(JOB, attempt(2), Optional.of(target())),
            () -> commit("step-2", Map.of("f", "2")),
            () -> store.recordSuccess(JOB, 2),
            () -> store.successRecordFile("job-never-begun", 1),
            () -> store.retire(JOB),
            () -> store.workdirs().put("0".repeat(64), tmp.resolve("archive")))) {
      assertThatThrownBy(call)
          .isInstanceOf(io.tern.checkpoint.StoreUnreachableException.class)
          .hasMessageContaining(root.toString())
          .hasMessageMatching(".*(the checkpoint store is gone|is missing).*");
    }
    assertThat(root).doesNotExist();

    Files.move(away, root);
    assertThat(store.list(JOB)).extracting(CommittedCheckpoint::name).containsExactly("step-1");
  }

  /**
   * A checkpoint a retire cannot delete (a file it may not remove) fails the retire, so that the
   * scheduler tries again, rather than count it deleted and leave it in a hidden trash folder.
   */
  @Test
  void aRetireThatCouldNotDeleteEverythingFailsAndTheNextOneFinishes() throws Exception {
    commit("step-1", Map.of("f", "1"));
    Path pinned = root.resolve(JOB).resolve(key("step-1")).resolve("data/f");
    assumeTrue(chattr("+i", pinned), "chattr +i works here (root on a local file system)");
    try {
      assertThatThrownBy(() -> store.retire(JOB))
          .isInstanceOf(java.io.IOException.class)
          .hasMessageContaining("could not delete [.trash-" + key("step-1"));
      assertThat(store.list(JOB)).isEmpty();
    } finally {
      chattr("-i", pinned);
      try (var walk = Files.walk(root.resolve(JOB))) {
        walk.filter(p -> p.getFileName().toString().equals("f")).forEach(p -> chattr("-i", p));
      }
    }
    assertThat(store.retire(JOB)).as("nothing left to count").isZero();
    assertThat(rawEntries(JOB)).noneMatch(e -> e.startsWith(".trash-"));
  }

  private static boolean chattr(String flag, Path file) {
    try {
      return new ProcessBuilder("chattr", flag, file.toString())
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start()
              .waitFor()
          == 0;
    } catch (java.io.IOException | InterruptedException e) {
      return false;
    }
  }

  @Test
  void theLayoutIsJobNameManifestAndData() throws Exception {
    commit("step-1", Map.of("dir/f", "x"));
    assertThat(rawEntries(JOB))
        .containsExactly(".attempt-1", "a1-step-1/data/dir/f", "a1-step-1/manifest.json");
  }

  @Test
  void aLinkPlantedInTheStoreIsNotFollowedOnRestore() throws Exception {
    CommittedCheckpoint older = commit("older", Map.of("f", "old"));
    commit("newer", Map.of("f", "new"));
    Path stolen = Files.writeString(tmp.resolve("stolen"), "new");
    Path f = path(JOB, key("newer"), "data/f");
    Files.delete(f);
    Files.createSymbolicLink(f, stolen); // same bytes, so only the link check can catch it

    RestoreResult r = store.restoreLatest(JOB, target());
    assertThat(r.restored()).contains(older);
    assertThat(r.skipped())
        .singleElement()
        .satisfies(s -> assertThat(s.reason()).contains("symbolic link"));
  }

  /**
   * A genuine checkpoint elsewhere (another store, another tenant's directory) linked into this
   * store under a job or a checkpoint name: its manifest is never read, so nothing it lists is
   * trusted.
   */
  @Test
  void aCheckpointDirectoryPlantedAsALinkIsNeitherListedNorRead() throws Exception {
    CommittedCheckpoint real = commit("real", Map.of("f", "mine"));
    Path elsewhere = elsewhere(JOB, "planted");
    Files.createSymbolicLink(root.resolve(JOB).resolve(key("planted")), elsewhere);

    assertThat(store.list(JOB)).containsExactly(real);
    Path target = target();
    assertThatThrownBy(() -> store.restore(JOB, 1, "planted", target))
        .isInstanceOf(CorruptCheckpointException.class)
        .hasMessageContaining("manifest is reached through a symbolic link");
    assertThat(target).doesNotExist();
    assertThat(store.restoreLatest(JOB, target).restored()).contains(real);
  }

  @Test
  void aJobDirectoryPlantedAsALinkIsNotRead() throws Exception {
    String other = "job-7";
    Files.createSymbolicLink(root.resolve(other), elsewhere(other, "ckpt").getParent());

    assertThat(store.list(other)).isEmpty();
    Path target = target();
    assertThatThrownBy(() -> store.restore(other, 1, "ckpt", target))
        .isInstanceOf(CorruptCheckpointException.class)
        .hasMessageContaining("manifest is reached through a symbolic link");
    assertThat(store.restoreLatest(other, target).restored()).isEmpty();
    assertThat(target.resolve("f")).doesNotExist();
  }

  @Test
  void deletingPlantedLinksRemovesOnlyTheLinks() throws Exception {
    Path elsewhere = elsewhere(JOB, "planted");
    commit("real", Map.of("f", "mine"));
    Files.createSymbolicLink(root.resolve(JOB).resolve(key("planted")), elsewhere);
    String other = "job-7";
    Files.createSymbolicLink(root.resolve(other), elsewhere.getParent());

    store.delete(JOB, 1, "planted");
    store.retire(other);

    assertThat(root.resolve(JOB).resolve(key("planted"))).doesNotExist();
    assertThat(elsewhere.resolve("manifest.json")).exists();
    assertThat(elsewhere.resolve("data/f")).hasContent("theirs");
    assertThat(store.list(JOB)).extracting(CommittedCheckpoint::name).containsExactly("real");
  }

  /** A valid checkpoint {@code jobId/name} committed to another store; its directory. */
  private Path elsewhere(String jobId, String name) throws Exception {
    Path otherRoot = Files.createDirectories(tmp.resolve("other-store"));
    try (FsCheckpointStore other =
        new FsCheckpointStore(otherRoot, CheckpointStoreSettings.of(3, clock))) {
      other.commit(
          jobId,
          attempt(1),
          Trees.write(tmp.resolve("src-" + name), Map.of("f", "theirs")),
          name,
          OptionalLong.empty());
    }
    return otherRoot.toRealPath().resolve(jobId).resolve(key(name));
  }

  @Test
  void staleStagingAndTrashAreSweptButFreshStagingIsLeftAlone() throws Exception {
    Path jobDir = Files.createDirectories(root.resolve(JOB));
    Path stale = Files.createDirectories(jobDir.resolve(".staging-a-1/data"));
    Path fresh = Files.createDirectories(jobDir.resolve(".staging-b-2/data"));
    Path trash = Files.createDirectories(jobDir.resolve(".trash-c-3/data"));
    clock.set(Files.getLastModifiedTime(fresh.getParent()).toInstant());
    Files.setLastModifiedTime(
        stale.getParent(), FileTime.from(clock.instant().minus(Duration.ofHours(2))));

    commit("x", Map.of("f", "1"));
    assertThat(stale.getParent()).doesNotExist();
    assertThat(trash.getParent()).doesNotExist();
    assertThat(fresh.getParent()).exists();
    assertThat(store.list(JOB)).extracting(CommittedCheckpoint::name).containsExactly("x");
  }

  @Test
  void aCommitOverTheQuotaFailsAsAFullDiskAndMakingRoomLetsItThrough() throws Exception {
    store.close();
    FsCheckpointStore limited =
        new FsCheckpointStore(
            root, CheckpointStoreSettings.of(3, clock), true, OptionalLong.of(3500));
    store = limited;
    String kilobyte = "x".repeat(1000);
    commit("step-1", Map.of("f", kilobyte));
    CommittedCheckpoint second = commit("step-2", Map.of("f", kilobyte));

    Path third = Trees.write(tmp.resolve("third"), Map.of("f", kilobyte));
    assertThatThrownBy(() -> store.commit(JOB, attempt(1), third, "step-3", OptionalLong.empty()))
        .isInstanceOf(CheckpointStoreFullException.class)
        .hasMessageContaining("Disk quota exceeded");
    assertThat(rawEntries(JOB)).noneMatch(e -> e.contains("step-3") || e.contains(".staging"));
    assertThat(limited.usedBytes()).isLessThanOrEqualTo(3500);

    assertThat(store.makeRoom(JOB)).isEqualTo(1);
    assertThat(store.list(JOB)).containsExactly(second);
    CommittedCheckpoint committed =
        store.commit(JOB, attempt(1), third, "step-3", OptionalLong.empty());
    assertThat(store.list(JOB)).first().isEqualTo(committed);
  }

  @Test
  void aClustersJobsLiveUnderClustersIdAndItsQuotaCountsTheWholeStore() throws Exception {
    store.close();
    store =
        new FsCheckpointStore(
                root, CheckpointStoreSettings.of(3, clock), true, OptionalLong.of(2500))
            .forCluster("c-1");
    commit("step-1", Map.of("f", "x".repeat(1000)));
    assertThat(
            root.resolve("clusters/c-1")
                .resolve(JOB)
                .resolve(key("step-1"))
                .resolve("manifest.json"))
        .isRegularFile();
    assertThat(root.resolve(JOB)).doesNotExist();

    CheckpointStore other = store.forCluster("c-2");
    Path big = Trees.write(tmp.resolve("big"), Map.of("f", "y".repeat(1500)));
    assertThatThrownBy(() -> other.commit(JOB, attempt(1), big, "step-1", OptionalLong.empty()))
        .isInstanceOf(CheckpointStoreFullException.class);
  }
}
