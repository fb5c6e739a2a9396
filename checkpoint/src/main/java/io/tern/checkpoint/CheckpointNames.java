package io.tern.checkpoint;

import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * The rules for job ids, checkpoint names and the relative paths of files inside a checkpoint. Each
 * of them ends up in a filesystem path or an object key, so none may be able to leave its place.
 */
public final class CheckpointNames {

  /**
   * Job ids and checkpoint names: 1 to 128 characters of {@code [A-Za-z0-9._-]}, starting with a
   * letter or digit (names starting with a dot are the store's own, e.g. staging directories).
   */
  public static final Pattern NAME_PATTERN = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

  /** The longest relative path accepted inside a checkpoint, in characters. */
  public static final int MAX_PATH_LENGTH = 1024;

  private static final int MAX_COMPONENT_BYTES = 255;

  /**
   * Storage keys: the attempt that wrote a checkpoint, then its name ({@code a2-step-000070}), so
   * two attempts that write the same name (a replaced attempt still running, or a resumed one that
   * repeats steps) never collide.
   */
  private static final Pattern STORAGE_KEY =
      Pattern.compile("a([1-9][0-9]{0,8})-([A-Za-z0-9][A-Za-z0-9._-]{0,127})");

  private CheckpointNames() {}

  /** Where checkpoint {@code name} of {@code attempt} is stored, under its job. */
  public static String storageKey(int attempt, String name) {
    return "a" + attempt + "-" + name;
  }

  /** Whether {@code key} is a storage key ({@link #storageKey}) of a valid name. */
  public static boolean isStorageKey(String key) {
    return key != null && STORAGE_KEY.matcher(key).matches();
  }

  /** The attempt of a storage key. */
  static int attemptOfKey(String key) {
    var m = STORAGE_KEY.matcher(key);
    return m.matches() ? Integer.parseInt(m.group(1)) : 0;
  }

  /** The checkpoint name of a storage key. */
  static String nameOfKey(String key) {
    var m = STORAGE_KEY.matcher(key);
    return m.matches() ? m.group(2) : key;
  }

  public static boolean isValidName(String name) {
    return name != null && NAME_PATTERN.matcher(name).matches();
  }

  /** Returns {@code name} or throws {@link InvalidCheckpointException} naming what it is. */
  public static String requireValidName(String what, String name)
      throws InvalidCheckpointException {
    if (!isValidName(name)) {
      throw new InvalidCheckpointException(
          what
              + " "
              + quote(name)
              + " is not 1-128 characters of [A-Za-z0-9._-] starting with a"
              + " letter or digit");
    }
    return name;
  }

  /**
   * Checks a relative file path as written in a manifest: components separated by {@code /}, none
   * empty, {@code .} or {@code ..}, none with a backslash or a control character, no leading slash.
   *
   * @return null when valid, else why not
   */
  public static String relativePathProblem(String path) {
    if (path == null || path.isEmpty()) {
      return "empty path";
    }
    if (path.length() > MAX_PATH_LENGTH) {
      return "path longer than " + MAX_PATH_LENGTH + " characters";
    }
    if (path.startsWith("/")) {
      return "absolute path " + quote(path);
    }
    for (String component : path.split("/", -1)) {
      if (component.isEmpty() || component.equals(".") || component.equals("..")) {
        return "path " + quote(path) + " has an empty, '.' or '..' component";
      }
      if (component.getBytes(StandardCharsets.UTF_8).length > MAX_COMPONENT_BYTES) {
        return "path " + quote(path) + " has a component over " + MAX_COMPONENT_BYTES + " bytes";
      }
      for (int i = 0; i < component.length(); i++) {
        char c = component.charAt(i);
        if (c < 0x20 || c == 0x7f || c == '\\') {
          return "path " + quote(path) + " has a control character or a backslash";
        }
      }
    }
    return null;
  }

  static String quote(String s) {
    if (s == null) {
      return "null";
    }
    StringBuilder out = new StringBuilder("'");
    s.codePoints()
        .limit(200)
        .forEach(
            cp -> {
              if (cp < 0x20 || cp == 0x7f) {
                out.append(String.format("\\x%02x", cp));
              } else {
                out.appendCodePoint(cp);
              }
            });
    return out.append(s.length() > 200 ? "...'" : "'").toString();
  }
}
