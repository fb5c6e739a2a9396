package io.tern.checkpoint.s3;

import java.net.URI;
import java.nio.file.Path;
import java.util.Properties;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/** S3Proxy in-process on a random loopback port, over jclouds' transient or filesystem store. */
public final class S3ProxyServer implements AutoCloseable {

  private static final String IDENTITY = "tern-access";
  private static final String CREDENTIAL = "tern-secret";

  private final BlobStoreContext context;
  private final S3Proxy proxy;

  private S3ProxyServer(String provider, Properties overrides) throws Exception {
    context =
        ContextBuilder.newBuilder(provider)
            .credentials(IDENTITY, CREDENTIAL)
            .overrides(overrides)
            .build(BlobStoreContext.class);
    proxy =
        S3Proxy.builder()
            .blobStore(context.getBlobStore())
            .endpoint(URI.create("http://127.0.0.1:0"))
            .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, IDENTITY, CREDENTIAL)
            .v4MaxNonChunkedRequestSize(1L << 30)
            .build();
    proxy.start();
  }

  /** Objects in memory. */
  public static S3ProxyServer transientStore() throws Exception {
    return new S3ProxyServer("transient", new Properties());
  }

  /** Objects as files under {@code dir}. */
  public static S3ProxyServer filesystemStore(Path dir) throws Exception {
    Properties p = new Properties();
    p.setProperty("jclouds.filesystem.basedir", dir.toString());
    return new S3ProxyServer("filesystem", p);
  }

  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + proxy.getPort());
  }

  /** A path-style client with this server's credentials. */
  public S3Client client() {
    return S3Clients.create(
        endpoint(),
        Region.US_EAST_1,
        StaticCredentialsProvider.create(AwsBasicCredentials.create(IDENTITY, CREDENTIAL)),
        true);
  }

  @Override
  public void close() {
    try {
      proxy.stop();
    } catch (Exception e) {
      throw new IllegalStateException("S3Proxy did not stop", e);
    } finally {
      context.close();
    }
  }
}
