package io.tern.scheduler.spec.workdir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * A job's working directory packed as it travels with the job (README "Code travels with the job"):
 * a ZIP archive written by {@code java.util.zip} (no library in the client), named by the SHA-256
 * of its bytes.
 *
 * <p><b>Deterministic.</b> The same files give the same bytes, so an unchanged directory has the
 * same digest and is not uploaded again: entries in sorted order, every time stamp 1980-01-01
 * 00:00, modes reduced to "executable or not" (0755 or 0644, carried as the entry comment {@value
 * #EXECUTABLE}, since {@code java.util.zip} cannot write Unix modes), directories as entries ending
 * in {@code /}. {@link IgnoreRules} decide what stays behind (inside a git work tree, the ignore
 * files from its top down count too, as git reads them), and {@code .git} always does. Symbolic
 * links are not packed (they would point elsewhere on the node); {@link Packed#skipped} names them.
 *
 * <p><b>Hostile archives.</b> {@link #unpack} writes only regular files and directories, inside its
 * target: a name that is absolute, has a {@code ..}, {@code .} or empty segment, a backslash or a
 * control character, a name given twice, more than {@link Limits#maxEntries} entries and more than
 * {@link Limits#maxBytes} of content (counted as it inflates, not as the archive claims) are
 * refused with {@link InvalidWorkdirException}, leaving the target to be deleted by the caller.
 * {@link #pack} refuses a name by the same rule ({@link #refusal}) with {@link
 * UnshippableNameException}, so that what a submit ships, every node unpacks.
 */
public final class WorkdirArchive {
  /** The entry comment that marks an executable file. */
  public static final String EXECUTABLE = "x";

  /** What {@code tern submit} ships at most unless told otherwise: 100 MiB of files. */
  public static final long DEFAULT_LIMIT_BYTES = 100L << 20;

  private static final LocalDateTime STAMP = LocalDateTime.of(1980, 1, 1, 0, 0);
  private static final Pattern DIGEST = Pattern.compile("[0-9a-f]{64}");

  /**
   * How much of a file's head {@link #incompressible} deflates to decide; smaller files deflate.
   */
  private static final int PROBE_BYTES = 64 << 10;

  private static final int MIN_PROBED_BYTES = 4 << 10;

  /** The longest entry path {@link #unpack} takes, in chars. */
  private static final int MAX_PATH = 4096;

  private WorkdirArchive() {}

  /**
   * Bounds on what an archive may unpack to.
   *
   * @param maxBytes content bytes, all files together
   * @param maxEntries files and directories
   */
  public record Limits(long maxBytes, int maxEntries) {
    /** Ten times what a client ships by default, in at most 200,000 entries. */
    public static final Limits DEFAULT = new Limits(10 * DEFAULT_LIMIT_BYTES, 200_000);
  }

  /**
   * A packed directory.
   *
   * @param digest the SHA-256 of the archive, 64 lowercase hex digits
   * @param archiveBytes the archive's size
   * @param contentBytes the files' sizes added up
   * @param files how many files it holds
   * @param skipped symbolic links and special files left out, relative paths
   */
  public record Packed(
      String digest, long archiveBytes, long contentBytes, int files, List<String> skipped) {}

  /** Whether {@code digest} is 64 lowercase hex digits. */
  public static boolean isDigest(String digest) {
    return DIGEST.matcher(digest).matches();
  }

  /**
   * Packs {@code dir} into {@code out} (closed when done).
   *
   * @param limitBytes the most the packed files may add up to
   * @throws WorkdirTooLargeException when they add up to more (before anything is written)
   */
  public static Packed pack(Path dir, long limitBytes, OutputStream out) throws IOException {
    return pack(dir, limitBytes, Limits.DEFAULT.maxEntries(), out);
  }

  /** As {@link #pack(Path, long, OutputStream)}, refusing more than {@code maxEntries} entries. */
  static Packed pack(Path dir, long limitBytes, int maxEntries, OutputStream out)
      throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new java.nio.file.NoSuchFileException(dir.toString(), null, "not a directory");
    }
    Path real = dir.toRealPath();
    Path repo = real;
    while (repo != null && !Files.exists(repo.resolve(".git"), LinkOption.NOFOLLOW_LINKS)) {
      repo = repo.getParent();
    }
    // Inside a git work tree, the ignore files from its top down to dir apply as git applies them.
    IgnoreRules above = IgnoreRules.none();
    String prefix = "";
    if (repo != null && !repo.equals(real)) {
      Path inside = repo.relativize(real);
      Path at = repo;
      above = above.withFilesIn(repo, "");
      for (int i = 0; i < inside.getNameCount() - 1; i++) {
        at = at.resolve(inside.getName(i));
        prefix = prefix + inside.getName(i) + "/";
        above = above.withFilesIn(at, prefix.substring(0, prefix.length() - 1));
      }
      prefix = prefix + inside.getFileName() + "/";
    }
    Walk walk = new Walk(limitBytes, maxEntries, prefix);
    walk.visit(dir, "", above);
    if (walk.tooMany()) {
      throw new WorkdirTooLargeException(
          dir
              + " holds more than "
              + maxEntries
              + " files and directories to ship, the most a node unpacks");
    }
    if (walk.total > limitBytes) {
      throw walk.tooLarge(dir);
    }
    MessageDigest sha = sha256();
    Counting counted = new Counting(out);
    Deflater probe = new Deflater(Deflater.BEST_SPEED, true);
    byte[] head = new byte[PROBE_BYTES];
    byte[] scratch = new byte[PROBE_BYTES + 1024];
    try (ZipOutputStream zip = new ZipOutputStream(new DigestOutputStream(counted, sha))) {
      for (Walk.Item item : walk.items) {
        ZipEntry entry = new ZipEntry(item.name);
        entry.setTimeLocal(STAMP);
        if (item.executable) {
          entry.setComment(EXECUTABLE);
        }
        // The fastest level: a submit waits for it, and data files, not code, make the bytes.
        // Files that do not shrink are stored as they are (deflate spends as long on them).
        if (item.file == null || item.size < MIN_PROBED_BYTES) {
          zip.setLevel(Deflater.BEST_SPEED);
          zip.putNextEntry(entry);
          if (item.file != null) {
            Files.copy(item.file, zip);
          }
        } else {
          try (InputStream in = Files.newInputStream(item.file)) {
            int n = in.readNBytes(head, 0, head.length);
            boolean store = incompressible(head, n, probe, scratch);
            zip.setLevel(store ? Deflater.NO_COMPRESSION : Deflater.BEST_SPEED);
            zip.putNextEntry(entry);
            zip.write(head, 0, n);
            in.transferTo(zip);
          }
        }
        zip.closeEntry();
      }
    } finally {
      probe.end();
    }
    return new Packed(
        HexFormat.of().formatHex(sha.digest()),
        counted.count,
        walk.total,
        walk.files,
        List.copyOf(walk.skipped));
  }

  /**
   * Whether a file is not worth deflating, from the first {@code n} bytes it holds (up to {@value
   * #PROBE_BYTES}): they shrink by less than a twentieth at the fastest level, as model weights,
   * archives, images and other compressed data do. Deflate takes as long over such bytes as over
   * any (about 50 MB/s on one core here), so they are stored. The answer depends on the file's
   * bytes only, so packing stays deterministic. Files under {@value #MIN_PROBED_BYTES} bytes are
   * always deflated: that costs next to nothing.
   */
  static boolean incompressible(byte[] head, int n, Deflater probe, byte[] scratch) {
    if (n < MIN_PROBED_BYTES) {
      return false;
    }
    probe.reset();
    probe.setInput(head, 0, n);
    probe.finish();
    long deflated = 0;
    while (!probe.finished()) {
      deflated += probe.deflate(scratch);
    }
    return deflated * 20 > n * 19L;
  }

  /** The SHA-256 of a file, 64 lowercase hex digits. */
  public static String digestOf(Path file) throws IOException {
    MessageDigest sha = sha256();
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buf = new byte[1 << 16];
      for (int n; (n = in.read(buf)) > 0; ) {
        sha.update(buf, 0, n);
      }
    }
    return HexFormat.of().formatHex(sha.digest());
  }

  /**
   * Checks, without unpacking, that {@code archive} is a ZIP whose entries {@link #unpack} takes:
   * readable, within the entry limit, each name allowed, once, and inside the working directory.
   * Sizes are checked as it unpacks.
   *
   * @throws InvalidWorkdirException for what {@link #unpack} would refuse
   */
  public static void check(Path archive, Limits limits) throws IOException {
    Path root = Path.of("/workdir");
    Set<String> seen = new HashSet<>();
    try (ZipFile zip = open(archive, limits)) {
      Enumeration<? extends ZipEntry> entries = zip.entries();
      while (entries.hasMoreElements()) {
        target(root, entries.nextElement().getName(), seen);
      }
    } catch (ZipException e) {
      throw new InvalidWorkdirException("not a readable ZIP archive: " + e.getMessage());
    }
  }

  /** The archive, opened, once its entry count is within the limit. */
  private static ZipFile open(Path archive, Limits limits) throws IOException {
    ZipFile zip = new ZipFile(archive.toFile());
    int size = zip.size();
    if (size > limits.maxEntries()) {
      zip.close();
      throw new InvalidWorkdirException(
          "the archive has " + size + " entries, more than " + limits.maxEntries());
    }
    return zip;
  }

  /**
   * Where entry {@code name} goes under {@code root}: a name allowed, not seen before (kept in
   * {@code seen}), and inside it.
   */
  private static Path target(Path root, String name, Set<String> seen)
      throws InvalidWorkdirException {
    String path = name.endsWith("/") ? name.substring(0, name.length() - 1) : name;
    checkName(name, path);
    if (!seen.add(path)) {
      throw new InvalidWorkdirException("the archive names " + path + " twice");
    }
    Path out = root.resolve(path).normalize();
    if (!out.startsWith(root) || out.equals(root)) {
      throw new InvalidWorkdirException("entry " + name + " leaves the working directory");
    }
    return out;
  }

  /**
   * Unpacks {@code archive} into {@code target}, an empty or missing directory.
   *
   * @return how many files it wrote
   * @throws InvalidWorkdirException for an entry or a size the rules above refuse
   */
  public static int unpack(Path archive, Path target, Limits limits) throws IOException {
    Files.createDirectories(target);
    Path root = target.toRealPath();
    Set<String> seen = new HashSet<>();
    long written = 0;
    int files = 0;
    try (ZipFile zip = open(archive, limits)) {
      Enumeration<? extends ZipEntry> entries = zip.entries();
      while (entries.hasMoreElements()) {
        ZipEntry entry = entries.nextElement();
        boolean directory = entry.getName().endsWith("/");
        Path out = target(root, entry.getName(), seen);
        createParents(root, out.getParent());
        if (directory) {
          Files.createDirectory(out);
          continue;
        }
        try (InputStream in = zip.getInputStream(entry);
            OutputStream file =
                Files.newOutputStream(
                    out,
                    StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE,
                    LinkOption.NOFOLLOW_LINKS)) {
          byte[] buf = new byte[1 << 16];
          for (int n; (n = in.read(buf)) > 0; ) {
            written += n;
            if (written > limits.maxBytes()) {
              throw new InvalidWorkdirException(
                  "the archive unpacks to more than " + limits.maxBytes() + " bytes");
            }
            file.write(buf, 0, n);
          }
        }
        Files.setPosixFilePermissions(
            out,
            PosixFilePermissions.fromString(
                EXECUTABLE.equals(entry.getComment()) ? "rwxr-xr-x" : "rw-r--r--"));
        files++;
      }
    } catch (ZipException e) {
      throw new InvalidWorkdirException("not a readable ZIP archive: " + e.getMessage());
    }
    return files;
  }

  /**
   * Creates the directories from {@code root} down to {@code dir}, refusing any link on the way.
   */
  private static void createParents(Path root, Path dir) throws IOException {
    Path at = root;
    for (Path segment : root.relativize(dir)) {
      at = at.resolve(segment);
      if (Files.isSymbolicLink(at)) {
        throw new InvalidWorkdirException(root.relativize(at) + " is a symbolic link");
      }
      if (!Files.isDirectory(at, LinkOption.NOFOLLOW_LINKS)) {
        Files.createDirectory(at);
      }
    }
  }

  private static void checkName(String name, String path) throws InvalidWorkdirException {
    if (refusal(path) != null) {
      throw new InvalidWorkdirException("entry name refused: \"" + echo(name) + "\"");
    }
  }

  /**
   * Why {@link #unpack} refuses an entry whose path (without a directory's final {@code /}) is
   * {@code path}, or null when it takes it: the one rule {@link #pack} checks too, so that whatever
   * a submit ships every node unpacks.
   */
  public static String refusal(String path) {
    if (path.isEmpty()) {
      return "it is empty";
    }
    if (path.length() > MAX_PATH) {
      return "its path is longer than " + MAX_PATH + " characters";
    }
    if (path.startsWith("/")) {
      return "it is absolute";
    }
    if (path.contains("\\")) {
      return "it holds a backslash";
    }
    for (int i = 0; i < path.length(); i++) {
      if (Character.isISOControl(path.charAt(i))) {
        return String.format(
            java.util.Locale.ROOT, "it holds a control character (\\x%02x)", (int) path.charAt(i));
      }
    }
    for (String segment : path.split("/", -1)) {
      if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
        return "it has an empty, . or .. segment";
      }
    }
    return null;
  }

  private static String echo(String name) {
    String cut = name.length() > 200 ? name.substring(0, 200) + "..." : name;
    return cut.replaceAll("\\p{Cntrl}", "?");
  }

  /** A fresh SHA-256 digest, the one archives are named by. */
  public static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  /** The files to pack, in archive order, gathered before anything is written. */
  private static final class Walk {
    record Item(String name, Path file, boolean executable, long size) {}

    /** How many of the largest files the over-size error names. */
    static final int LARGEST_NAMED = 5;

    private final long limit;
    private final int maxEntries;

    /** dir's path inside its git work tree ("a/b/"), which ignore rules from above it match on. */
    private final String prefix;

    final List<Item> items = new ArrayList<>();
    final List<String> skipped = new ArrayList<>();
    long total;
    int files;

    Walk(long limit, int maxEntries, String prefix) {
      this.limit = limit;
      this.maxEntries = maxEntries;
      this.prefix = prefix;
    }

    void visit(Path dir, String rel, IgnoreRules inherited) throws IOException {
      IgnoreRules rules =
          inherited.withFilesIn(dir, rel.isEmpty() ? trimSlash(prefix) : prefix + rel);
      List<Path> children = new ArrayList<>();
      try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
        entries.forEach(children::add);
      }
      // Not Comparator.comparing: its comparator is a serializable lambda, which the client's AOT
      // cache does not keep, and spinning one costs a client call some milliseconds.
      children.sort((a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString()));
      for (Path child : children) {
        String name = child.getFileName().toString();
        String path = rel.isEmpty() ? name : rel + "/" + name;
        BasicFileAttributes attrs =
            Files.readAttributes(child, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (attrs.isDirectory()) {
          if (name.equals(".git") || rules.ignored(prefix + path, true)) {
            continue;
          }
          check(dir, child, path);
          items.add(new Item(path + "/", null, false, 0));
          visit(child, path, rules);
        } else if (rules.ignored(prefix + path, false)) {
          continue;
        } else if (attrs.isRegularFile()) {
          check(dir, child, path);
          items.add(new Item(path, child, Files.isExecutable(child), attrs.size()));
          total += attrs.size();
          files++;
        } else {
          skipped.add(path);
        }
        if (tooMany()) {
          return;
        }
      }
    }

    /** More entries than a node unpacks: the walk stops there. */
    boolean tooMany() {
      return items.size() > maxEntries;
    }

    /**
     * Refuses a name no node could take; not once the files are over the limit: the walk then goes
     * on only to name the largest files in the over-size error, which is the one to give.
     */
    private void check(Path dir, Path child, String path) throws IOException {
      if (total <= limit) {
        checkEncodable(dir, child, path);
        checkUnpackable(path);
      }
    }

    /**
     * Refuses {@code child} when its name's bytes are not valid in the file name encoding: Java
     * reads them as U+FFFD, so the archive would name another file, and two such names one file.
     */
    private static void checkEncodable(Path dir, Path child, String path) throws IOException {
      String name = child.getFileName().toString();
      if (name.indexOf('\uFFFD') < 0) {
        return;
      }
      Path decoded = dir.resolve(name);
      if (Files.exists(decoded, LinkOption.NOFOLLOW_LINKS) && Files.isSameFile(decoded, child)) {
        return; // a name that truly holds U+FFFD
      }
      throw new UnshippableNameException(
          path.replace('\uFFFD', '?')
              + ": its name is not valid "
              + System.getProperty("sun.jnu.encoding", "UTF-8")
              + ", so it cannot be shipped as it is; rename it, or leave it out with a line in"
              + " .ternignore (gitignore syntax)");
    }

    /** Refuses {@code path} when {@link #unpack} would: every start of the job would fail. */
    private static void checkUnpackable(String path) throws UnshippableNameException {
      String refused = refusal(path);
      if (refused != null) {
        throw new UnshippableNameException(
            shown(path)
                + ": "
                + refused
                + ", which a node refuses to unpack, so it cannot be shipped as it is; rename it,"
                + " or leave it out with a line in .ternignore (gitignore syntax)");
      }
    }

    /** {@code path} on one line: control characters as {@code \\n}, {@code \\t}, {@code \\xHH}. */
    private static String shown(String path) {
      String cut = path.length() > 200 ? path.substring(0, 200) + "..." : path;
      StringBuilder out = new StringBuilder();
      for (int i = 0; i < cut.length(); i++) {
        char c = cut.charAt(i);
        if (c == '\n') {
          out.append("\\n");
        } else if (c == '\t') {
          out.append("\\t");
        } else if (Character.isISOControl(c)) {
          out.append(String.format(java.util.Locale.ROOT, "\\x%02x", (int) c));
        } else {
          out.append(c);
        }
      }
      return out.toString();
    }

    private static String trimSlash(String p) {
      return p.isEmpty() ? p : p.substring(0, p.length() - 1);
    }

    WorkdirTooLargeException tooLarge(Path dir) {
      // Files only (a directory's item has no file), biggest first, ties by name.
      List<String> named =
          items.stream()
              .filter(item -> item.file != null)
              .sorted(Comparator.comparingLong(Item::size).reversed().thenComparing(Item::name))
              .limit(LARGEST_NAMED)
              .map(item -> item.name + " (" + mib(item.size) + ")")
              .toList();
      return new WorkdirTooLargeException(
          dir
              + " holds more than "
              + mib(limit)
              + " of files to ship"
              + (named.isEmpty() ? "" : "; the largest: " + String.join(", ", named)));
    }

    private static String mib(long bytes) {
      return String.format(java.util.Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024.0));
    }
  }

  /** Counts what passes through. */
  private static final class Counting extends java.io.FilterOutputStream {
    long count;

    Counting(OutputStream out) {
      super(out);
    }

    @Override
    public void write(int b) throws IOException {
      out.write(b);
      count++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
      count += len;
    }
  }
}
