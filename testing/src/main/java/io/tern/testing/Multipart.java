package io.tern.testing;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;

/**
 * A {@code multipart/form-data} body as a browser sends a form with a file in it, for tests that
 * post forms with {@link java.net.http.HttpClient}. Add fields and files in order, then send {@link
 * #body()} with {@link #contentType()}.
 */
public final class Multipart {
  private final String boundary = "tern-test-" + Long.toHexString(System.nanoTime());
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  public Multipart field(String name, String value) {
    part(
        "Content-Disposition: form-data; name=\"" + name + "\"",
        value.getBytes(StandardCharsets.UTF_8));
    return this;
  }

  public Multipart file(String name, String fileName, byte[] content) {
    part(
        "Content-Disposition: form-data; name=\""
            + name
            + "\"; filename=\""
            + fileName
            + "\"\r\nContent-Type: application/octet-stream",
        content);
    return this;
  }

  private void part(String headers, byte[] content) {
    out.writeBytes(
        ("--" + boundary + "\r\n" + headers + "\r\n\r\n").getBytes(StandardCharsets.UTF_8));
    out.writeBytes(content);
    out.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
  }

  public String contentType() {
    return "multipart/form-data; boundary=" + boundary;
  }

  public HttpRequest.BodyPublisher body() {
    byte[] bytes = out.toByteArray();
    byte[] end = ("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8);
    byte[] all = new byte[bytes.length + end.length];
    System.arraycopy(bytes, 0, all, 0, bytes.length);
    System.arraycopy(end, 0, all, bytes.length, end.length);
    return HttpRequest.BodyPublishers.ofByteArray(all);
  }
}
