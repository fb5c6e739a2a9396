package io.tern.scheduler.server.console;

import io.tern.security.pki.PemFiles;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A browser without a browser: java.net.http over HTTPS trusting the cluster's CA, with the session
 * cookie kept by hand (so tests see exactly what the server sets), no redirects followed.
 */
final class ConsoleHttp {
  private static final Pattern CSRF = Pattern.compile("name=\"tern-csrf\" content=\"([^\"]+)\"");

  final String base;
  private final HttpClient client;
  String cookie;
  String csrf;

  /** Plain HTTP, for a scheduler without TLS. */
  ConsoleHttp(String base) {
    this.base = base;
    client =
        HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(10))
            .build();
  }

  ConsoleHttp(String base, Path caPem) throws Exception {
    this.base = base;
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    int i = 0;
    for (var certificate : PemFiles.readCertificates(caPem)) {
      trust.setCertificateEntry("ca" + i++, certificate);
    }
    TrustManagerFactory factory =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    factory.init(trust);
    SSLContext ssl = SSLContext.getInstance("TLS");
    ssl.init(null, factory.getTrustManagers(), null);
    client =
        HttpClient.newBuilder()
            .sslContext(ssl)
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(10))
            .build();
  }

  /** Signs in with {@code token} and keeps the session cookie and CSRF token. */
  HttpResponse<String> signIn(String token) throws Exception {
    return signInWith("token=" + URLEncoder.encode(token, StandardCharsets.UTF_8));
  }

  /** Signs in by name, on a scheduler without authentication. */
  HttpResponse<String> signInAs(String user) throws Exception {
    return signInWith("user=" + URLEncoder.encode(user, StandardCharsets.UTF_8));
  }

  private HttpResponse<String> signInWith(String field) throws Exception {
    HttpResponse<String> response =
        send(
            HttpRequest.newBuilder(URI.create(base + "/login"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(field + "&next=/jobs")));
    response
        .headers()
        .firstValue("Set-Cookie")
        .ifPresent(c -> cookie = c.substring(0, c.indexOf(';')));
    if (response.statusCode() == 303) {
      Matcher m = CSRF.matcher(get("/jobs").body());
      csrf = m.find() ? m.group(1) : null;
    }
    return response;
  }

  HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return send(withCookie(HttpRequest.newBuilder(URI.create(base + path))).GET());
  }

  /** A POST as a console page makes it: the session cookie, the CSRF header, this origin. */
  HttpResponse<String> action(String path) throws IOException, InterruptedException {
    return post(path, csrf, base);
  }

  HttpResponse<String> post(String path, String csrfHeader, String origin)
      throws IOException, InterruptedException {
    HttpRequest.Builder request =
        withCookie(HttpRequest.newBuilder(URI.create(base + path)))
            .POST(HttpRequest.BodyPublishers.noBody());
    if (csrfHeader != null) {
      request.header(ConsoleServer.CSRF_HEADER, csrfHeader);
    }
    if (origin != null) {
      request.header("Origin", origin);
    }
    return send(request);
  }

  /** A form with files posted as the Simulations page posts it (cookie, CSRF header, origin). */
  HttpResponse<String> form(String path, io.tern.testing.Multipart form)
      throws IOException, InterruptedException {
    HttpRequest.Builder request =
        withCookie(HttpRequest.newBuilder(URI.create(base + path)))
            .header("Content-Type", form.contentType())
            .header("Origin", base)
            .POST(form.body());
    if (csrf != null) {
      request.header(ConsoleServer.CSRF_HEADER, csrf);
    }
    return send(request);
  }

  /** The events of a live view until it ends or {@code max} events came. */
  List<String> events(String path, int max) throws IOException, InterruptedException {
    HttpResponse<java.util.stream.Stream<String>> response =
        client.send(
            withCookie(HttpRequest.newBuilder(URI.create(base + path)))
                .header("Accept", "text/event-stream")
                .timeout(Duration.ofSeconds(20))
                .GET()
                .build(),
            HttpResponse.BodyHandlers.ofLines());
    List<String> events = new ArrayList<>();
    try (var lines = response.body()) {
      var it = lines.iterator();
      String event = null;
      while (it.hasNext() && events.size() < max) {
        String line = it.next();
        if (line.startsWith("event:")) {
          event = line.substring(6).trim();
        } else if (line.startsWith("data:") && event != null) {
          events.add(event + " " + line.substring(5).trim());
        }
      }
    }
    return events;
  }

  private HttpRequest.Builder withCookie(HttpRequest.Builder request) {
    return cookie == null ? request : request.header("Cookie", cookie);
  }

  private HttpResponse<String> send(HttpRequest.Builder request)
      throws IOException, InterruptedException {
    return client.send(
        request.timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
  }
}
