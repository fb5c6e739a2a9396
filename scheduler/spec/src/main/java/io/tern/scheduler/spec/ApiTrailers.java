package io.tern.scheduler.spec;

/** Names of the gRPC trailers that the scheduler sends and its clients read. */
public final class ApiTrailers {
  /** Names the leader's address (host:port) on a follower's FAILED_PRECONDITION. */
  public static final String LEADER = "tern-leader";

  private ApiTrailers() {}
}
