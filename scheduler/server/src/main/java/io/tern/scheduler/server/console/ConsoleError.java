package io.tern.scheduler.server.console;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/** A console request that failed, with the HTTP status and the message its page shows. */
final class ConsoleError extends RuntimeException {
  private final int httpStatus;

  ConsoleError(int httpStatus, String message) {
    super(message);
    this.httpStatus = httpStatus;
  }

  int httpStatus() {
    return httpStatus;
  }

  /** The same refusal as an rpc would have ended with, for the audit line. */
  Status grpcStatus() {
    Status.Code code =
        switch (httpStatus) {
          case 400 -> Status.Code.INVALID_ARGUMENT;
          case 401 -> Status.Code.UNAUTHENTICATED;
          case 403 -> Status.Code.PERMISSION_DENIED;
          case 404 -> Status.Code.NOT_FOUND;
          case 409 -> Status.Code.FAILED_PRECONDITION;
          case 413, 429 -> Status.Code.RESOURCE_EXHAUSTED;
          case 503 -> Status.Code.UNAVAILABLE;
          default -> Status.Code.INTERNAL;
        };
    return code.toStatus().withDescription(getMessage());
  }

  /**
   * The scheduler's answer as an HTTP status: NOT_FOUND stays 404 (another team's job included,
   * word for word), refusals 401/403, bad input 400, a state that forbids the change 409.
   */
  static ConsoleError of(StatusRuntimeException e) {
    Status status = e.getStatus();
    int http =
        switch (status.getCode()) {
          case NOT_FOUND -> 404;
          case INVALID_ARGUMENT, OUT_OF_RANGE -> 400;
          case PERMISSION_DENIED -> 403;
          case UNAUTHENTICATED -> 401;
          case FAILED_PRECONDITION, ALREADY_EXISTS, ABORTED -> 409;
          case RESOURCE_EXHAUSTED -> 429;
          case UNAVAILABLE, DEADLINE_EXCEEDED -> 503;
          default -> 500;
        };
    String message =
        status.getDescription() == null ? status.getCode().name() : status.getDescription();
    return new ConsoleError(http, message);
  }
}
