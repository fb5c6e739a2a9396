package io.tern.checkpoint.s3;

import io.tern.checkpoint.AbstractCheckpointStore;
import io.tern.checkpoint.CheckpointConflictException;
import io.tern.checkpoint.CheckpointManifest.ManifestFile;
import io.tern.checkpoint.CheckpointSource;
import io.tern.checkpoint.CheckpointStore;
import io.tern.checkpoint.CheckpointStoreSettings;
import io.tern.checkpoint.CorruptCheckpointException;
import io.tern.checkpoint.Sha256;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * A {@code CheckpointStore} in an S3-compatible bucket (AWS S3, MinIO, S3Proxy, ...):
 *
 * <pre>
 * JOBS/JOB_ID/aATTEMPT-NAME/data/RELATIVE/PATH   written first
 * JOBS/JOB_ID/aATTEMPT-NAME/manifest.json        written last: the publish step
 * JOBS/JOB_ID/.attempt-ATTEMPT                   the attempt's marker (JSON)
 * JOBS/JOB_ID/.succeeded-ATTEMPT                 the attempt's success record (empty)
 * PREFIX/workdirs/sha256-DIGEST.zip              packed working directories, shared by every cluster
 * </pre>
 *
 * where {@code JOBS} is {@code PREFIX/clusters/CLUSTER_ID} in a {@link #forCluster cluster's view},
 * and {@code PREFIX} itself for a store opened without one (the layout before cluster ids).
 *
 * <p>Readers only consider a checkpoint whose manifest object exists, and S3 makes a single PUT
 * visible whole, so the manifest PUT is the atomic publish. A commit that fails deletes what it
 * uploaded; one that crashed leaves data objects without a manifest, which restore reports and the
 * next commit's retention deletes. A delete removes the manifest first. Files over {@link
 * S3StoreConfig#multipartThresholdBytes()} go up in multipart uploads; smaller ones carry their
 * SHA-256 so the server checks them on arrival (when {@link S3StoreConfig#sendChecksums()}). A
 * marker is created with a conditional PUT ({@code If-None-Match: *}), so the first writer wins; a
 * server without conditional writes gets a check first, which leaves a window in which two writers
 * of the same attempt's marker may both write (the later one wins: same attempt, and at worst a
 * higher fence sequence).
 */
public final class S3CheckpointStore extends AbstractCheckpointStore {

  private static final Logger log = LoggerFactory.getLogger(S3CheckpointStore.class);

  private final S3Client s3;
  private final S3StoreConfig config;
  private final boolean ownsClient;
  private final S3Uploader uploader;
  private final String jobsPrefix;

  /**
   * @param s3 a client for the bucket's endpoint (see {@link S3Clients})
   * @param ownsClient whether {@link #close()} closes {@code s3}
   */
  public S3CheckpointStore(
      S3Client s3, S3StoreConfig config, CheckpointStoreSettings settings, boolean ownsClient) {
    super(settings);
    this.s3 = Objects.requireNonNull(s3, "s3");
    this.config = Objects.requireNonNull(config, "config");
    this.ownsClient = ownsClient;
    this.uploader = new S3Uploader(s3, config, settings.sourceOpener());
    this.jobsPrefix = config.keyPrefix();
  }

  /** {@code store}'s view of the jobs under {@code jobsPrefix}, on its client. */
  private S3CheckpointStore(S3CheckpointStore store, String jobsPrefix) {
    super(store.settings);
    this.s3 = store.s3;
    this.config = store.config;
    this.ownsClient = false;
    this.uploader = store.uploader;
    this.jobsPrefix = jobsPrefix;
  }

  @Override
  public io.tern.checkpoint.workdir.WorkdirStore workdirs() {
    return new io.tern.checkpoint.workdir.S3WorkdirStore(s3, config);
  }

  @Override
  protected CheckpointStore clusterView(String clusterId) {
    return new S3CheckpointStore(this, config.keyPrefix() + CLUSTERS + "/" + clusterId + "/");
  }

  private String jobPrefix(String jobId) {
    return jobsPrefix + jobId + "/";
  }

  private String checkpointPrefix(String jobId, String name) {
    return jobPrefix(jobId) + name + "/";
  }

  private String manifestKey(String jobId, String name) {
    return checkpointPrefix(jobId, name) + "manifest.json";
  }

  private String dataKey(String jobId, String name, String path) {
    return checkpointPrefix(jobId, name) + "data/" + path;
  }

  private static final String MARKER_PREFIX = ".attempt-";

  private String markerKey(String jobId, int attempt) {
    return jobPrefix(jobId) + MARKER_PREFIX + attempt;
  }

  @Override
  protected Map<Integer, byte[]> readMarkers(String jobId) throws IOException {
    String prefix = jobPrefix(jobId) + MARKER_PREFIX;
    Map<Integer, byte[]> markers = new TreeMap<>();
    try {
      for (S3Object o :
          s3.listObjectsV2Paginator(b -> b.bucket(config.bucket()).prefix(prefix)).contents()) {
        String n = o.key().substring(prefix.length());
        if (!n.matches("[1-9][0-9]{0,8}")) {
          continue;
        }
        try (ResponseInputStream<GetObjectResponse> in =
            s3.getObject(b -> b.bucket(config.bucket()).key(o.key()))) {
          markers.put(Integer.valueOf(n), in.readNBytes(MAX_MARKER_BYTES + 1));
          in.abort();
        } catch (NoSuchKeyException e) {
          // pruned meanwhile
        }
      }
    } catch (SdkException e) {
      throw new IOException("cannot read attempt markers under " + prefix, e);
    }
    return markers;
  }

  @Override
  protected void createMarker(String jobId, int attempt, byte[] marker) throws IOException {
    String key = markerKey(jobId, attempt);
    try {
      s3.putObject(
          b -> b.bucket(config.bucket()).key(key).contentType("application/json").ifNoneMatch("*"),
          RequestBody.fromBytes(marker));
    } catch (S3Exception e) {
      if (e.statusCode() == 412 || e.statusCode() == 409) {
        return; // there is one: the first writer wins
      }
      if (e.statusCode() != 501 && e.statusCode() != 400) {
        throw new IOException("cannot write " + key, e);
      }
      // No conditional writes on this server: check, then write.
      try {
        if (!exists(key)) {
          s3.putObject(
              b -> b.bucket(config.bucket()).key(key).contentType("application/json"),
              RequestBody.fromBytes(marker));
        }
      } catch (SdkException again) {
        throw new IOException("cannot write " + key, again);
      }
    } catch (SdkException e) {
      throw new IOException("cannot write " + key, e);
    }
  }

  @Override
  protected void deleteMarker(String jobId, int attempt) throws IOException {
    String key = markerKey(jobId, attempt);
    try {
      s3.deleteObject(b -> b.bucket(config.bucket()).key(key));
    } catch (SdkException e) {
      throw new IOException("cannot delete " + key, e);
    }
  }

  private static final String SUCCESS_PREFIX = ".succeeded-";

  @Override
  protected Set<Integer> readSuccessRecords(String jobId) throws IOException {
    String prefix = jobPrefix(jobId) + SUCCESS_PREFIX;
    Set<Integer> attempts = new TreeSet<>();
    try {
      for (S3Object o :
          s3.listObjectsV2Paginator(b -> b.bucket(config.bucket()).prefix(prefix)).contents()) {
        String n = o.key().substring(prefix.length());
        if (n.matches("[1-9][0-9]{0,8}")) {
          attempts.add(Integer.valueOf(n));
        }
      }
    } catch (SdkException e) {
      throw new IOException("cannot read success records under " + prefix, e);
    }
    return attempts;
  }

  @Override
  protected void createSuccessRecord(String jobId, int attempt) throws IOException {
    String key = jobPrefix(jobId) + SUCCESS_PREFIX + attempt;
    try {
      s3.putObject(b -> b.bucket(config.bucket()).key(key), RequestBody.fromBytes(new byte[0]));
    } catch (SdkException e) {
      throw new IOException("cannot write " + key, e);
    }
  }

  @Override
  protected void deleteSuccessRecord(String jobId, int attempt) throws IOException {
    String key = jobPrefix(jobId) + SUCCESS_PREFIX + attempt;
    try {
      s3.deleteObject(b -> b.bucket(config.bucket()).key(key));
    } catch (SdkException e) {
      throw new IOException("cannot delete " + key, e);
    }
  }

  @Override
  protected List<String> listNames(String jobId) throws IOException {
    String prefix = jobPrefix(jobId);
    try {
      List<String> names = new ArrayList<>();
      for (CommonPrefix p :
          s3.listObjectsV2Paginator(b -> b.bucket(config.bucket()).prefix(prefix).delimiter("/"))
              .commonPrefixes()) {
        String rest = p.prefix().substring(prefix.length());
        names.add(rest.endsWith("/") ? rest.substring(0, rest.length() - 1) : rest);
      }
      return names;
    } catch (SdkException e) {
      throw new IOException("cannot list " + prefix + " in " + config.bucket(), e);
    }
  }

  @Override
  protected Optional<byte[]> readManifest(String jobId, String name) throws IOException {
    String key = manifestKey(jobId, name);
    int max = settings.limits().maxManifestBytes();
    try (ResponseInputStream<GetObjectResponse> in =
        s3.getObject(b -> b.bucket(config.bucket()).key(key))) {
      Long length = in.response().contentLength();
      if (length != null && length > max) {
        in.abort();
        throw new CorruptCheckpointException("manifest is larger than the limit");
      }
      byte[] bytes = in.readNBytes(max + 1);
      if (bytes.length > max) {
        in.abort();
        throw new CorruptCheckpointException("manifest is larger than the limit");
      }
      return Optional.of(bytes);
    } catch (NoSuchKeyException e) {
      return Optional.empty();
    } catch (SdkException e) {
      throw new IOException("cannot read " + key, e);
    }
  }

  @Override
  protected InputStream openStored(String jobId, String name, String path) throws IOException {
    String key = dataKey(jobId, name, path);
    try {
      return s3.getObject(b -> b.bucket(config.bucket()).key(key));
    } catch (NoSuchKeyException e) {
      throw new NoSuchFileException(key);
    } catch (SdkException e) {
      throw new IOException("cannot read " + key, e);
    }
  }

  @Override
  protected Staging stage(String jobId, String name, CheckpointSource source) throws IOException {
    // Leftovers of a crashed commit under this name would otherwise linger beside the new files.
    deleteObjects(checkpointPrefix(jobId, name));
    List<String> uploaded = new ArrayList<>();
    List<ManifestFile> files = new ArrayList<>();
    try {
      for (CheckpointSource.SourceFile f : source.files()) {
        String key = dataKey(jobId, name, f.path());
        uploaded.add(key);
        files.add(uploader.upload(f, key, settings.limits().maxFileBytes()));
      }
    } catch (SdkException e) {
      deleteQuietly(uploaded);
      throw new IOException("upload failed: " + e.getMessage(), e);
    } catch (IOException | RuntimeException e) {
      deleteQuietly(uploaded);
      throw e;
    }
    String manifestKey = manifestKey(jobId, name);
    return new Staging() {
      @Override
      public List<ManifestFile> files() {
        return files;
      }

      @Override
      public void publish(byte[] manifest) throws IOException {
        try {
          if (exists(manifestKey)) {
            throw new CheckpointConflictException(
                "checkpoint " + jobId + "/" + name + " was committed concurrently");
          }
          s3.putObject(
              b -> {
                b.bucket(config.bucket()).key(manifestKey).contentType("application/json");
                if (config.sendChecksums()) {
                  b.checksumSHA256(Base64.getEncoder().encodeToString(sha256(manifest)));
                }
              },
              RequestBody.fromBytes(manifest));
        } catch (SdkException e) {
          throw new IOException("cannot publish " + manifestKey, e);
        }
      }

      @Override
      public void abort() {
        deleteQuietly(uploaded);
      }
    };
  }

  @Override
  protected boolean deleteStored(String jobId, String name) throws IOException {
    String manifestKey = manifestKey(jobId, name);
    try {
      boolean had = exists(manifestKey);
      if (had) {
        s3.deleteObject(b -> b.bucket(config.bucket()).key(manifestKey));
      }
      return deleteObjects(checkpointPrefix(jobId, name)) > 0 || had;
    } catch (SdkException e) {
      throw new IOException("cannot delete " + checkpointPrefix(jobId, name), e);
    }
  }

  private boolean exists(String key) {
    try {
      s3.headObject(b -> b.bucket(config.bucket()).key(key));
      return true;
    } catch (NoSuchKeyException e) {
      return false;
    } catch (S3Exception e) {
      if (e.statusCode() == 404) {
        return false;
      }
      throw e;
    }
  }

  /**
   * Deletes every object under {@code prefix}, one request each: DeleteObjects needs a Content-MD5
   * that newer SDKs replace with CRC checksums, which some S3-compatible servers refuse.
   */
  private int deleteObjects(String prefix) throws IOException {
    int n = 0;
    try {
      for (S3Object o :
          s3.listObjectsV2Paginator(b -> b.bucket(config.bucket()).prefix(prefix)).contents()) {
        s3.deleteObject(b -> b.bucket(config.bucket()).key(o.key()));
        n++;
      }
    } catch (SdkException e) {
      throw new IOException("cannot delete objects under " + prefix, e);
    }
    return n;
  }

  private void deleteQuietly(List<String> keys) {
    for (String key : keys) {
      try {
        s3.deleteObject(b -> b.bucket(config.bucket()).key(key));
      } catch (SdkException | UncheckedIOException e) {
        log.warn("could not delete {} after a failed commit; retention will", key, e);
      }
    }
  }

  static byte[] sha256(byte[] data) {
    return Sha256.newDigest().digest(data);
  }

  static byte[] hexToBytes(String hex) {
    return HexFormat.of().parseHex(hex);
  }

  @Override
  public void close() {
    if (ownsClient) {
      s3.close();
    }
  }
}
