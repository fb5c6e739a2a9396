package io.tern.checkpoint.fs;

import io.tern.checkpoint.AbstractCheckpointStore;
import io.tern.checkpoint.CheckpointConflictException;
import io.tern.checkpoint.CheckpointManifest.ManifestFile;
import io.tern.checkpoint.CheckpointNames;
import io.tern.checkpoint.CheckpointSource;
import io.tern.checkpoint.CheckpointStore;
import io.tern.checkpoint.CheckpointStoreSettings;
import io.tern.checkpoint.CorruptCheckpointException;
import io.tern.checkpoint.Sha256;
import io.tern.checkpoint.StoreMarker;
import io.tern.checkpoint.StoreUnreachableException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@code CheckpointStore} on a shared filesystem (NFS, Lustre, EFS, or a local disk):
 *
 * <pre>
 * JOBS/JOB_ID/aATTEMPT-NAME/manifest.json
 * JOBS/JOB_ID/aATTEMPT-NAME/data/RELATIVE/PATH
 * JOBS/JOB_ID/.attempt-ATTEMPT         the attempt's marker (JSON), created once with link(2)
 * JOBS/JOB_ID/.succeeded-ATTEMPT       the attempt's success record (empty)
 * JOBS/JOB_ID/.staging-KEY-UUID/       a commit in progress (or crashed)
 * JOBS/JOB_ID/.trash-KEY-UUID/         a delete in progress (or crashed)
 * ROOT/workdirs/sha256-DIGEST.zip      packed working directories, shared by every cluster
 * ROOT/.tern-store.json                which store this is (FsStoreRoot#MARKER)
 * </pre>
 *
 * where {@code JOBS} is {@code ROOT/clusters/CLUSTER_ID} in a {@link #forCluster cluster's view},
 * and {@code ROOT} itself for a store opened without one (the layout before cluster ids).
 *
 * <p>A store opened at a location ({@link #identified}) makes no folder and is the store only while
 * its folder holds its marker ({@link FsStoreRoot}): until then, and whenever the marker goes or
 * names another store (a volume not mounted), begins, commits, success records, retires and code
 * uploads throw {@link StoreUnreachableException} and write nothing.
 *
 * <p>A commit writes and fsyncs every file and the manifest into a staging directory, then renames
 * it to {@code NAME} in one {@code rename(2)}: readers see the whole checkpoint or none of it. A
 * delete renames {@code NAME} away first. Both need {@code rename} to be atomic within a directory,
 * which POSIX filesystems, NFS, Lustre and EFS provide. Staging directories older than {@link
 * #STALE_STAGING} are removed after a commit. Files in the store are read without following
 * symbolic links, so a link planted in the store cannot make a restore read elsewhere.
 *
 * <p>With a quota, a commit that would take the store's files over it fails as a full disk would
 * ({@code Disk quota exceeded}), before it writes anything: for a store directory on a disk that
 * other things need, and to exercise a full store in tests.
 */
public final class FsCheckpointStore extends AbstractCheckpointStore {

  private static final Logger log = LoggerFactory.getLogger(FsCheckpointStore.class);

  /** A staging directory this old belongs to a commit that died. */
  public static final Duration STALE_STAGING = Duration.ofHours(1);

  static final String MANIFEST = "manifest.json";
  static final String DATA = "data";
  private static final String STAGING_PREFIX = ".staging-";
  private static final String TRASH_PREFIX = ".trash-";
  private static final String MARKER_PREFIX = ".attempt-";
  private static final String SUCCESS_PREFIX = ".succeeded-";

  private final FsStoreRoot root;

  /** The cluster whose view this is; null for the store's root (the layout before cluster ids). */
  private final String clusterId;

  private final boolean fsync;
  private final OptionalLong quotaBytes;

  /**
   * @param root an existing directory, shared by every agent and server that uses the store
   * @param fsync force files and directories to stable storage before publishing (keep it on,
   *     except for tests and benchmarks that measure without it)
   * @param quotaBytes the most bytes the store's files may take; empty for no quota
   */
  public FsCheckpointStore(
      Path root, CheckpointStoreSettings settings, boolean fsync, OptionalLong quotaBytes)
      throws IOException {
    this(FsStoreRoot.plain(root), null, settings, fsync, quotaBytes);
  }

  private FsCheckpointStore(
      FsStoreRoot root,
      String clusterId,
      CheckpointStoreSettings settings,
      boolean fsync,
      OptionalLong quotaBytes) {
    super(settings);
    if (quotaBytes.isPresent() && quotaBytes.getAsLong() < 1) {
      throw new IllegalArgumentException("quota must be 1 byte or more");
    }
    this.root = root;
    this.clusterId = clusterId;
    this.fsync = fsync;
    this.quotaBytes = quotaBytes;
  }

  /**
   * The store in {@code folder}, known by its marker ({@link FsStoreRoot#identified}): nothing is
   * made here, and the folder may be missing or unmarked for now (every call that needs the store
   * throws {@link StoreUnreachableException} until it is there). Files are fsynced.
   *
   * @param quotaBytes the most bytes the store's files may take; empty for no quota
   */
  public static FsCheckpointStore identified(
      Path folder, CheckpointStoreSettings settings, OptionalLong quotaBytes) {
    return new FsCheckpointStore(
        FsStoreRoot.identified(folder, settings.clock()), null, settings, true, quotaBytes);
  }

  public FsCheckpointStore(Path root, CheckpointStoreSettings settings, boolean fsync)
      throws IOException {
    this(root, settings, fsync, OptionalLong.empty());
  }

  public FsCheckpointStore(Path root, CheckpointStoreSettings settings) throws IOException {
    this(root, settings, true);
  }

  /** The store's folder as configured (its real path, for a store handed a folder). */
  public Path root() {
    return root.folder();
  }

  /** A store opened {@link #identified by its marker} has one; a plain folder has none. */
  @Override
  public Optional<StoreMarker> marker() {
    return root.isIdentified() ? Optional.of(root) : Optional.empty();
  }

  @Override
  public io.tern.checkpoint.workdir.WorkdirStore workdirs() {
    return io.tern.checkpoint.workdir.FsWorkdirStore.checked(root::require);
  }

  @Override
  protected CheckpointStore clusterView(String clusterId) {
    return new FsCheckpointStore(root, clusterId, settings, fsync, quotaBytes);
  }

  private Path jobDir(String jobId) throws StoreUnreachableException {
    Path r = root.real();
    return (clusterId == null ? r : r.resolve(CLUSTERS).resolve(clusterId)).resolve(jobId);
  }

  @Override
  protected List<String> listNames(String jobId) throws IOException {
    Path jobDir = jobDir(jobId);
    List<String> names = new ArrayList<>();
    if (!Files.isDirectory(jobDir, LinkOption.NOFOLLOW_LINKS)) {
      return names;
    }
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(jobDir)) {
      for (Path entry : entries) {
        String name = entry.getFileName().toString();
        if (CheckpointNames.isStorageKey(name)) {
          if (Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)) {
            names.add(name);
          } else {
            log.warn("ignoring {}: not a directory (or a symbolic link)", entry);
          }
        }
      }
    }
    return names;
  }

  @Override
  protected Optional<byte[]> readManifest(String jobId, String name) throws IOException {
    Path manifest = jobDir(jobId).resolve(name).resolve(MANIFEST);
    BasicFileAttributes attrs;
    try {
      attrs = Files.readAttributes(manifest, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
    if (!attrs.isRegularFile()) {
      throw new CorruptCheckpointException("manifest is not a regular file");
    }
    // A job or checkpoint directory planted as a link would make the store read (and then trust)
    // a manifest from elsewhere; the root is a real path, so any link makes the real path differ.
    if (!manifest.toRealPath().equals(manifest)) {
      throw new CorruptCheckpointException("manifest is reached through a symbolic link");
    }
    if (attrs.size() > settings.limits().maxManifestBytes()) {
      throw new CorruptCheckpointException("manifest is larger than the limit");
    }
    try (InputStream in = Files.newInputStream(manifest, LinkOption.NOFOLLOW_LINKS)) {
      return Optional.of(in.readNBytes(settings.limits().maxManifestBytes() + 1));
    }
  }

  @Override
  protected InputStream openStored(String jobId, String name, String path) throws IOException {
    Path expected = jobDir(jobId).resolve(name).resolve(DATA).resolve(path);
    // Any link on the way (a directory or the file) makes the real path differ.
    if (!expected.toRealPath().equals(expected)) {
      throw new CorruptCheckpointException("file " + path + " is reached through a symbolic link");
    }
    return Files.newInputStream(expected, LinkOption.NOFOLLOW_LINKS);
  }

  @Override
  protected Staging stage(String jobId, String name, CheckpointSource source) throws IOException {
    requireRoomFor(source.totalBytes());
    Path jobDir = Files.createDirectories(jobDir(jobId));
    Path staging = jobDir.resolve(STAGING_PREFIX + name + "-" + UUID.randomUUID());
    Files.createDirectory(staging);
    List<ManifestFile> files = new ArrayList<>();
    try {
      Path data = Files.createDirectory(staging.resolve(DATA));
      for (CheckpointSource.SourceFile f : source.files()) {
        Path dest = data.resolve(f.path());
        Files.createDirectories(dest.getParent());
        files.add(copy(f, dest));
      }
      if (fsync) {
        fsyncDirectories(data);
      }
    } catch (IOException | RuntimeException e) {
      deleteTree(staging);
      throw e;
    }
    return new Staging() {
      @Override
      public List<ManifestFile> files() {
        return files;
      }

      @Override
      public void publish(byte[] manifest) throws IOException {
        Path m = staging.resolve(MANIFEST);
        try (FileChannel ch =
            FileChannel.open(m, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
          ch.write(java.nio.ByteBuffer.wrap(manifest));
          if (fsync) {
            ch.force(true);
          }
        }
        if (fsync) {
          forceDirectory(staging);
        }
        try {
          Files.move(staging, jobDir.resolve(name), StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException | DirectoryNotEmptyException e) {
          throw new CheckpointConflictException(
              "checkpoint " + jobId + "/" + name + " was committed concurrently");
        }
        if (fsync) {
          forceDirectory(jobDir);
        }
      }

      @Override
      public void abort() {
        deleteTree(staging);
      }
    };
  }

  private ManifestFile copy(CheckpointSource.SourceFile f, Path dest) throws IOException {
    try (InputStream in = settings.sourceOpener().open(f.file());
        FileChannel ch =
            FileChannel.open(dest, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      OutputStream out = Channels.newOutputStream(ch);
      Sha256.Digest d = Sha256.copy(in, out, settings.limits().maxFileBytes());
      if (d.size() > settings.limits().maxFileBytes()) {
        throw new io.tern.checkpoint.InvalidCheckpointException(f.path() + " grew over the limit");
      }
      if (fsync) {
        ch.force(true);
      }
      return new ManifestFile(f.path(), d.size(), d.sha256());
    }
  }

  private void requireRoomFor(long bytes) throws IOException {
    if (quotaBytes.isEmpty()) {
      return;
    }
    long used = usedBytes();
    if (used + bytes > quotaBytes.getAsLong()) {
      throw new FileSystemException(
          root.folder().toString(),
          null,
          "Disk quota exceeded (the store's quota is "
              + quotaBytes.getAsLong()
              + " bytes, "
              + used
              + " used, "
              + bytes
              + " more needed)");
    }
  }

  /** What the store's files take now, in bytes. */
  public long usedBytes() throws IOException {
    long[] used = {0};
    Files.walkFileTree(
        root.real(),
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
            used[0] += attrs.size();
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFileFailed(Path file, IOException e) {
            return FileVisitResult.CONTINUE; // deleted meanwhile
          }
        });
    return used[0];
  }

  @Override
  protected Map<Integer, byte[]> readMarkers(String jobId) throws IOException {
    Path jobDir = jobDir(jobId);
    Map<Integer, byte[]> markers = new TreeMap<>();
    if (!Files.isDirectory(jobDir, LinkOption.NOFOLLOW_LINKS)) {
      return markers;
    }
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(jobDir, MARKER_PREFIX + "*")) {
      for (Path entry : entries) {
        Integer attempt = markerAttempt(entry.getFileName().toString());
        if (attempt != null && Files.isRegularFile(entry, LinkOption.NOFOLLOW_LINKS)) {
          try (InputStream in = Files.newInputStream(entry, LinkOption.NOFOLLOW_LINKS)) {
            markers.put(attempt, in.readNBytes(MAX_MARKER_BYTES + 1));
          } catch (NoSuchFileException e) {
            // pruned meanwhile
          }
        }
      }
    }
    return markers;
  }

  private static Integer markerAttempt(String fileName) {
    String n = fileName.substring(MARKER_PREFIX.length());
    if (!n.matches("[1-9][0-9]{0,8}")) {
      return null;
    }
    return Integer.valueOf(n);
  }

  @Override
  protected void createMarker(String jobId, int attempt, byte[] marker) throws IOException {
    Path jobDir = Files.createDirectories(jobDir(jobId));
    Path target = jobDir.resolve(MARKER_PREFIX + attempt);
    Path temp = jobDir.resolve(STAGING_PREFIX + "attempt-" + attempt + "-" + UUID.randomUUID());
    try {
      try (FileChannel ch =
          FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        ch.write(java.nio.ByteBuffer.wrap(marker));
        if (fsync) {
          ch.force(true);
        }
      }
      try {
        // link(2) publishes the whole file or fails when a marker exists: first writer wins.
        Files.createLink(target, temp);
      } catch (FileAlreadyExistsException e) {
        return;
      } catch (UnsupportedOperationException e) {
        try {
          Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException exists) {
          return;
        }
      }
      if (fsync) {
        forceDirectory(jobDir);
      }
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  @Override
  protected void deleteMarker(String jobId, int attempt) throws IOException {
    Files.deleteIfExists(jobDir(jobId).resolve(MARKER_PREFIX + attempt));
  }

  @Override
  protected Set<Integer> readSuccessRecords(String jobId) throws IOException {
    Path jobDir = jobDir(jobId);
    Set<Integer> attempts = new TreeSet<>();
    if (!Files.isDirectory(jobDir, LinkOption.NOFOLLOW_LINKS)) {
      return attempts;
    }
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(jobDir, SUCCESS_PREFIX + "*")) {
      for (Path entry : entries) {
        String n = entry.getFileName().toString().substring(SUCCESS_PREFIX.length());
        if (n.matches("[1-9][0-9]{0,8}")) {
          attempts.add(Integer.valueOf(n));
        }
      }
    }
    return attempts;
  }

  @Override
  protected void createSuccessRecord(String jobId, int attempt) throws IOException {
    Path jobDir = Files.createDirectories(jobDir(jobId));
    try {
      Files.createFile(jobDir.resolve(SUCCESS_PREFIX + attempt));
    } catch (FileAlreadyExistsException e) {
      return;
    }
    if (fsync) {
      forceDirectory(jobDir);
    }
  }

  @Override
  protected void deleteSuccessRecord(String jobId, int attempt) throws IOException {
    Files.deleteIfExists(jobDir(jobId).resolve(SUCCESS_PREFIX + attempt));
  }

  @Override
  public Optional<Path> successRecordFile(String jobId, int attempt) throws IOException {
    CheckpointNames.requireValidName("job id", jobId);
    requireReachable();
    Path jobDir = jobDir(jobId);
    Files.createDirectories(jobDir);
    return Optional.of(jobDir.resolve(SUCCESS_PREFIX + attempt));
  }

  @Override
  protected boolean deleteStored(String jobId, String name) throws IOException {
    Path jobDir = jobDir(jobId);
    Path dir = jobDir.resolve(name);
    if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
      return false;
    }
    Path trash = jobDir.resolve(TRASH_PREFIX + name + "-" + UUID.randomUUID());
    try {
      Files.move(dir, trash, StandardCopyOption.ATOMIC_MOVE);
    } catch (NoSuchFileException e) {
      return false;
    }
    deleteTree(trash);
    return true;
  }

  @Override
  protected void requireReachable() throws IOException {
    root.require();
  }

  @Override
  protected List<String> leftovers(String jobId) throws IOException {
    Path jobDir = jobDir(jobId);
    if (!Files.isDirectory(jobDir, LinkOption.NOFOLLOW_LINKS)) {
      return List.of();
    }
    List<String> left = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(jobDir, TRASH_PREFIX + "*")) {
      entries.forEach(e -> left.add(e.getFileName().toString()));
    }
    return left;
  }

  @Override
  protected void sweepLeftovers(String jobId) throws IOException {
    Path jobDir = jobDir(jobId);
    if (!Files.isDirectory(jobDir, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    Instant staleBefore = settings.clock().instant().minus(STALE_STAGING);
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(jobDir)) {
      for (Path entry : entries) {
        String n = entry.getFileName().toString();
        if (n.startsWith(TRASH_PREFIX)
            || (n.startsWith(STAGING_PREFIX)
                && Files.getLastModifiedTime(entry, LinkOption.NOFOLLOW_LINKS)
                    .toInstant()
                    .isBefore(staleBefore))) {
          deleteTree(entry);
        }
      }
    }
    try {
      Files.delete(jobDir);
    } catch (DirectoryNotEmptyException | NoSuchFileException e) {
      // still in use, or gone already: both fine
    }
  }

  private static void fsyncDirectories(Path top) throws IOException {
    try (var dirs = Files.walk(top)) {
      for (Path d : (Iterable<Path>) dirs.filter(Files::isDirectory)::iterator) {
        forceDirectory(d);
      }
    }
  }

  private static void forceDirectory(Path dir) {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException e) {
      // Some filesystems cannot fsync a directory; the rename is still atomic there.
      log.debug("cannot fsync directory {}", dir, e);
    }
  }
}
