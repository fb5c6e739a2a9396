package io.tern.checkpoint.s3;

import static org.assertj.core.api.Assertions.assertThat;

import io.tern.checkpoint.AttemptFence;
import io.tern.checkpoint.CheckpointStore;
import io.tern.checkpoint.CheckpointStoreContract;
import io.tern.checkpoint.CheckpointStoreSettings;
import io.tern.checkpoint.CommittedCheckpoint;
import io.tern.checkpoint.RestoreResult;
import io.tern.checkpoint.Trees;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

class S3CheckpointStoreTest extends CheckpointStoreContract {

  private static final String BUCKET = "tern-checkpoints";
  private static final String PREFIX = "cluster-a/checkpoints";
  private static S3ProxyServer server;
  private static S3Client s3;
  private static int buckets;
  private String bucket;
  private S3StoreConfig config;

  @BeforeAll
  static void startS3Proxy() throws Exception {
    server = S3ProxyServer.transientStore();
    s3 = server.client();
  }

  @AfterAll
  static void stopS3Proxy() throws Exception {
    s3.close();
    server.close();
  }

  @Override
  protected CheckpointStore newStore(CheckpointStoreSettings settings) {
    if (bucket == null) {
      bucket = BUCKET + "-" + buckets++;
      s3.createBucket(b -> b.bucket(bucket));
      config = S3StoreConfig.of(bucket, "/" + PREFIX + "/").withSendChecksums(false);
    }
    return new S3CheckpointStore(s3, config, settings, false);
  }

  private String key(String jobId, String name, String key) {
    return PREFIX + "/" + jobId + "/" + name + "/" + key;
  }

  @Override
  protected byte[] readRaw(String jobId, String name, String key) {
    return s3.getObjectAsBytes(b -> b.bucket(bucket).key(key(jobId, name, key))).asByteArray();
  }

  @Override
  protected void writeRaw(String jobId, String name, String key, byte[] bytes) {
    s3.putObject(b -> b.bucket(bucket).key(key(jobId, name, key)), RequestBody.fromBytes(bytes));
  }

  @Override
  protected void deleteRaw(String jobId, String name, String key) {
    s3.deleteObject(b -> b.bucket(bucket).key(key(jobId, name, key)));
  }

  @Override
  protected List<String> rawEntries(String jobId) {
    String prefix = PREFIX + "/" + jobId + "/";
    return s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix)).contents().stream()
        .map(S3Object::key)
        .map(k -> k.substring(prefix.length()))
        .sorted()
        .toList();
  }

  @Test
  void theLayoutIsPrefixJobNameManifestAndData() throws Exception {
    commit("step-1", Map.of("dir/f", "x"));
    assertThat(rawEntries(JOB))
        .containsExactly(".attempt-1", "a1-step-1/data/dir/f", "a1-step-1/manifest.json");
  }

  @Test
  void dataWithoutAManifestIsNotACheckpointButIsReportedAndSwept() throws Exception {
    CommittedCheckpoint good = commit("good", Map.of("f", "1"));
    writeRaw(
        JOB,
        key("crashed"),
        "data/f",
        new byte[] {1, 2, 3}); // a commit that died before publishing

    assertThat(store.list(JOB)).containsExactly(good);
    RestoreResult r = store.restoreLatest(JOB, target());
    assertThat(r.restored()).contains(good);
    assertThat(r.skipped())
        .singleElement()
        .satisfies(s -> assertThat(s.name()).isEqualTo("crashed"));

    commit("next", Map.of("f", "2"));
    assertThat(rawEntries(JOB)).noneMatch(e -> e.startsWith("a1-crashed/"));
  }

  @Test
  void largeFilesGoUpInMultipartUploadsAndComeBackIntact() throws Exception {
    store.close();
    config = config.withMultipart(5 * S3StoreConfig.MIB, 5 * S3StoreConfig.MIB);
    store = new S3CheckpointStore(s3, config, CheckpointStoreSettings.of(3, clock), false);
    Path local = Files.createDirectories(tmp.resolve("big"));
    byte[] data = new byte[12 * 1024 * 1024 + 17];
    new Random(7).nextBytes(data);
    Files.write(local.resolve("weights.bin"), data);
    Files.writeString(local.resolve("small"), "s");

    CommittedCheckpoint c =
        store.commit(JOB, new AttemptFence(1, 0), local, "big", OptionalLong.empty());
    assertThat(c.sizeBytes()).isEqualTo(data.length + 1);
    Path target = target();
    assertThat(store.restoreLatest(JOB, target).restored()).contains(c);
    assertThat(Files.readAllBytes(target.resolve("weights.bin"))).isEqualTo(data);
    assertThat(Trees.read(target)).containsEntry("small", "s");
  }
}
