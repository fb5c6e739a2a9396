package io.tern.agent.spot;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small instance metadata service on loopback that speaks enough IMDSv2 for {@link
 * SpotInterruptionWatcher}: {@code PUT /latest/api/token} (with the TTL header) hands out a token,
 * and the two spot paths answer 401 without it, 404 while nothing is announced, and EC2's JSON once
 * something is. For tests, and for {@code tern demo} to simulate a reclaim.
 *
 * <p>Thread-safe.
 */
public final class LocalImds implements AutoCloseable {
  static final String TOKEN_PATH = "/latest/api/token";
  static final String TTL_HEADER = "X-aws-ec2-metadata-token-ttl-seconds";
  static final String TOKEN_HEADER = "X-aws-ec2-metadata-token";

  private final HttpServer server;
  private final Clock clock;
  private final String token = UUID.randomUUID().toString();
  private final AtomicInteger tokenRequests = new AtomicInteger();
  private final AtomicInteger unauthorized = new AtomicInteger();
  private volatile String instanceAction; // JSON, null when none
  private volatile String rebalance;

  private LocalImds(HttpServer server, Clock clock) {
    this.server = server;
    this.clock = clock;
  }

  /** Starts one on a free loopback port. */
  public static LocalImds start() throws IOException {
    return start(0, Clock.systemUTC());
  }

  /**
   * Starts one on loopback.
   *
   * @param port 0 for a free one
   * @param clock the time a rebalance notice carries
   */
  public static LocalImds start(int port, Clock clock) throws IOException {
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 16);
    LocalImds imds = new LocalImds(server, clock);
    server.createContext("/", imds::handle);
    server.start();
    return imds;
  }

  /** Announces that the instance will be terminated at {@code at} (EC2 gives two minutes). */
  public void announceInstanceAction(Instant at) {
    instanceAction =
        "{\"action\":\"terminate\",\"time\":\"" + at.truncatedTo(ChronoUnit.SECONDS) + "\"}";
  }

  /** Announces a rebalance recommendation, with the current time as its notice time. */
  public void announceRebalance() {
    rebalance = "{\"noticeTime\":\"" + clock.instant().truncatedTo(ChronoUnit.SECONDS) + "\"}";
  }

  /** Withdraws both notices. */
  public void clear() {
    instanceAction = null;
    rebalance = null;
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /** {@code http://127.0.0.1:PORT}, for {@code --imds-endpoint}. */
  public URI endpoint() {
    return URI.create("http://" + server.getAddress().getAddress().getHostAddress() + ":" + port());
  }

  /** Tokens handed out so far. */
  public int tokenRequests() {
    return tokenRequests.get();
  }

  /** Metadata requests refused for want of a valid token. */
  public int unauthorizedRequests() {
    return unauthorized.get();
  }

  @Override
  public void close() {
    server.stop(0);
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getPath();
      String method = exchange.getRequestMethod();
      if (path.equals(TOKEN_PATH)) {
        if (!method.equals("PUT")) {
          respond(exchange, 405, "");
        } else if (exchange.getRequestHeaders().getFirst(TTL_HEADER) == null) {
          respond(exchange, 400, "");
        } else {
          tokenRequests.incrementAndGet();
          exchange
              .getResponseHeaders()
              .add(TTL_HEADER, exchange.getRequestHeaders().getFirst(TTL_HEADER));
          respond(exchange, 200, token);
        }
        return;
      }
      if (!method.equals("GET")) {
        respond(exchange, 405, "");
        return;
      }
      if (!token.equals(exchange.getRequestHeaders().getFirst(TOKEN_HEADER))) {
        unauthorized.incrementAndGet();
        respond(exchange, 401, "");
        return;
      }
      String body =
          switch (path) {
            case SpotInterruptionWatcher.INSTANCE_ACTION -> instanceAction;
            case SpotInterruptionWatcher.REBALANCE -> rebalance;
            default -> null;
          };
      if (body == null) {
        respond(exchange, 404, "");
      } else {
        exchange.getResponseHeaders().add("Content-Type", "text/plain");
        respond(exchange, 200, body);
      }
    }
  }

  private static void respond(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    if (bytes.length > 0) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }
}
