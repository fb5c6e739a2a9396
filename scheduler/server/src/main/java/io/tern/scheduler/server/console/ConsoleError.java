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
