package io.tern.scheduler.server.api;

import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.nio.charset.StandardCharsets;

/**
 * Cuts an error's description to {@link #MAX_BYTES} bytes of UTF-8, ending it with "...". The
 * description travels in a trailer, percent-encoded beyond ASCII, and a client refuses trailers
 * over 8 KiB by default: an answer that repeated a long request value whole would reach the client
 * as a broken stream instead of the error. The errors name their fields first, so the cut keeps
 * what matters. Registered for every service.
 */
public final class ShortStatusDescriptions implements ServerInterceptor {
  /** The longest description sent: at most three times as long percent-encoded. */
  public static final int MAX_BYTES = 2000;

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    return next.startCall(
        new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
          @Override
          public void close(Status status, Metadata trailers) {
            super.close(shortened(status), trailers);
          }
        },
        headers);
  }

  static Status shortened(Status status) {
    String description = status.getDescription();
    if (description == null) {
      return status;
    }
    byte[] utf8 = description.getBytes(StandardCharsets.UTF_8);
    if (utf8.length <= MAX_BYTES) {
      return status;
    }
    // Cut at a character boundary: back off over UTF-8 continuation bytes.
    int end = MAX_BYTES - 3;
    while (end > 0 && (utf8[end] & 0xC0) == 0x80) {
      end--;
    }
    return status.withDescription(
        new String(utf8, 0, end, StandardCharsets.UTF_8)
            + "... ("
            + utf8.length
            + " bytes in all)");
  }
}
