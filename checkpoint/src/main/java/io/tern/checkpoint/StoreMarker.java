package io.tern.checkpoint;

import java.io.IOException;
import java.util.Optional;

/**
 * The marker in a store that says which store it is ({@link StoreIdentity}): the part of a file
 * store that a scheduler initialises and then holds to the identity its cluster recorded. A store
 * opened at a location never makes its own folder; while the folder or its marker is missing, or
 * the marker names another store, every call that needs the store throws {@link
 * StoreUnreachableException}, and the store is picked up again once the marker is back.
 *
 * <p>Thread-safe.
 */
public interface StoreMarker {
  /** Where the store is, for messages. */
  String location();

  /**
   * The identity the store holds now; empty when it holds no marker (or its folder is missing).
   *
   * @throws StoreUnreachableException when the marker cannot be read or is not one
   */
  Optional<StoreIdentity> read() throws IOException;

  /**
   * Checks that the store is reachable now (the first check, and every change, is logged).
   *
   * @throws StoreUnreachableException naming what is wrong when it is not
   */
  void check() throws IOException;

  /** Whether the store's folder is missing or holds nothing at all (not even a marker). */
  boolean isEmpty() throws IOException;

  /**
   * Initialises the store: makes its folder when it is missing and writes a marker with a new
   * identity unless one is there (the first writer wins, so two that race get the same). A folder
   * with files from before markers is marked as it is: nothing in it is lost.
   *
   * @return the identity the marker holds
   */
  StoreIdentity initialise() throws IOException;

  /**
   * Holds the store to {@code identity} from now on: it is reachable only while its marker names
   * it. Without a call, a store is held to the first marker it finds.
   */
  void expect(StoreIdentity identity);
}
