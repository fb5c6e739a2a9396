package io.tern.checkpoint.workdir;

import io.tern.checkpoint.Sha256;
import io.tern.checkpoint.s3.S3StoreConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.MetadataDirective;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/** Archives as objects under an S3 store's key prefix ({@link WorkdirStore#key}). */
public final class S3WorkdirStore implements WorkdirStore {
  private final S3Client s3;
  private final S3StoreConfig config;

  /**
   * @param s3 the checkpoint store's client (not closed here)
   */
  public S3WorkdirStore(S3Client s3, S3StoreConfig config) {
    this.s3 = s3;
    this.config = config;
  }

  private String key(String digest) {
    return config.keyPrefix() + WorkdirStore.key(digest);
  }

  /** One request about one object: false when it is not there, else what {@code call} says. */
  private boolean onObject(String what, String key, java.util.function.BooleanSupplier call)
      throws IOException {
    try {
      return call.getAsBoolean();
    } catch (NoSuchKeyException e) {
      return false;
    } catch (S3Exception e) {
      if (e.statusCode() == 404) {
        return false;
      }
      throw new IOException("cannot " + what + " " + key + " in " + config.bucket(), e);
    } catch (SdkException e) {
      throw new IOException("cannot " + what + " " + key + " in " + config.bucket(), e);
    }
  }

  /** An object copied onto itself with its metadata replaced: S3 sets its last-modified time. */
  @Override
  public boolean keep(String digest) throws IOException {
    String key = key(digest);
    return onObject(
        "mark used",
        key,
        () -> {
          s3.copyObject(
              b ->
                  b.sourceBucket(config.bucket())
                      .sourceKey(key)
                      .destinationBucket(config.bucket())
                      .destinationKey(key)
                      .metadataDirective(MetadataDirective.REPLACE));
          return true;
        });
  }

  @Override
  public Map<String, Instant> lastUsed() throws IOException {
    String prefix = key("0".repeat(64));
    prefix = prefix.substring(0, prefix.lastIndexOf('/') + 1);
    Map<String, Instant> out = new TreeMap<>();
    String folder = prefix;
    try {
      for (var object :
          s3.listObjectsV2Paginator(b -> b.bucket(config.bucket()).prefix(folder)).contents()) {
        String digest = WorkdirStore.digestOf(object.key().substring(folder.length()));
        if (digest != null) {
          out.put(digest, object.lastModified());
        }
      }
    } catch (SdkException e) {
      throw new IOException("cannot list " + folder + " in " + config.bucket(), e);
    }
    return out;
  }

  @Override
  public boolean deleteUnusedSince(String digest, Instant before) throws IOException {
    String key = key(digest);
    return onObject(
        "delete",
        key,
        () -> {
          Instant used = s3.headObject(b -> b.bucket(config.bucket()).key(key)).lastModified();
          if (!used.isBefore(before)) {
            return false;
          }
          s3.deleteObject(b -> b.bucket(config.bucket()).key(key));
          return true;
        });
  }

  @Override
  public boolean put(String digest, Path archive) throws IOException {
    if (keep(digest)) {
      return false;
    }
    try {
      s3.putObject(b -> b.bucket(config.bucket()).key(key(digest)), RequestBody.fromFile(archive));
      return true;
    } catch (SdkException e) {
      throw new IOException("cannot write " + key(digest) + " to " + config.bucket(), e);
    }
  }

  @Override
  public void fetch(String digest, Path target) throws IOException {
    Sha256.Digest copied;
    try (InputStream in = s3.getObject(b -> b.bucket(config.bucket()).key(key(digest)));
        OutputStream out = Files.newOutputStream(target, StandardOpenOption.CREATE_NEW)) {
      copied = Sha256.copy(in, out, Long.MAX_VALUE - 1);
    } catch (NoSuchKeyException e) {
      throw new NoSuchFileException(key(digest), null, "not in bucket " + config.bucket());
    } catch (SdkException e) {
      throw new IOException("cannot read " + key(digest) + " from " + config.bucket(), e);
    }
    FetchCheck.require(digest, copied.sha256(), target);
  }
}
