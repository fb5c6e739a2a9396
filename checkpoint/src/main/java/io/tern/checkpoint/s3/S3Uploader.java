package io.tern.checkpoint.s3;

import io.tern.checkpoint.CheckpointManifest.ManifestFile;
import io.tern.checkpoint.CheckpointSource.SourceFile;
import io.tern.checkpoint.InvalidCheckpointException;
import io.tern.checkpoint.Sha256;
import io.tern.checkpoint.SourceOpener;
import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

/**
 * Uploads one local file: hashes it first (the manifest records what was read), then sends it in
 * one PUT carrying that SHA-256, or in a multipart upload when it is large.
 */
final class S3Uploader {

  private static final String OCTETS = "application/octet-stream";
  private static final int BUFFER = 256 * 1024;

  private final S3Client s3;
  private final S3StoreConfig config;
  private final SourceOpener opener;

  S3Uploader(S3Client s3, S3StoreConfig config, SourceOpener opener) {
    this.s3 = s3;
    this.config = config;
    this.opener = opener;
  }

  ManifestFile upload(SourceFile f, String key, long maxFileBytes) throws IOException {
    Sha256.Digest digest;
    try (InputStream in = opener.open(f.file())) {
      digest = Sha256.copy(in, null, maxFileBytes);
    }
    if (digest.size() > maxFileBytes) {
      throw new InvalidCheckpointException(f.path() + " grew over the limit");
    }
    long size = digest.size();
    if (size >= config.multipartThresholdBytes()) {
      multipart(f, key, size);
    } else {
      String checksum =
          Base64.getEncoder().encodeToString(S3CheckpointStore.hexToBytes(digest.sha256()));
      s3.putObject(
          b -> {
            b.bucket(config.bucket()).key(key).contentType(OCTETS).contentLength(size);
            if (config.sendChecksums()) {
              b.checksumSHA256(checksum);
            }
          },
          RequestBody.fromContentProvider(range(f, 0, size), size, OCTETS));
    }
    return new ManifestFile(f.path(), size, digest.sha256());
  }

  private void multipart(SourceFile f, String key, long size) {
    String uploadId =
        s3.createMultipartUpload(b -> b.bucket(config.bucket()).key(key).contentType(OCTETS))
            .uploadId();
    try {
      List<CompletedPart> parts = new ArrayList<>();
      int number = 1;
      for (long offset = 0; offset < size; offset += config.partSizeBytes(), number++) {
        long length = Math.min(config.partSizeBytes(), size - offset);
        int partNumber = number;
        UploadPartResponse r =
            s3.uploadPart(
                b ->
                    b.bucket(config.bucket())
                        .key(key)
                        .uploadId(uploadId)
                        .partNumber(partNumber)
                        .contentLength(length),
                RequestBody.fromContentProvider(range(f, offset, length), length, OCTETS));
        parts.add(CompletedPart.builder().partNumber(partNumber).eTag(r.eTag()).build());
      }
      s3.completeMultipartUpload(
          b ->
              b.bucket(config.bucket())
                  .key(key)
                  .uploadId(uploadId)
                  .multipartUpload(m -> m.parts(parts)));
    } catch (RuntimeException e) {
      try {
        s3.abortMultipartUpload(b -> b.bucket(config.bucket()).key(key).uploadId(uploadId));
      } catch (RuntimeException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  /** A fresh stream over {@code [offset, offset + length)} each time the SDK asks (retries). */
  private ContentStreamProvider range(SourceFile f, long offset, long length) {
    return () -> {
      try {
        InputStream in = opener.open(f.file());
        in.skipNBytes(offset);
        // The SDK's signing and chunking read in small pieces; a channel stream pays a system call
        // for each (unbuffered, uploads ran at ~8 MB/s).
        return new BufferedInputStream(new Bounded(in, length), BUFFER);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    };
  }

  /** Reads at most {@code remaining} bytes of the underlying stream. */
  private static final class Bounded extends FilterInputStream {
    private long remaining;

    Bounded(InputStream in, long remaining) {
      super(in);
      this.remaining = remaining;
    }

    @Override
    public int read() throws IOException {
      if (remaining <= 0) {
        return -1;
      }
      int b = super.read();
      if (b >= 0) {
        remaining--;
      }
      return b;
    }

    @Override
    public int read(byte[] buf, int off, int len) throws IOException {
      if (remaining <= 0) {
        return -1;
      }
      int n = super.read(buf, off, (int) Math.min(len, remaining));
      if (n > 0) {
        remaining -= n;
      }
      return n;
    }

    @Override
    public long skip(long n) throws IOException {
      long skipped = super.skip(Math.min(n, remaining));
      remaining -= skipped;
      return skipped;
    }

    @Override
    public int available() throws IOException {
      return (int) Math.min(super.available(), remaining);
    }

    @Override
    public boolean markSupported() {
      return false;
    }
  }
}
