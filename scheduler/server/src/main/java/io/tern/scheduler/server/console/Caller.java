package io.tern.scheduler.server.console;

import io.grpc.ClientInterceptor;
import io.grpc.Metadata;
import io.grpc.stub.AbstractStub;
import io.grpc.stub.MetadataUtils;
import io.tern.scheduler.server.auth.Authenticator;
import io.tern.security.token.BearerToken;
import io.tern.security.token.TokenCredentials;
import java.util.concurrent.TimeUnit;

/**
 * Who the console calls the scheduler as: the signed-in user's bearer token on a scheduler with
 * authentication, or the name a user gave on one without (the {@code tern-user} header the CLI
 * sends). The scheduler, not the console, decides what that caller may see and do.
 */
record Caller(BearerToken token, String localUser) {
  /** How long one call from a console page may take. */
  static final long DEADLINE_SECONDS = 10;

  static Caller token(BearerToken token) {
    return new Caller(token, null);
  }

  static Caller local(String user) {
    return new Caller(null, user);
  }

  /** {@code stub} calling as this caller, with the console's deadline. */
  <S extends AbstractStub<S>> S on(S stub) {
    S withDeadline = stub.withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS);
    if (token != null) {
      return withDeadline.withCallCredentials(new TokenCredentials(token));
    }
    Metadata headers = new Metadata();
    headers.put(Authenticator.USER_HEADER, localUser);
    ClientInterceptor user = MetadataUtils.newAttachHeadersInterceptor(headers);
    return withDeadline.withInterceptors(user);
  }

  /** {@link #on} without a deadline, for streams that follow a job until it ends. */
  <S extends AbstractStub<S>> S streaming(S stub) {
    return on(stub).withDeadline(null);
  }
}
