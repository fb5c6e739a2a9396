package io.tern.checkpoint.config;

import io.tern.checkpoint.CheckpointStore;
import io.tern.checkpoint.CheckpointStoreSettings;
import io.tern.checkpoint.StoreIdentity;
import io.tern.checkpoint.StoreMarker;
import io.tern.checkpoint.fs.FsCheckpointStore;
import io.tern.checkpoint.fs.FsStoreRoot;
import io.tern.checkpoint.s3.S3CheckpointStore;
import io.tern.checkpoint.s3.S3Clients;
import io.tern.checkpoint.s3.S3StoreConfig;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.regions.Region;

/**
 * Where checkpoints live, written as one string so that the agent and the server can take it from a
 * flag or a config file:
 *
 * <ul>
 *   <li>{@code /mnt/checkpoints} or {@code file:///mnt/checkpoints}: a shared filesystem, the
 *       folder that holds the store's marker {@code .tern-store.json}; {@code
 *       file:///mnt/checkpoints?quota=50GiB} caps what the store's files may take (a commit over it
 *       fails as on a full disk, and the agent prunes older checkpoints to make room);
 *   <li>{@code s3://BUCKET/PREFIX}: AWS S3, region and credentials from the SDK's default chain;
 *   <li>{@code
 *       s3://BUCKET/PREFIX?endpoint=http://10.0.0.5:9000&region=us-east-1&pathStyle=true&checksums=false}:
 *       an S3-compatible server (MinIO, S3Proxy). {@code pathStyle} defaults to true when an
 *       endpoint is given; {@code checksums} (send each object's SHA-256 for the server to check)
 *       defaults to true; S3Proxy needs {@code checksums=false}.
 * </ul>
 *
 * @param uri the parsed location
 */
public record CheckpointStoreLocation(URI uri) {

  private static final Set<String> S3_PARAMS =
      Set.of("endpoint", "region", "pathStyle", "checksums");

  /** Parses a location; throws {@link IllegalArgumentException} naming what is wrong. */
  public static CheckpointStoreLocation parse(String location) {
    if (location == null || location.isBlank()) {
      throw new IllegalArgumentException("checkpoint store location is empty");
    }
    if (location.startsWith("/")) {
      return new CheckpointStoreLocation(Path.of(location).toUri());
    }
    URI uri = URI.create(location);
    String scheme = uri.getScheme();
    if ("file".equals(scheme)) {
      if (uri.getPath() == null || uri.getPath().isEmpty()) {
        throw new IllegalArgumentException(
            "a file location is file:///ABSOLUTE/PATH[?quota=SIZE]: " + location);
      }
      for (Map.Entry<String, String> p : params(uri).entrySet()) {
        if (!p.getKey().equals("quota")) {
          throw new IllegalArgumentException(
              "unknown file location parameter " + p.getKey() + "; known: [quota]");
        }
        parseSize(p.getValue());
      }
      return new CheckpointStoreLocation(uri);
    }
    if ("s3".equals(scheme)) {
      if (uri.getHost() == null) {
        throw new IllegalArgumentException("an s3 location is s3://BUCKET[/PREFIX]: " + location);
      }
      for (String key : params(uri).keySet()) {
        if (!S3_PARAMS.contains(key)) {
          throw new IllegalArgumentException(
              "unknown s3 location parameter " + key + "; known: " + S3_PARAMS);
        }
      }
      String endpoint = params(uri).get("endpoint");
      if (endpoint != null) {
        requireEndpoint(endpoint);
      }
      return new CheckpointStoreLocation(uri);
    }
    throw new IllegalArgumentException(
        "checkpoint store location must be an absolute path, file:// or s3://, got " + location);
  }

  /** Opens the store with credentials from the AWS SDK's default chain (for s3 locations). */
  public CheckpointStore open(CheckpointStoreSettings settings) throws IOException {
    return open(settings, null);
  }

