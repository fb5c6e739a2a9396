package io.tern.scheduler.server.cloud;

import java.util.Collection;
import java.util.List;

/**
 * The port to a source of nodes: launch, list and terminate instances that run {@code tern agent}.
 * Implementations: {@code ec2} (AWS, spot and on-demand) and {@code local} (agent processes on this
 * machine with simulated GPUs).
 *
 * <p>Contract:
 *
 * <ul>
 *   <li>Every call blocks on I/O: call it from a cloud worker thread, never from the scheduler
 *       loop, and hand results back to the loop as events.
 *   <li>A launched instance starts an agent whose node id is the instance id, whose pool is the
 *       request's pool id and whose capacity type is the request's; that is how the scheduler ties
 *       a registering node to the launch that made it.
 *   <li>{@link #launch} never throws for capacity problems: it reports what it could launch and,
 *       typed, why it could not launch the rest. It throws {@link CloudException} only when the
 *       provider could not be asked at all (network, credentials, a pool it does not know).
 *   <li>{@link #describe} lists every instance this connector manages that is not long gone,
 *       including ones launched by an earlier leader, so a new leader can reconcile.
 *   <li>{@link #terminate} is idempotent: unknown or already terminated ids are ignored.
 * </ul>
 *
 * Implementations are thread-safe.
 */
public interface CloudConnector extends AutoCloseable {

  /** Launches up to {@code request.count()} instances into the request's pool. */
  LaunchResult launch(LaunchRequest request);

  /** The instances this connector manages, sorted by id. */
  List<CloudInstance> describe();

  /** Terminates instances; returns once the provider has accepted the request. */
  void terminate(Collection<String> instanceIds);

  /**
   * Recent spot prices of the pool's instance types and zones, newest first; empty for pools
   * without a spot market (on-demand or local pools with a fixed price).
   */
  List<SpotPrice> spotPriceHistory(String poolId);

  /**
   * Releases clients. Cloud instances keep running for the next leader to adopt; a local connector
   * stops its processes, which nothing else could adopt.
   */
  @Override
  void close();
}
