package io.tern.checkpoint.workdir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tern.checkpoint.CheckpointStoreSettings;
import io.tern.checkpoint.Sha256;
import io.tern.checkpoint.fs.FsCheckpointStore;
import io.tern.checkpoint.s3.S3CheckpointStore;
import io.tern.checkpoint.s3.S3ProxyServer;
import io.tern.checkpoint.s3.S3StoreConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

/** Both stores, through the checkpoint store that keeps them: the file system and S3 (S3Proxy). */
class WorkdirStoreTest {
  private static S3ProxyServer server;
  private static S3Client s3;

  @TempDir Path tmp;

  @BeforeAll
  static void startS3Proxy() throws Exception {
    server = S3ProxyServer.transientStore();
    s3 = server.client();
    s3.createBucket(b -> b.bucket("tern-workdirs"));
  }

  @AfterAll
  static void stopS3Proxy() throws Exception {
    s3.close();
    server.close();
  }

  private List<WorkdirStore> stores() throws Exception {
    Path root = Files.createDirectories(tmp.resolve("store"));
    return List.of(
        new FsCheckpointStore(root, CheckpointStoreSettings.of(3, Clock.systemUTC())).workdirs(),
        new S3CheckpointStore(
                s3,
                S3StoreConfig.of("tern-workdirs", "/team-a/" + tmp.getFileName() + "/")
                    .withSendChecksums(false),
                CheckpointStoreSettings.of(3, Clock.systemUTC()),
                false)
            .workdirs());
  }

  @Test
  void putsOnceAndFetchesVerified() throws Exception {
    Path archive = tmp.resolve("a.zip");
    Files.writeString(archive, "not really a zip, but bytes");
    String digest = Sha256.of(Files.readAllBytes(archive));
    int n = 0;
    for (WorkdirStore store : stores()) {
      assertThat(store.lastUsed()).doesNotContainKey(digest);
      assertThat(store.put(digest, archive)).isTrue();
      assertThat(store.lastUsed()).containsKey(digest);
      assertThat(store.put(digest, archive)).as("a second put writes nothing").isFalse();
      Path copy = tmp.resolve("copy-" + n++);
      store.fetch(digest, copy);
      assertThat(Files.readString(copy)).isEqualTo("not really a zip, but bytes");
      assertThatThrownBy(() -> store.fetch("0".repeat(64), tmp.resolve("missing")))
          .isInstanceOf(NoSuchFileException.class);
    }
    assertThat(tmp.resolve("store").resolve(WorkdirStore.key(digest))).exists();
  }

  @Test
  void refusesACopyWhoseBytesAreNotTheDigest() throws Exception {
    Path archive = tmp.resolve("b.zip");
    Files.write(archive, "bytes".getBytes(StandardCharsets.UTF_8));
    String wrong = "1".repeat(64);
    for (WorkdirStore store : stores()) {
      store.put(wrong, archive);
      Path copy = tmp.resolve("copy-" + store.getClass().getSimpleName());
      assertThatThrownBy(() -> store.fetch(wrong, copy)).hasMessageContaining("damaged");
      assertThat(copy).doesNotExist();
    }
  }

  /**
   * What a prune relies on: the archives with the time each was last used, a delete that looks at
   * that time again, and {@code keep}, which leaves the archive whole.
   */
  @Test
  void anArchiveIsDeletedOnlyWhenUnusedSinceTheInstantGiven() throws Exception {
    Path archive = tmp.resolve("c.zip");
    Files.writeString(archive, "code");
    String digest = Sha256.of(Files.readAllBytes(archive));
    int n = 0;
    for (WorkdirStore store : stores()) {
      assertThat(store.keep(digest)).as("not held").isFalse();
      assertThat(store.lastUsed()).isEmpty();
      store.put(digest, archive);
      Instant written = store.lastUsed().get(digest);
      assertThat(store.lastUsed()).containsOnlyKeys(digest);

      assertThat(store.deleteUnusedSince(digest, written)).as("used at that instant").isFalse();
      assertThat(store.keep(digest)).isTrue();
      Path copy = tmp.resolve("kept-" + n++);
      store.fetch(digest, copy);
      assertThat(Files.readString(copy)).as("whole after keep").isEqualTo("code");

      assertThat(store.deleteUnusedSince(digest, Instant.now().plusSeconds(60))).isTrue();
      assertThat(store.lastUsed()).doesNotContainKey(digest);
      assertThat(store.lastUsed()).isEmpty();
      assertThat(store.deleteUnusedSince(digest, Instant.MAX)).as("gone already").isFalse();
    }
  }

  @Test
  void keepAndASecondPutMarkTheArchiveUsedNow() throws Exception {
    Path archive = tmp.resolve("d.zip");
    Files.writeString(archive, "old code");
    String digest = Sha256.of(Files.readAllBytes(archive));
    WorkdirStore store = stores().get(0);
    store.put(digest, archive);
    Path file = tmp.resolve("store").resolve(WorkdirStore.key(digest));
    Instant longAgo = Instant.parse("2020-01-01T00:00:00Z");
    Instant before = Instant.now().minusSeconds(1);

    Files.setLastModifiedTime(file, FileTime.from(longAgo));
    assertThat(store.lastUsed()).containsEntry(digest, longAgo);
    assertThat(store.keep(digest)).isTrue();
    assertThat(store.lastUsed().get(digest)).isAfter(before);

    Files.setLastModifiedTime(file, FileTime.from(longAgo));
    assertThat(store.put(digest, archive)).as("held: nothing written").isFalse();
    assertThat(store.lastUsed().get(digest)).isAfter(before);

    Path folder = file.resolveSibling("sha256-" + "1".repeat(64) + ".zip");
    Files.createDirectories(folder.resolve("sub"));
    assertThat(store.lastUsed())
        .as("a folder named like an archive is none")
        .containsOnlyKeys(digest);
  }

  @Test
  void aPutRemovesTheTemporaryFilesOfUploadsAKilledProcessLeft() throws Exception {
    WorkdirStore store = stores().get(0);
    Path dir = Files.createDirectories(tmp.resolve("store").resolve("workdirs"));
    Path stale = Files.writeString(dir.resolve(".upload-1.tmp"), "half an archive");
    Files.setLastModifiedTime(
        stale, FileTime.from(Instant.now().minus(FsWorkdirStore.STALE_UPLOAD).minusSeconds(60)));
    Path recent = Files.writeString(dir.resolve(".upload-2.tmp"), "an upload going on");
    Path archive = Files.writeString(tmp.resolve("e.zip"), "new code");

    store.put(Sha256.of(Files.readAllBytes(archive)), archive);

    assertThat(stale).doesNotExist();
    assertThat(recent).exists();
  }

  @Test
  void onlyArchiveNamesAreDigests() {
    assertThat(WorkdirStore.digestOf("sha256-" + "ab".repeat(32) + ".zip"))
        .isEqualTo("ab".repeat(32));
    assertThat(WorkdirStore.digestOf("sha256-" + "AB".repeat(32) + ".zip")).isNull();
    assertThat(WorkdirStore.digestOf(".upload-123.tmp")).isNull();
    assertThat(WorkdirStore.digestOf("sha256-abc.zip")).isNull();
  }
}
