package io.tern.scheduler.server.api;

import com.google.protobuf.util.Timestamps;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.tern.api.v1.AdminServiceGrpc;
import io.tern.api.v1.CreateTokenRequest;
import io.tern.api.v1.CreateTokenResponse;
import io.tern.api.v1.ListTokensRequest;
import io.tern.api.v1.ListTokensResponse;
import io.tern.api.v1.RevokeTokenRequest;
import io.tern.api.v1.TokenInfo;
import io.tern.api.v1.TokenMinting;
import io.tern.api.v1.WhoAmIRequest;
import io.tern.api.v1.WhoAmIResponse;
import io.tern.scheduler.server.auth.Principal;
import io.tern.scheduler.server.auth.TokenStore;
import java.util.Locale;
import java.util.NoSuchElementException;
import java.util.concurrent.Callable;

/**
 * AdminService over gRPC: tokens and who the caller is. Token calls write ZooKeeper directly from
 * the gRPC thread (they are not scheduling state, and need no leader); the admin role is checked
 * before a call gets here.
 *
 * <p>A scheduler serving plaintext authenticates nobody (every caller is a local admin), so it
 * neither mints nor revokes tokens: the first admin token is written into ZooKeeper by whoever
 * holds it ({@code tern admin token create --zk}), and the rest are made over TLS.
 */
public final class AdminServiceImpl extends AdminServiceGrpc.AdminServiceImplBase {
  private static final int MAX_ID = 12;

  private final TokenStore tokens;
  private final boolean tls;

  /**
   * @param tls whether this replica serves TLS and authenticates its callers
   */
  public AdminServiceImpl(TokenStore tokens, boolean tls) {
    this.tokens = tokens;
    this.tls = tls;
  }

  @Override
  public void createToken(
      CreateTokenRequest request, StreamObserver<CreateTokenResponse> observer) {
    if (refusedOnPlaintext("CreateToken", observer)) {
      return;
    }
    String by = Principal.current().name();
    answer(() -> tokens.create(request, by, TokenMinting.TOKEN_MINTING_TLS), observer);
  }

  private boolean refusedOnPlaintext(String rpc, StreamObserver<?> observer) {
    if (tls) {
      return false;
    }
    observer.onError(
        Status.PERMISSION_DENIED
            .withDescription(
                rpc
                    + ": this scheduler serves plaintext and authenticates nobody, so it manages no"
                    + " tokens. Serve TLS (tern scheduler --tls-dir) and mint the first admin token"
                    + " straight into ZooKeeper: tern admin token create --zk HOST:PORT --user NAME"
                    + " --role admin -o FILE")
            .asRuntimeException());
    return true;
  }

  @Override
  public void listTokens(ListTokensRequest request, StreamObserver<ListTokensResponse> observer) {
    answer(
        () ->
            ListTokensResponse.newBuilder()
                .addAllTokens(tokens.list(request.getUser(), request.getIncludeInactive()))
                .build(),
        observer);
  }

  @Override
  public void revokeToken(RevokeTokenRequest request, StreamObserver<TokenInfo> observer) {
    if (refusedOnPlaintext("RevokeToken", observer)) {
      return;
    }
    if (!request.getId().matches("[0-9a-f]{" + MAX_ID + "}")) {
      observer.onError(
          Status.INVALID_ARGUMENT
              .withDescription("id: a token id is 12 hex digits (the part after 'tern_')")
              .asRuntimeException());
      return;
    }
    answer(() -> tokens.revoke(request.getId()), observer);
  }

  @Override
  public void whoAmI(WhoAmIRequest request, StreamObserver<WhoAmIResponse> observer) {
    Principal caller = Principal.current();
    WhoAmIResponse.Builder out =
        WhoAmIResponse.newBuilder()
            .setName(caller.name())
            .setKind(caller.kind().name().toLowerCase(Locale.ROOT))
            .addAllTeams(caller.teams())
            .addAllRoles(caller.roles().stream().sorted().toList());
    if (caller.expiresAt() != null) {
      out.setExpiresAt(Timestamps.fromMillis(caller.expiresAt().toEpochMilli()));
    }
    observer.onNext(out.build());
    observer.onCompleted();
  }

  private static <T> void answer(Callable<T> work, StreamObserver<T> observer) {
    T value;
    try {
      value = work.call();
    } catch (NoSuchElementException | IllegalArgumentException e) {
      observer.onError(GrpcErrors.toStatus(e));
      return;
    } catch (Exception e) {
      observer.onError(
          Status.UNAVAILABLE
              .withDescription("tokens are kept in ZooKeeper, which did not answer: " + e)
              .asRuntimeException());
      return;
    }
    observer.onNext(value);
    observer.onCompleted();
  }
}
