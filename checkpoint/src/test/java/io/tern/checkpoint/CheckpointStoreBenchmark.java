package io.tern.checkpoint;

import io.tern.checkpoint.fs.FsCheckpointStore;
import io.tern.checkpoint.s3.S3CheckpointStore;
import io.tern.checkpoint.s3.S3ProxyServer;
import io.tern.checkpoint.s3.S3StoreConfig;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Commit throughput and restore+verify time for a ~256 MiB checkpoint on each store. A benchmark,
 * not a test: excluded from the default run. Run it with
 *
 * <pre>./mvnw -B -o -pl checkpoint test -Dspotless.check.skip=true -Dgroups=benchmark
 *   -DexcludedGroups= -Dtest=CheckpointStoreBenchmark -Dsurefire.failIfNoSpecifiedTests=false</pre>
 *
 * and read {@code checkpoint/target/checkpoint-benchmark.txt}.
 */
@Tag("benchmark")
class CheckpointStoreBenchmark {

  private static final int MIB = 1 << 20;
  private static final int ROUNDS = 3;

  @TempDir Path tmp;

  private int runs;

  @Test
  void measure() throws Exception {
    Path local = Files.createDirectories(tmp.resolve("local"));
    Random random = new Random(1);
    byte[] shard = new byte[60 * MIB];
    for (int i = 0; i < 4; i++) {
      random.nextBytes(shard);
      Files.write(
          Files.createDirectories(local.resolve("model")).resolve("shard-" + i + ".bin"), shard);
    }
    byte[] small = new byte[64 * 1024];
    for (int i = 0; i < 256; i++) {
      random.nextBytes(small);
      Files.write(
          Files.createDirectories(local.resolve("optimizer")).resolve("state-" + i + ".bin"),
          small);
    }
    long bytes = CheckpointSource.scan(local, CheckpointLimits.DEFAULT).totalBytes();

    List<String> report = new ArrayList<>();
    report.add(
        String.format(
            Locale.ROOT,
            "checkpoint: %.1f MiB in 260 files (4 x 60 MiB + 256 x 64 KiB); %d rounds, best and median",
            bytes / (double) MIB,
            ROUNDS));
    report.add(
        String.format(
            Locale.ROOT,
            "baseline: SHA-256 of the checkpoint from page cache %.0f MB/s",
            hashOnly(local, bytes)));
    // Retention is kept out of the timed commits (keep more than the rounds): jclouds' filesystem
    // blobstore retries a delete for ~10 s on this machine, which would measure S3Proxy, not us.
    CheckpointStoreSettings settings = CheckpointStoreSettings.of(ROUNDS + 2, Clock.systemUTC());

    Path fsRoot = Files.createDirectories(tmp.resolve("fs-store"));
    report.add(
        run("fs store, fsync on ", new FsCheckpointStore(fsRoot, settings, true), local, bytes));
    Path fsRoot2 = Files.createDirectories(tmp.resolve("fs-store-nosync"));
    report.add(
        run("fs store, fsync off", new FsCheckpointStore(fsRoot2, settings, false), local, bytes));

    for (String blobstore : List.of("filesystem", "transient")) {
      try (S3ProxyServer server =
              blobstore.equals("transient")
                  ? S3ProxyServer.transientStore()
                  : S3ProxyServer.filesystemStore(Files.createDirectories(tmp.resolve("s3proxy")));
          S3Client s3 = server.client()) {
        s3.createBucket(b -> b.bucket("bench"));
        S3StoreConfig config = S3StoreConfig.of("bench", "ckpt").withSendChecksums(false);
        report.add(
            run(
                "S3Proxy " + blobstore + " blobstore, multipart >= 64 MiB",
                new S3CheckpointStore(s3, config, settings, false),
                local,
                bytes));
        S3StoreConfig single = config.withMultipart(1L << 30, 1L << 30);
        report.add(
            run(
                "S3Proxy " + blobstore + " blobstore, single PUTs",
                new S3CheckpointStore(s3, single, settings, false),
                local,
                bytes));
      }
    }
    String text = String.join("\n", report) + "\n";
    System.out.print(text);
    Files.writeString(Path.of("target", "checkpoint-benchmark.txt"), text);
  }

  private static double hashOnly(Path local, long bytes) throws Exception {
    long start = System.nanoTime();
    for (CheckpointSource.SourceFile f :
        CheckpointSource.scan(local, CheckpointLimits.DEFAULT).files()) {
      try (InputStream in = Files.newInputStream(f.file())) {
        Sha256.copy(in, null, Long.MAX_VALUE - 1);
      }
    }
    return bytes / 1e6 / ((System.nanoTime() - start) / 1e9);
  }

  private String run(String label, CheckpointStore store, Path local, long bytes) throws Exception {
    List<Double> commitMbps = new ArrayList<>();
    List<Double> restoreSeconds = new ArrayList<>();
    String job = "bench-" + runs++;
    try (store) {
      for (int round = 0; round < ROUNDS + 1; round++) {
        long t0 = System.nanoTime();
        store.commit(job, new AttemptFence(1, 0), local, "round-" + round, OptionalLong.of(round));
        // (no retention runs here: settings keep every round)
        long t1 = System.nanoTime();
        Path target = tmp.resolve("restore-" + label.hashCode() + "-" + round);
        RestoreResult r = store.restoreLatest(job, target);
        long t2 = System.nanoTime();
        if (r.restored().isEmpty() || !r.skipped().isEmpty()) {
          throw new AssertionError("restore failed: " + r);
        }
        deleteTree(target);
        if (round > 0) { // round 0 warms up the JIT and the page cache
          commitMbps.add(bytes / 1e6 / ((t1 - t0) / 1e9));
          restoreSeconds.add((t2 - t1) / 1e9);
        }
      }
    }
    return String.format(
        Locale.ROOT,
        "%-58s commit %6.0f MB/s (median %6.0f)   restore+verify %5.2f s (median %5.2f) = %6.0f MB/s",
        label,
        max(commitMbps),
        median(commitMbps),
        min(restoreSeconds),
        median(restoreSeconds),
        bytes / 1e6 / min(restoreSeconds));
  }

  private static void deleteTree(Path p) throws Exception {
    try (var walk = Files.walk(p)) {
      for (Path x : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(x);
      }
    }
  }

  private static double max(List<Double> v) {
    return v.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
  }

  private static double min(List<Double> v) {
    return v.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
  }

  private static double median(List<Double> v) {
    return v.stream().sorted().toList().get(v.size() / 2);
  }
}
