package io.tern.checkpoint.fs;

import static org.assertj.core.api.Assertions.assertThat;

import io.tern.checkpoint.CheckpointStore;
import io.tern.checkpoint.CheckpointStoreContract;
import io.tern.checkpoint.CheckpointStoreSettings;
import io.tern.checkpoint.CommittedCheckpoint;
import io.tern.checkpoint.RestoreResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class FsCheckpointStoreTest extends CheckpointStoreContract {

  private Path root;

  @Override
  protected CheckpointStore newStore(CheckpointStoreSettings settings) throws Exception {
    if (root == null) {
      root = Files.createDirectories(tmp.resolve("store"));
    }
    return new FsCheckpointStore(root, settings);
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

  @Test
  void theLayoutIsJobNameManifestAndData() throws Exception {
    commit("step-1", Map.of("dir/f", "x"));
    assertThat(rawEntries(JOB)).containsExactly("step-1/data/dir/f", "step-1/manifest.json");
  }

  @Test
  void aLinkPlantedInTheStoreIsNotFollowedOnRestore() throws Exception {
    CommittedCheckpoint older = commit("older", Map.of("f", "old"));
    commit("newer", Map.of("f", "new"));
    Path stolen = Files.writeString(tmp.resolve("stolen"), "new");
    Path f = path(JOB, "newer", "data/f");
    Files.delete(f);
    Files.createSymbolicLink(f, stolen); // same bytes, so only the link check can catch it

    RestoreResult r = store.restoreLatest(JOB, target());
    assertThat(r.restored()).contains(older);
    assertThat(r.skipped())
        .singleElement()
        .satisfies(s -> assertThat(s.reason()).contains("symbolic link"));
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
}
