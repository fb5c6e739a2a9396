package io.tern.scheduler.server.console;

import com.google.protobuf.Timestamp;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.tern.api.v1.AdminServiceGrpc;
import io.tern.api.v1.WhoAmIRequest;
import io.tern.api.v1.WhoAmIResponse;
import io.tern.security.token.BearerToken;
import java.time.Instant;
import java.util.List;
import java.util.regex.Pattern;

/** Signing in: the scheduler itself (WhoAmI) confirms the token, or the name where none is used. */
final class SignIn {
  private static final Pattern LOCAL_NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  private SignIn() {}

  static ConsoleSession verify(
      boolean authenticates,
      String tokenText,
      String userText,
      ManagedChannel channel,
      ConsoleSessions sessions) {
    Caller caller;
    if (authenticates) {
      BearerToken token =
          BearerToken.parse(tokenText == null ? "" : tokenText.trim())
              .orElseThrow(
                  () ->
                      new ConsoleError(
                          400, "token: not a Tern token (tern admin token create prints one)"));
      caller = Caller.token(token);
    } else {
      String user = userText == null ? "" : userText.trim();
      if (!LOCAL_NAME.matcher(user).matches()) {
        throw new ConsoleError(
            400, "user: 1 to 64 letters, digits, '.', '_' or '-', got \"" + user + "\"");
      }
      caller = Caller.local(user);
    }
    WhoAmIResponse who;
    try {
      who =
          caller
              .on(AdminServiceGrpc.newBlockingStub(channel))
              .whoAmI(WhoAmIRequest.getDefaultInstance());
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() == Status.Code.UNAUTHENTICATED) {
        throw new ConsoleError(401, "token: not accepted (unknown, revoked or expired)");
      }
      throw ConsoleError.of(e);
    }
    List<String> roles =
        who.getRolesList().stream()
            .map(r -> ConsoleViews.shortName(r.name(), "ROLE_").toLowerCase(java.util.Locale.ROOT))
            .toList();
    return sessions.open(caller, who.getName(), who.getTeamsList(), roles, expiry(who));
  }

  private static Instant expiry(WhoAmIResponse who) {
    if (!who.hasExpiresAt()) {
      return null;
    }
    Timestamp at = who.getExpiresAt();
    return Instant.ofEpochSecond(at.getSeconds(), at.getNanos());
  }
}
