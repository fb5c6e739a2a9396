package io.tern.scheduler.server.cloud.ec2;

import java.net.URI;
import java.time.Duration;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;

/** Builds the {@link Ec2Client} the connector uses: the JDK's HTTP client, bounded timeouts. */
public final class Ec2Clients {
  private Ec2Clients() {}

  /**
   * An EC2 client.
   *
   * @param region the region
   * @param endpoint an endpoint override (LocalStack, a test server), or null for AWS's
   * @param credentials credentials (e.g. {@code DefaultCredentialsProvider.create()} in production)
   * @param retries whether to retry throttling and 5xx answers (standard mode: 3 attempts with a
   *     short back-off; EC2 sends InsufficientInstanceCapacity as a 500, so it too is retried
   *     before the connector moves on) or to fail at once (tests)
   */
  public static Ec2Client create(
      Region region, URI endpoint, AwsCredentialsProvider credentials, boolean retries) {
    var builder =
        Ec2Client.builder()
            .region(region)
            .credentialsProvider(credentials)
            .httpClientBuilder(
                UrlConnectionHttpClient.builder()
                    .connectionTimeout(Duration.ofSeconds(5))
                    .socketTimeout(Duration.ofSeconds(30)))
            .overrideConfiguration(
                c -> {
                  c.apiCallTimeout(Duration.ofSeconds(60));
                  if (retries) {
                    c.retryStrategy(RetryMode.STANDARD);
                  } else {
                    c.retryStrategy(b -> b.maxAttempts(1));
                  }
                });
    if (endpoint != null) {
      builder.endpointOverride(endpoint);
    }
    return builder.build();
  }
}
