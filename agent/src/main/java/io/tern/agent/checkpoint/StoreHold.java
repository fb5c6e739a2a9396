package io.tern.agent.checkpoint;

import com.google.protobuf.Timestamp;
import io.tern.agent.job.WorkDir;
import io.tern.api.v1.Register;
import io.tern.api.v1.Registered;
import io.tern.checkpoint.StoreIdentity;
import io.tern.checkpoint.StoreMarker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which file checkpoint store an agent holds its store to: the one its leader names when it
 * registers (the cluster's record), kept in the work dir ({@link WorkDir#checkpointStore}) and held
 * to again when the agent restarts, before it registers. It also tells the leader which store the
 * agent's marker names, so that a cluster whose schedulers were not given the store records the one
 * its agents use. Does nothing for a store without a marker (S3, a plain folder).
 */
public final class StoreHold {
  private static final Logger log = LoggerFactory.getLogger(StoreHold.class);

  private final Optional<StoreMarker> marker;
  private final Path file;
  private final boolean reports;

  /**
   * @param marker the store's marker; empty for none
   * @param reports whether to name the store to the leader; false for the default store on the
   *     agent's own disk, which is no cluster's shared store
   */
  public StoreHold(Optional<StoreMarker> marker, WorkDir workDir, boolean reports) {
    this.marker = marker;
    this.file = workDir.checkpointStore();
    this.reports = reports;
  }

  /**
   * Holds the store to the one the leader last named, as an earlier agent of this node kept it:
   * what the agent commits before it registers (the checkpoints its leftover jobs wrote) then goes
   * to the cluster's store or nowhere, never to another store's volume mounted in its place.
   */
  public void holdToTheLastNamed() {
    if (marker.isEmpty()) {
      return;
    }
    StoreIdentity named;
    try {
      named = StoreIdentity.decode(Files.readAllBytes(file));
    } catch (NoSuchFileException e) {
      return;
    } catch (IOException e) {
      log.warn("ignoring {}: {}", file, e.getMessage());
      return;
    }
    marker.get().expect(named);
    log.info("checkpoint store held to {}, the store the leader last named", named);
  }

  /**
   * Checks the store against the identity it is held to: the store logs what it is, or what is
   * wrong (once per change). Starts that need a store that is not there wait on it as store faults.
   */
  public void check() {
    if (marker.isEmpty()) {
      return;
    }
    try {
      marker.get().check();
    } catch (IOException e) {
      // logged by the store; it is picked up once it is there
    }
  }

  /**
   * Names in {@code register} the store the marker names now. Nothing when the agent does not
   * report its store, or the store holds no marker or one that cannot be read (the store logs why).
   */
  public void report(Register.Builder register) {
    if (marker.isEmpty() || !reports) {
      return;
    }
    Optional<StoreIdentity> found;
    try {
      found = marker.get().read();
    } catch (IOException e) {
      return;
    }
    found.ifPresent(
        identity ->
            register
                .setCheckpointStoreId(identity.id())
                .setCheckpointStoreCreated(
                    Timestamp.newBuilder()
                        .setSeconds(identity.created().getEpochSecond())
                        .setNanos(identity.created().getNano())));
  }

  /**
   * Holds the store to the cluster's, as the leader names it, and keeps it for the next start: a
   * folder with another store's marker, or none, is then not taken for it (it waits as a store
   * fault until the right one is mounted), and the agent marks nothing itself.
   */
  public void holdTo(Registered registered) {
    if (marker.isEmpty() || registered.getCheckpointStoreId().isEmpty()) {
      return;
    }
    var created = registered.getCheckpointStoreCreated();
    StoreIdentity named;
    try {
      named =
          new StoreIdentity(
              registered.getCheckpointStoreId(),
              Instant.ofEpochSecond(created.getSeconds(), created.getNanos()));
    } catch (IllegalArgumentException | DateTimeException e) {
      log.error("the leader named no valid checkpoint store: {}", e.getMessage());
      return;
    }
    marker.get().expect(named);
    remember(named);
    check();
  }

  /** Keeps {@code named} in the work dir for {@link #holdToTheLastNamed}. */
  private void remember(StoreIdentity named) {
    try {
      byte[] bytes = named.encode();
      if (Files.exists(file) && Arrays.equals(Files.readAllBytes(file), bytes)) {
        return;
      }
      Files.createDirectories(file.getParent());
      Path temp = Files.write(file.resolveSibling(file.getFileName() + ".tmp"), bytes);
      Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      log.warn("cannot keep the checkpoint store's identity in {}: {}", file, e.toString());
    }
  }
}
