package io.tern.scheduler.spec.workdir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Which files of a working directory stay behind, read from {@code .gitignore} and {@code
 * .ternignore} files in gitignore syntax: {@code #} comments, {@code !} re-includes, a trailing
 * {@code /} matches only directories, a pattern with a {@code /} before its end is anchored to the
 * directory of its file (otherwise it matches a name at any depth below it), and {@code *}, {@code
 * ?}, {@code [a-z]} and {@code **} as git reads them. In each directory the {@code .gitignore}
 * rules come first and the {@code .ternignore} rules after, so a {@code .ternignore} can re-include
 * what git ignores; the last rule that matches decides. As in git, nothing inside an ignored
 * directory can be re-included (the directory is not read). Immutable.
 */
public final class IgnoreRules {
  /** The files read in each directory, in this order. */
  public static final List<String> FILES = List.of(".gitignore", ".ternignore");

  private record Rule(String base, Pattern pattern, boolean negate, boolean dirOnly) {
    boolean matches(String path) {
      return path.startsWith(base) && pattern.matcher(path.substring(base.length())).matches();
    }
  }

  private final List<Rule> rules;

  private IgnoreRules(List<Rule> rules) {
    this.rules = rules;
  }

  public static IgnoreRules none() {
    return new IgnoreRules(List.of());
  }

  /**
   * These rules plus those of {@code dir}'s ignore files.
   *
   * @param relDir {@code dir} relative to the working directory ({@code ""} for the top), with
   *     {@code /} separators
   */
  public IgnoreRules withFilesIn(Path dir, String relDir) throws IOException {
    List<Rule> all = new ArrayList<>(rules);
    String base = relDir.isEmpty() ? "" : relDir + "/";
    for (String name : FILES) {
      Path file = dir.resolve(name);
      if (Files.isRegularFile(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
        // Bytes that are not UTF-8 read as U+FFFD, as they do in the file names the rules match
        // (a pattern naming such a file leaves it out); refusing the file would leave no way to.
        new String(Files.readAllBytes(file), StandardCharsets.UTF_8)
            .lines()
            .forEach(line -> parse(base, line).ifPresent(all::add));
      }
    }
    return all.size() == rules.size() ? this : new IgnoreRules(List.copyOf(all));
  }

  /** Rules from text, as if it were the top directory's ignore file (for tests and callers). */
  public static IgnoreRules of(String text) {
    List<Rule> all = new ArrayList<>();
    text.lines().forEach(line -> parse("", line).ifPresent(all::add));
    return new IgnoreRules(List.copyOf(all));
  }

  /**
   * Whether {@code path} (relative to the working directory, {@code /} separators) stays behind.
   */
  public boolean ignored(String path, boolean directory) {
    boolean ignored = false;
    for (Rule rule : rules) {
      if ((!rule.dirOnly || directory) && rule.matches(path)) {
        ignored = !rule.negate;
      }
    }
    return ignored;
  }

  private static java.util.Optional<Rule> parse(String base, String line) {
    String p = stripTrailingSpaces(line);
    if (p.isEmpty() || p.startsWith("#")) {
      return java.util.Optional.empty();
    }
    boolean negate = false;
    if (p.startsWith("!")) {
      negate = true;
      p = p.substring(1);
    } else if (p.startsWith("\\!") || p.startsWith("\\#")) {
      p = p.substring(1);
    }
    boolean dirOnly = p.endsWith("/");
    if (dirOnly) {
      p = p.substring(0, p.length() - 1);
    }
    boolean anchored = p.contains("/");
    if (p.startsWith("/")) {
      p = p.substring(1);
    }
    if (p.isEmpty()) {
      return java.util.Optional.empty();
    }
    String regex = (anchored ? "" : "(?:.*/)?") + glob(p);
    return java.util.Optional.of(new Rule(base, Pattern.compile(regex), negate, dirOnly));
  }

  private static String stripTrailingSpaces(String line) {
    int end = line.length();
    while (end > 0 && line.charAt(end - 1) == ' ' && !(end > 1 && line.charAt(end - 2) == '\\')) {
      end--;
    }
    return line.substring(0, end);
  }

  /** A gitignore glob as a regular expression over a relative path. */
  static String glob(String p) {
    StringBuilder out = new StringBuilder();
    int i = 0;
    while (i < p.length()) {
      char c = p.charAt(i);
      if (p.startsWith("**/", i)) {
        out.append("(?:.*/)?");
        i += 3;
      } else if (p.startsWith("/**", i) && i + 3 == p.length()) {
        out.append("/.*");
        i += 3;
      } else if (p.startsWith("**", i)) {
        out.append(".*");
        i += 2;
      } else if (c == '*') {
        out.append("[^/]*");
        i++;
      } else if (c == '?') {
        out.append("[^/]");
        i++;
      } else if (c == '[' && p.indexOf(']', i + 2) > 0) {
        int close = p.indexOf(']', i + 2);
        String set = p.substring(i + 1, close);
        if (set.startsWith("!")) {
          set = "^" + set.substring(1);
        }
        out.append('[').append(set.replace("\\", "\\\\").replace("[", "\\[")).append(']');
        i = close + 1;
      } else if (c == '\\' && i + 1 < p.length()) {
        out.append(Pattern.quote(String.valueOf(p.charAt(i + 1))));
        i += 2;
      } else {
        out.append(Pattern.quote(String.valueOf(c)));
        i++;
      }
    }
    return out.toString();
  }
}