  /**
   * Opens the store. A file store's folder is never made here: the store is the folder that holds
   * its marker ({@link FsCheckpointStore#identified}), and until it does (a volume not mounted yet,
   * or a new store no one has {@link #initialise initialised}) every call that needs it throws
   * {@link io.tern.checkpoint.StoreUnreachableException}. A folder with files from before markers
   * is marked at its first use.
   *
   * @param credentials for s3 locations; null for the SDK's default chain
   */
  public CheckpointStore open(CheckpointStoreSettings settings, AwsCredentialsProvider credentials)
      throws IOException {
    if (isFile()) {
      String quota = params(uri).get("quota");
      return FsCheckpointStore.identified(
          path(),
          settings,
          quota == null ? OptionalLong.empty() : OptionalLong.of(parseSize(quota)));
    }
    Map<String, String> p = params(uri);
    URI endpoint = p.containsKey("endpoint") ? URI.create(p.get("endpoint")) : null;
    Region region =
        Region.of(p.getOrDefault("region", endpoint != null ? "us-east-1" : defaultRegion()));
    boolean pathStyle =
        Boolean.parseBoolean(p.getOrDefault("pathStyle", String.valueOf(endpoint != null)));
    boolean checksums = Boolean.parseBoolean(p.getOrDefault("checksums", "true"));
    String prefix = uri.getPath() == null ? "" : uri.getPath();
    S3StoreConfig config = S3StoreConfig.of(uri.getHost(), prefix).withSendChecksums(checksums);
    AwsCredentialsProvider creds =
        credentials != null ? credentials : DefaultCredentialsProvider.builder().build();
    return new S3CheckpointStore(
        S3Clients.create(endpoint, region, creds, pathStyle), config, settings, true);
  }

  /** An S3 endpoint a client can use: http(s), a host, and a port when a colon says so. */
  private static void requireEndpoint(String endpoint) {
    URI e;
    try {
      e = new URI(endpoint);
    } catch (java.net.URISyntaxException bad) {
      e = null;
    }
    if (e == null
        || !("http".equals(e.getScheme()) || "https".equals(e.getScheme()))
        || e.getHost() == null
        || e.getRawAuthority().endsWith(":")
        || e.getPort() == 0
        || e.getPort() > 65_535) {
      throw new IllegalArgumentException(
          "endpoint "
              + endpoint
              + " in the location is not an http(s) URL with a host and a port from 1 to 65535");
    }
  }

  /** The directory of a file location. */
  public Path path() {
    return Path.of(uri.getPath());
  }

  /** Whether this is a file store's location (a path or {@code file://}), not S3. */
  public boolean isFile() {
    return "file".equals(uri.getScheme());
  }

  /**
   * Initialises a new file store here, as the first scheduler of a cluster does: makes the folder
   * if it is missing and writes its marker unless it holds one ({@link StoreMarker#initialise}).
   *
   * @return the store's identity
   * @throws IllegalStateException for an S3 location (a bucket is made by its owner)
   */
  public StoreIdentity initialise(Clock clock) throws IOException {
    if (!isFile()) {
      throw new IllegalStateException(uri + " is not a file store");
    }
    return FsStoreRoot.identified(path(), clock).initialise();
  }

  /**
   * {@code 123}, {@code 64KiB}, {@code 10MiB}, {@code 50GiB} (also k, M, G, KB, MB, GB: powers of
   * 1024).
   */
  static long parseSize(String text) {
    var m = SIZE.matcher(text.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "quota: expected a size like 500MiB or 50GiB, got \"" + text + "\"");
    }
    long n = Long.parseLong(m.group(1));
    String unit = m.group(2) == null ? "" : m.group(2).toUpperCase(java.util.Locale.ROOT);
    int shift =
        unit.isEmpty() || unit.equals("B")
            ? 0
            : switch (unit.charAt(0)) {
              case 'K' -> 10;
              case 'M' -> 20;
              default -> 30;
            };
    if (n < 1 || n > (Long.MAX_VALUE >> shift)) {
      throw new IllegalArgumentException("quota: must be between 1 byte and 8 EiB, got " + text);
    }
    return n << shift;
  }

  private static final java.util.regex.Pattern SIZE =
      java.util.regex.Pattern.compile("([0-9]{1,18})\\s*((?:[kKmMgG](?:i?[bB])?)|[bB])?");

  private static String defaultRegion() {
    String env = System.getenv("AWS_REGION");
    return env != null && !env.isBlank() ? env : "us-east-1";
  }

  private static Map<String, String> params(URI uri) {
    Map<String, String> out = new HashMap<>();
    String query = uri.getRawQuery();
    if (query == null || query.isEmpty()) {
      return out;
    }
    for (String pair : query.split("&")) {
      int eq = pair.indexOf('=');
      String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String value =
          eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      out.put(key, value);
    }
    return out;
  }
}
