package io.tern.scheduler.spec.workdir;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Whatever a directory's names, {@link WorkdirArchive#pack} either refuses one of them with {@link
 * UnshippableNameException}, naming one that {@link WorkdirArchive#refusal} refuses, or writes an
 * archive that {@link WorkdirArchive#unpack} (what every node runs before a start) takes whole,
 * giving back the same files with the same bytes. Fixed seeds keep runs reproducible.
 */
class WorkdirArchivePropertyTest {
  /** Letters, and what shells, ZIP and the unpack rule find awkward; no '/' and no NUL. */
  private static final String CHARS =
      "ab.-_ *?'\"$\\\n\t\r\u0001\u001f\u007f\u0085\u00e9\u2603\uFFFD~#";

  @Provide
  Arbitrary<List<String>> paths() {
    Arbitrary<String> segment =
        Arbitraries.strings()
            .withChars(CHARS.toCharArray())
            .ofMinLength(1)
            .ofMaxLength(6)
            .filter(s -> !s.equals(".") && !s.equals(".."));
    return segment
        .list()
        .ofMinSize(1)
        .ofMaxSize(3)
        .map(s -> String.join("/", s))
        .list()
        .ofMinSize(1)
        .ofMaxSize(4);
  }

  @Property(tries = 300, seed = "20261206")
  void whatPackWritesUnpackTakesAndWhatItRefusesTheRuleRefuses(@ForAll("paths") List<String> paths)
      throws IOException {
    Path tmp = Files.createTempDirectory("workdir-property");
    try {
      Path dir = Files.createDirectories(tmp.resolve("dir"));
      Set<String> made = new TreeSet<>();
      for (String path : paths) {
        Path file = dir.resolve(path);
        try {
          Files.createDirectories(file.getParent());
          Files.writeString(file, path);
          made.add(path);
        } catch (IOException e) {
          // One path's file is another's directory: leave it out.
        }
      }
      ByteArrayOutputStream archive = new ByteArrayOutputStream();
      WorkdirArchive.Packed packed;
      try {
        packed = WorkdirArchive.pack(dir, 1 << 20, archive);
      } catch (UnshippableNameException e) {
        assertThat(everyPath(dir))
            .as(e.getMessage())
            .anyMatch(p -> WorkdirArchive.refusal(p) != null);
        return;
      }
      assertThat(everyPath(dir)).allMatch(p -> WorkdirArchive.refusal(p) == null);
      Path zip = Files.write(tmp.resolve("code.zip"), archive.toByteArray());
      Path run = tmp.resolve("run");

      int files = WorkdirArchive.unpack(zip, run, WorkdirArchive.Limits.DEFAULT);

      assertThat(files).isEqualTo(packed.files());
      assertThat(regularFiles(run)).isEqualTo(regularFiles(dir));
      for (String path : regularFiles(dir)) {
        assertThat(Files.readString(run.resolve(path), StandardCharsets.UTF_8))
            .isEqualTo(Files.readString(dir.resolve(path), StandardCharsets.UTF_8));
      }
    } finally {
      delete(tmp);
    }
  }

  /** Every file and directory under {@code root}, relative, '/'-separated. */
  private static Set<String> everyPath(Path root) throws IOException {
    try (Stream<Path> all = Files.walk(root)) {
      return all.filter(p -> !p.equals(root))
          .map(p -> relative(root, p))
          .collect(java.util.stream.Collectors.toCollection(TreeSet::new));
    }
  }

  private static Set<String> regularFiles(Path root) throws IOException {
    try (Stream<Path> all = Files.walk(root)) {
      return all.filter(Files::isRegularFile)
          .map(p -> relative(root, p))
          .collect(java.util.stream.Collectors.toCollection(TreeSet::new));
    }
  }

  private static String relative(Path root, Path p) {
    return root.relativize(p).toString();
  }

  private static void delete(Path root) {
    try (Stream<Path> all = Files.walk(root)) {
      all.sorted(Comparator.reverseOrder())
          .forEach(
              p -> {
                try {
                  Files.delete(p);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
