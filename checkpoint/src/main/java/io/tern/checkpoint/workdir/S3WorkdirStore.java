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
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
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

  @Override
  public boolean has(String digest) throws IOException {
    try {
      s3.headObject(b -> b.bucket(config.bucket()).key(key(digest)));
      return true;
    } catch (NoSuchKeyException e) {
      return false;
    } catch (S3Exception e) {
      if (e.statusCode() == 404) {
        return false;
      }
      throw new IOException("cannot look up " + key(digest) + " in " + config.bucket(), e);
    } catch (SdkException e) {
      throw new IOException("cannot look up " + key(digest) + " in " + config.bucket(), e);
    }
  }

  @Override
  public boolean put(String digest, Path archive) throws IOException {
    if (has(digest)) {
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
