package io.tern.checkpoint;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Small helpers to write and read directory trees in tests. */
public final class Trees {
  private Trees() {}

  /** Writes {@code files} (relative path → content) under {@code dir}, creating it. */
  public static Path write(Path dir, Map<String, String> files) throws IOException {
    Files.createDirectories(dir);
    for (var e : files.entrySet()) {
      Path p = dir.resolve(e.getKey());
      Files.createDirectories(p.getParent());
      Files.writeString(p, e.getValue(), StandardCharsets.UTF_8);
    }
    return dir;
  }

  /** Every regular file under {@code dir}: relative path → content. */
  public static Map<String, String> read(Path dir) throws IOException {
    Map<String, String> out = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.filter(Files::isRegularFile)
          .forEach(
              p -> {
                try {
                  out.put(
                      dir.relativize(p).toString().replace('\\', '/'),
                      Files.readString(p, StandardCharsets.ISO_8859_1));
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
    }
    return out;
  }
}
