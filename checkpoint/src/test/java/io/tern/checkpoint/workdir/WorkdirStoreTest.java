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
import java.time.Clock;
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
      assertThat(store.has(digest)).isFalse();
      assertThat(store.put(digest, archive)).isTrue();
      assertThat(store.has(digest)).isTrue();
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
}
