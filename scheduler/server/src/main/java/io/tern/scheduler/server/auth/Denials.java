package io.tern.scheduler.server.auth;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/** Factories for the two ways a call is refused: unknown caller, or a known one not allowed. */
public final class Denials {
  private Denials() {}

  /** The caller is not who it needs to be, or not known at all: UNAUTHENTICATED. */
  public static StatusRuntimeException unauthenticated(String why) {
    return Status.UNAUTHENTICATED.withDescription(why).asRuntimeException();
  }

  /** The caller is known but may not do this: PERMISSION_DENIED. */
  public static StatusRuntimeException denied(String why) {
    return Status.PERMISSION_DENIED.withDescription(why).asRuntimeException();
  }
}
