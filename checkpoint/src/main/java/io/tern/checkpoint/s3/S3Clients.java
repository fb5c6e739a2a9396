package io.tern.checkpoint.s3;

import java.net.URI;
import java.time.Duration;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;

/** Builds {@link S3Client}s for {@link S3CheckpointStore}, on the JDK's HTTP client. */
public final class S3Clients {

  private S3Clients() {}

  /**
   * A client for AWS S3 ({@code endpoint} null) or an S3-compatible server such as MinIO or S3Proxy
   * (endpoint set, usually with {@code pathStyle}). Checksums are computed only where an operation
   * requires them: the store sends its own SHA-256 per object and verifies every byte on restore,
   * and some S3-compatible servers reject the SDK's default CRC trailers.
   */
  public static S3Client create(
      URI endpoint, Region region, AwsCredentialsProvider credentials, boolean pathStyle) {
    S3ClientBuilder b =
        S3Client.builder()
            .region(region)
            .credentialsProvider(credentials)
            .forcePathStyle(pathStyle)
            .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
            .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
            .httpClientBuilder(
                UrlConnectionHttpClient.builder()
                    .connectionTimeout(Duration.ofSeconds(10))
                    .socketTimeout(Duration.ofSeconds(60)));
    if (endpoint != null) {
      b.endpointOverride(endpoint);
    }
    return b.build();
  }
}
