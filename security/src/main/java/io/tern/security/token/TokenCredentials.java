package io.tern.security.token;

import io.grpc.CallCredentials;
import io.grpc.Metadata;
import io.grpc.SecurityLevel;
import io.grpc.Status;
import java.util.concurrent.Executor;

/**
 * Sends a bearer token as {@code authorization: Bearer ...} on every call, and only over TLS: on a
 * plaintext channel the call fails rather than put the token on the wire in clear.
 */
public final class TokenCredentials extends CallCredentials {
  public static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  private final BearerToken token;

  public TokenCredentials(BearerToken token) {
    this.token = token;
  }

  @Override
  public void applyRequestMetadata(
      RequestInfo request, Executor executor, MetadataApplier applier) {
    if (request.getSecurityLevel() != SecurityLevel.PRIVACY_AND_INTEGRITY) {
      applier.fail(
          Status.UNAUTHENTICATED.withDescription(
              "not sending a token to "
                  + request.getAuthority()
                  + " over plaintext: give the scheduler's CA with --tls-ca (or TERN_TLS_CA)"));
      return;
    }
    Metadata headers = new Metadata();
    headers.put(AUTHORIZATION, "Bearer " + token.value());
    applier.apply(headers);
  }
}
