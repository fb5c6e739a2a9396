package io.tern.checkpoint.fs;

import io.tern.checkpoint.StoreIdentity;
import io.tern.checkpoint.StoreMarker;
import io.tern.checkpoint.StoreUnreachableException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A file store's folder, and whether it is the store. A store opened at a location ({@link
 * #identified}) is the folder that holds its marker, {@value #MARKER} ({@link StoreIdentity}):
 *
 * <ul>
 *   <li>The folder is never made here, except by {@link #initialise}: a folder that is missing, or
 *       that holds no marker, is unreachable ({@link StoreUnreachableException}), because an
 *       unmounted volume looks just like a new, empty store.
 *   <li>A folder with files but no marker (a store from before markers, a stand-in an unmounted
 *       volume left, or the store with its marker deleted) is not used either: {@link #initialise}
 *       marks it as it is, which the first scheduler given the store and {@code tern admin
 *       init-store} do, never an agent.
 *   <li>The store is held to the identity it is told to {@link #expect} (the scheduler's from
 *       ZooKeeper, an agent's from the leader it registers with), or else to the first marker it
 *       finds: a marker that goes away, or names another store, makes it unreachable until the
 *       right one is back.
 * </ul>
 *
 * A plain root ({@link #plain}) is a folder handed over as the store, with no marker rules: it must
 * exist, and is unreachable while it does not (tests, benchmarks, and tools given a folder).
 *
 * <p>Every change of reachability is logged once, with what is wrong. Thread-safe.
 */
public final class FsStoreRoot implements StoreMarker {
  private static final Logger log = LoggerFactory.getLogger(FsStoreRoot.class);

  /**
   * The marker's name: a dot name, so no job id (nor {@code workdirs}, nor {@code clusters}) takes
   * it.
   */
  public static final String MARKER = ".tern-store.json";

  /**
   * How old (by the wall clock, as file times are) a marker must be for its contents to be kept.
   */
  private static final long SETTLED_MILLIS = 2_000;

  private final Path folder;
  private final Clock clock;
  private final boolean identified;
  private volatile StoreIdentity held;
  private volatile String heldAs = "";
  private volatile Path real;
  private volatile String problem;
  private volatile ReadMarker lastRead;

  private FsStoreRoot(Path folder, Clock clock, boolean identified, Path real) {
    this.folder = folder;
    this.clock = clock;
    this.identified = identified;
    this.real = real;
  }

  /** A folder that must exist now, taken as the store as it is (no marker rules). */
  public static FsStoreRoot plain(Path folder) throws IOException {
    if (!Files.isDirectory(folder)) {
      throw new NoSuchFileException(folder.toString(), null, "checkpoint root is not a directory");
    }
    return new FsStoreRoot(folder.toRealPath(), Clock.systemUTC(), false, folder.toRealPath());
  }

  /**
   * The store at {@code folder}, which may not exist yet: reachable once it holds its marker.
   *
   * @param clock when a store is initialised, for its identity
   */
  public static FsStoreRoot identified(Path folder, Clock clock) {
    return new FsStoreRoot(folder.toAbsolutePath().normalize(), clock, true, null);
  }

  /** The folder as configured (its real path, for a plain root). */
  public Path folder() {
    return folder;
  }

  /** Whether the store is known by its marker ({@link #identified}), not a plain folder. */
  public boolean isIdentified() {
    return identified;
  }

  @Override
  public String location() {
    return folder.toString();
  }

  /**
   * The folder's real path, for reading: checked as {@link #require} does until the store has been
   * reachable once, not after (a read of a store that has gone since finds nothing, and writes
   * {@link #require} first).
   */
  public Path real() throws StoreUnreachableException {
    Path r = real;
    return r != null ? r : require();
  }

  /**
   * The folder's real path, once it is checked to be the store now.
   *
   * @throws StoreUnreachableException when it is not: missing, without its marker, or another's
   */
  public Path require() throws StoreUnreachableException {
    if (!identified) {
      StoreUnreachableException.requireDirectory(folder);
      return folder;
    }
    try {
      StoreIdentity found = current();
      if (problem != null) {
        log.info("checkpoint store {} is back: {}", folder, found);
        problem = null;
      }
      return real;
    } catch (StoreUnreachableException e) {
      if (!e.getMessage().equals(problem)) {
        log.warn(e.getMessage());
        problem = e.getMessage();
      }
      throw e;
    }
  }

  @Override
  public void check() throws StoreUnreachableException {
    require();
  }

  /**
   * The marker as it must be now, bound at first sight. A folder without one is never marked here,
   * files or not (it may be a stand-in an unmounted volume left, or the store with its marker
   * lost): a store from before markers is marked by {@link #initialise}, which the first scheduler
   * given it and {@code tern admin init-store} call.
   */
  private StoreIdentity current() throws StoreUnreachableException {
    StoreIdentity want = held;
    Optional<StoreIdentity> found = readChecked();
    if (found.isEmpty()) {
      throw unreachable(
          Files.isDirectory(folder) ? "holds no " + MARKER : "is missing (no such folder)", want);
    }
    if (want != null && !want.id().equals(found.get().id())) {
      throw unreachable("holds store " + found.get(), want);
    }
    if (want == null || real == null) {
      bind(found.get());
    }
    return found.get();
  }

  private synchronized void bind(StoreIdentity found) throws StoreUnreachableException {
    if (held == null) {
      held = found;
      heldAs = "the store it held when this process began using it";
      log.info("checkpoint store {} is {}", folder, found);
    }
    try {
      real = folder.toRealPath();
    } catch (IOException e) {
      throw unreachable("cannot be resolved (" + e.getMessage() + ")", held);
    }
  }

  private StoreUnreachableException unreachable(String what, StoreIdentity want) {
    String where = "checkpoint store " + folder + " " + what;
    if (want == null) {
      return new StoreUnreachableException(
          where
              + ": not mounted, or a new store not initialised yet (the first tern scheduler"
              + " --checkpoint-store of a cluster initialises it, as does tern admin init-store);"
              + " nothing is read or written there until it is");
    }
    return new StoreUnreachableException(
        where
            + ", but "
            + heldAs
            + " is "
            + want
            + ": is it mounted? Nothing is read or written there until it is back");
  }

  @Override
  public Optional<StoreIdentity> read() throws IOException {
    return readChecked();
  }

  /**
   * The marker as the file system says it is now. Its contents are read again only when the file is
   * another (another volume, a marker written again) or has changed since it was last read: a write
   * of the store then costs one stat of the marker, not a read and a parse. A marker changed in the
   * last {@value #SETTLED_MILLIS} ms is read every time: a change within the file system's
   * timestamp granularity may leave its modification time as it was.
   */
  private Optional<StoreIdentity> readChecked() throws StoreUnreachableException {
    Path marker = folder.resolve(MARKER);
    BasicFileAttributes file;
    try {
      file = Files.readAttributes(marker, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (NoSuchFileException | NotDirectoryException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new StoreUnreachableException(
          "checkpoint store " + folder + ": cannot read its " + MARKER + ": " + reason(e));
    }
    ReadMarker last = lastRead;
    if (last != null && last.isStill(file)) {
      return Optional.of(last.identity());
    }
    Optional<StoreIdentity> read = readMarker(marker);
    boolean settled =
        file.fileKey() != null
            && file.isRegularFile()
            && file.lastModifiedTime().toMillis() < System.currentTimeMillis() - SETTLED_MILLIS;
    lastRead =
        read.isPresent() && settled
            ? new ReadMarker(file.fileKey(), file.lastModifiedTime(), file.size(), read.get())
            : null;
    return read;
  }

  /** A marker file as last read: the same file, unchanged, still holds {@code identity}. */
  private record ReadMarker(Object fileKey, FileTime modified, long size, StoreIdentity identity) {
    boolean isStill(BasicFileAttributes file) {
      return fileKey.equals(file.fileKey())
          && modified.equals(file.lastModifiedTime())
          && size == file.size();
    }
  }

  private Optional<StoreIdentity> readMarker(Path marker) throws StoreUnreachableException {
    byte[] bytes;
    try (InputStream in = Files.newInputStream(marker, LinkOption.NOFOLLOW_LINKS)) {
      bytes = in.readNBytes(StoreIdentity.MAX_BYTES + 1);
    } catch (NoSuchFileException | NotDirectoryException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new StoreUnreachableException(
          "checkpoint store " + folder + ": cannot read its " + MARKER + ": " + reason(e));
    }
    try {
      return Optional.of(StoreIdentity.decode(bytes));
    } catch (IOException e) {
      throw new StoreUnreachableException(
          "checkpoint store "
              + folder
              + ": its "
              + MARKER
              + " is not a store marker ("
              + reason(e)
              + ")");
    }
  }

  @Override
  public boolean isEmpty() {
    return !hasFiles();
  }

  private boolean hasFiles() {
    if (!Files.isDirectory(folder)) {
      return false;
    }
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(folder)) {
      return entries.iterator().hasNext();
    } catch (IOException e) {
      return false;
    }
  }

  @Override
  public synchronized StoreIdentity initialise() throws IOException {
    requireIdentified();
    Optional<StoreIdentity> found = readChecked();
    if (found.isPresent()) {
      return found.get();
    }
    boolean adopting = hasFiles();
    Files.createDirectories(folder);
    StoreIdentity written = writeMarker();
    if (adopting) {
      log.info(
          "checkpoint store {} held files but no {}: marked it as {}", folder, MARKER, written);
    } else {
      log.info("checkpoint store {} initialised: {}", folder, written);
    }
    return written;
  }

  @Override
  public void expect(StoreIdentity identity) {
    requireIdentified();
    synchronized (this) {
      held = identity;
      heldAs = "this cluster's store";
      real = null;
    }
  }

  /** Writes a new marker unless one is there (link(2): the first writer wins); returns the one. */
  private StoreIdentity writeMarker() throws IOException {
    Path target = folder.resolve(MARKER);
    Path temp = folder.resolve(MARKER + "-" + UUID.randomUUID());
    try {
      try (FileChannel ch =
          FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        ch.write(java.nio.ByteBuffer.wrap(StoreIdentity.draw(clock).encode()));
        ch.force(true);
      }
      try {
        Files.createLink(target, temp);
      } catch (FileAlreadyExistsException e) {
        // another initialised it first: theirs stands
      } catch (UnsupportedOperationException e) {
        try {
          Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException exists) {
          // theirs stands
        }
      }
      try (FileChannel dir = FileChannel.open(folder, StandardOpenOption.READ)) {
        dir.force(true);
      } catch (IOException e) {
        // some file systems cannot fsync a directory; the link is still atomic there
      }
    } finally {
      Files.deleteIfExists(temp);
    }
    return readChecked()
        .orElseThrow(
            () ->
                new StoreUnreachableException("checkpoint store " + folder + ": marker vanished"));
  }

  /** What went wrong, in words: a file system's reason, or the message's first line. */
  private static String reason(IOException e) {
    if (e instanceof java.nio.file.FileSystemException fs && fs.getReason() != null) {
      return fs.getReason();
    }
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    int line = message.indexOf('\n');
    return line < 0 ? message : message.substring(0, line);
  }

  private void requireIdentified() {
    if (!identified) {
      throw new IllegalStateException(folder + " is a plain folder: it has no marker");
    }
  }
}
