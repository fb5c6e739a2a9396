package io.tern.checkpoint.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tern.checkpoint.AttemptFence;
import io.tern.checkpoint.CheckpointStore;
import io.tern.checkpoint.CheckpointStoreSettings;
import io.tern.checkpoint.Trees;
import io.tern.checkpoint.fs.FsCheckpointStore;
import io.tern.checkpoint.s3.S3CheckpointStore;
import io.tern.checkpoint.s3.S3ProxyServer;
import io.tern.testing.TestClock;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.services.s3.S3Client;

class CheckpointStoreLocationTest {

  @TempDir Path tmp;
  private final CheckpointStoreSettings settings =
      CheckpointStoreSettings.of(2, new TestClock(Instant.parse("2026-11-23T06:00:00Z")));

  @Test
  void aPathOrAFileUriOpensTheFilesystemStore() throws Exception {
    for (String location : new String[] {tmp.toString(), tmp.toUri().toString()}) {
      try (CheckpointStore store = CheckpointStoreLocation.parse(location).open(settings)) {
        assertThat(store).isInstanceOf(FsCheckpointStore.class);
        assertThat(((FsCheckpointStore) store).root()).isEqualTo(tmp);
        assertThat(store.marker()).isPresent();
      }
    }
  }

  /** As an agent opens it: a missing folder is not made (it may be a volume not mounted). */
  @Test
  void aFileStoreWhoseDirectoryIsMissingIsNotMade() throws Exception {
    Path missing = tmp.resolve("not/yet");
    try (CheckpointStore store = CheckpointStoreLocation.parse(missing.toString()).open(settings)) {
      assertThatThrownBy(() -> store.list("job-000001"))
          .isInstanceOf(io.tern.checkpoint.StoreUnreachableException.class);
      assertThat(tmp.resolve("not")).doesNotExist();
      CheckpointStoreLocation.parse(missing.toString()).initialise(settings.clock());
      assertThat(store.list("job-000001")).isEmpty();
    }
  }

  @Test
  void aFileLocationMayCarryAQuota() throws Exception {
    Path folder = tmp.resolve("store");
    String location = folder.toUri() + "?quota=2KiB";
    assertThat(CheckpointStoreLocation.parse(location).path()).isEqualTo(folder);
    CheckpointStoreLocation.parse(location).initialise(settings.clock());
    try (CheckpointStore store = CheckpointStoreLocation.parse(location).open(settings)) {
      Path big = Trees.write(tmp.resolve("local"), Map.of("state", "x".repeat(4000)));
      assertThatThrownBy(
              () -> store.commit("job-1", new AttemptFence(1, 0), big, "c1", OptionalLong.empty()))
          .isInstanceOf(io.tern.checkpoint.CheckpointStoreFullException.class);
    }
    assertThat(CheckpointStoreLocation.parseSize("64k")).isEqualTo(65_536);
    assertThat(CheckpointStoreLocation.parseSize("10MiB")).isEqualTo(10L << 20);
    assertThat(CheckpointStoreLocation.parseSize("123")).isEqualTo(123);
    assertThatThrownBy(() -> CheckpointStoreLocation.parse(tmp.toUri() + "?quota=lots"))
        .hasMessageContaining("quota");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "relative/path",
        "http://x/y",
        "s3:///no-bucket",
        "s3://b/p?colour=red",
        "file:///x?y=1"
      })
  void badLocationsAreRefusedWithAReason(String bad) {
    assertThatThrownBy(() -> CheckpointStoreLocation.parse(bad))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("location");
  }

  @Test
  void anS3LocationWithAnEndpointTalksToThatServer() throws Exception {
    try (S3ProxyServer server = S3ProxyServer.transientStore();
        S3Client admin = server.client()) {
      admin.createBucket(b -> b.bucket("ckpts"));
      String location = "s3://ckpts/team-a/prod?endpoint=" + server.endpoint() + "&checksums=false";
      try (CheckpointStore store =
          CheckpointStoreLocation.parse(location)
              .open(
                  settings,
                  StaticCredentialsProvider.create(
                      AwsBasicCredentials.create("tern-access", "tern-secret")))) {
        assertThat(store).isInstanceOf(S3CheckpointStore.class);
        assertThat(store.marker()).as("S3 stores keep no marker").isEmpty();
        Path local = Trees.write(tmp.resolve("local"), Map.of("state", "s"));
        store.commit("job-1", new AttemptFence(1, 0), local, "c1", OptionalLong.empty());
      }
      assertThat(
              admin
                  .headObject(b -> b.bucket("ckpts").key("team-a/prod/job-1/a1-c1/manifest.json"))
                  .contentLength())
          .isPositive();
    }
  }
}
