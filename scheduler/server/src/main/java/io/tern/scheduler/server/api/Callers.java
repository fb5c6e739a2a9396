package io.tern.scheduler.server.api;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;

/**
 * Who is calling. Until authentication exists, clients say who they are in the {@code tern-user}
 * header (the CLI sends the OS user name); it is recorded as a job's owner, not trusted for access.
 */
public final class Callers implements ServerInterceptor {
  static final Metadata.Key<String> USER =
      Metadata.Key.of("tern-user", Metadata.ASCII_STRING_MARSHALLER);
  private static final Context.Key<String> CALLER = Context.key("tern-user");

  static String user() {
    String user = CALLER.get();
    return user == null || user.isBlank() ? "unknown" : user;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    String user = headers.get(USER);
    if (user != null && user.length() > 64) {
      user = user.substring(0, 64);
    }
    return Contexts.interceptCall(Context.current().withValue(CALLER, user), call, headers, next);
  }
}
