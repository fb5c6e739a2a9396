package io.tern.scheduler.server.api;

import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.tern.scheduler.server.auth.TeamAccess;
import io.tern.scheduler.server.loop.NotLeaderException;
import io.tern.scheduler.server.loop.UnknownOutcomeException;
import io.tern.scheduler.spec.ApiTrailers;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/** How the scheduler's failures reach gRPC clients, and the leader redirect they follow. */
public final class GrpcErrors {
  /** Trailer naming the leader's address (host:port) on FAILED_PRECONDITION from a follower. */
  public static final Metadata.Key<String> LEADER =
      Metadata.Key.of(ApiTrailers.LEADER, Metadata.ASCII_STRING_MARSHALLER);

  /** {@link ApiTrailers#NOT_TAKEN}: the call was not taken and may be sent again as it is. */
  public static final Metadata.Key<String> NOT_TAKEN =
      Metadata.Key.of(ApiTrailers.NOT_TAKEN, Metadata.ASCII_STRING_MARSHALLER);

  private GrpcErrors() {}

  public static StatusRuntimeException toStatus(Throwable error) {
    Throwable e =
        error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    if (e instanceof StatusRuntimeException status) {
      return status;
    }
    if (e instanceof NotLeaderException notLeader) {
      if (notLeader.leaderAddress().isPresent()) {
        Metadata trailers = new Metadata();
        trailers.put(LEADER, notLeader.leaderAddress().get());
        return Status.FAILED_PRECONDITION
            .withDescription("not the leader; the leader is " + notLeader.leaderAddress().get())
            .asRuntimeException(trailers);
      }
      Metadata trailers = new Metadata();
      trailers.put(NOT_TAKEN, "no-leader");
      return Status.UNAVAILABLE
          .withDescription("no leader available: " + notLeader.getMessage())
          .asRuntimeException(trailers);
    }
    if (e instanceof UnknownOutcomeException unknown) {
      // No tern-not-taken trailer: the change may have been made.
      return Status.UNAVAILABLE.withDescription(unknown.getMessage()).asRuntimeException();
    }
    if (e instanceof NoSuchElementException) {
      return Status.NOT_FOUND.withDescription(e.getMessage()).asRuntimeException();
    }
    if (e instanceof IllegalArgumentException) {
      return Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException();
    }
    if (e instanceof org.apache.zookeeper.KeeperException) {
      return Status.UNAVAILABLE
          .withDescription(
              "ZooKeeper failed the request ("
                  + e.getMessage()
                  + "); a change may have been stored: look for it, or retry with the same"
                  + " idempotency key")
          .asRuntimeException();
    }
    return Status.INTERNAL
        .withDescription(String.valueOf(e.getMessage()))
        .withCause(e)
        .asRuntimeException();
  }

  /** Completes a unary call from {@code future}. */
  static <T> void reply(CompletableFuture<T> future, StreamObserver<T> observer) {
    future.whenComplete(
        (value, error) -> {
          if (error != null) {
            observer.onError(toStatus(error));
          } else {
            observer.onNext(value);
            observer.onCompleted();
          }
        });
  }

  /**
   * For a request that filters on {@code team}: refuses a team name no job could have as
   * INVALID_ARGUMENT and returns true ({@link TeamAccess#checkTeamName}); false for an empty team
   * (no filter) or a valid one.
   */
  static boolean refusedTeam(String team, io.grpc.stub.StreamObserver<?> observer) {
    if (team.isEmpty()) {
      return false;
    }
    try {
      TeamAccess.checkTeamName(team, "team");
      return false;
    } catch (RuntimeException e) {
      observer.onError(toStatus(e));
      return true;
    }
  }
}
