package io.tern.checkpoint.s3;

import java.util.Objects;

/**
 * Where an {@link S3CheckpointStore} keeps its objects and how it uploads them.
 *
 * @param bucket an existing bucket
 * @param prefix key prefix for every object ("" for the bucket root); slashes at either end are
 *     ignored
 * @param multipartThresholdBytes files at least this large go up as multipart uploads
 * @param partSizeBytes multipart part size (S3 requires at least 5 MiB)
 * @param sendChecksums send each single-PUT object's SHA-256 so the server verifies it on arrival;
 *     turn off for servers that do not support {@code x-amz-checksum-sha256}
 */
public record S3StoreConfig(
    String bucket,
    String prefix,
    long multipartThresholdBytes,
    long partSizeBytes,
    boolean sendChecksums) {

  public static final long MIB = 1L << 20;

  public S3StoreConfig {
    Objects.requireNonNull(bucket, "bucket");
    Objects.requireNonNull(prefix, "prefix");
    if (partSizeBytes < 5 * MIB || multipartThresholdBytes < partSizeBytes) {
      throw new IllegalArgumentException("part size >= 5 MiB and threshold >= part size");
    }
  }

  /** 64 MiB threshold and parts, checksums on. */
  public static S3StoreConfig of(String bucket, String prefix) {
    return new S3StoreConfig(bucket, prefix, 64 * MIB, 64 * MIB, true);
  }

  /** The normalised prefix with a trailing slash, or "" for the bucket root. */
  public String keyPrefix() {
    String p = prefix;
    while (p.startsWith("/")) {
      p = p.substring(1);
    }
    while (p.endsWith("/")) {
      p = p.substring(0, p.length() - 1);
    }
    return p.isEmpty() ? "" : p + "/";
  }

  public S3StoreConfig withSendChecksums(boolean send) {
    return new S3StoreConfig(bucket, prefix, multipartThresholdBytes, partSizeBytes, send);
  }

  public S3StoreConfig withMultipart(long threshold, long partSize) {
    return new S3StoreConfig(bucket, prefix, threshold, partSize, sendChecksums);
  }
}
