package io.tern.checkpoint;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The files of a local checkpoint directory, checked before anything is copied: regular files only,
 * valid relative paths, symbolic links only when they resolve to a regular file inside the
 * directory, and within {@link CheckpointLimits}. Empty directories are not part of a checkpoint.
 *
 * @param files sorted by relative path
 */
public record CheckpointSource(Path root, List<SourceFile> files, long totalBytes) {

  /**
   * One file to copy.
   *
   * @param path relative, {@code /}-separated, as it will appear in the manifest
   * @param file where to read it, as a real path (the link target, for a link inside the directory)
   * @param size its size when scanned
   */
  public record SourceFile(String path, Path file, long size) {}

  public CheckpointSource {
    files = List.copyOf(files);
  }

  /** Scans {@code dir}; throws {@link InvalidCheckpointException} for anything refused. */
  public static CheckpointSource scan(Path dir, CheckpointLimits limits) throws IOException {
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      throw new InvalidCheckpointException(dir + " is not a directory (or is a symbolic link)");
    }
    Path realRoot = dir.toRealPath();
    List<SourceFile> files = new ArrayList<>();
    long[] total = {0};
    Files.walkFileTree(
        dir,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            String rel = relative(dir, file);
            // The real path: the copy opens it refusing any link on the way (NoFollowFiles).
            Path readFrom = realRoot.resolve(rel);
            long size;
            if (attrs.isSymbolicLink()) {
              Path target;
              try {
                target = file.toRealPath();
              } catch (IOException e) {
                throw new InvalidCheckpointException("dangling symbolic link " + rel);
              }
              if (!target.startsWith(realRoot)
                  || !Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)) {
                throw new InvalidCheckpointException(
                    "symbolic link " + rel + " points outside the checkpoint or not to a file");
              }
              readFrom = target;
              size = Files.size(target);
            } else if (attrs.isRegularFile()) {
              size = attrs.size();
            } else {
              throw new InvalidCheckpointException(rel + " is not a regular file");
            }
            if (size > limits.maxFileBytes()) {
              throw new InvalidCheckpointException(
                  rel + " is " + size + " bytes, over the limit of " + limits.maxFileBytes());
            }
            if (files.size() >= limits.maxFiles()) {
              throw new InvalidCheckpointException("more than " + limits.maxFiles() + " files");
            }
            total[0] += size;
            if (total[0] > limits.maxTotalBytes()) {
              throw new InvalidCheckpointException(
                  "checkpoint over the limit of " + limits.maxTotalBytes() + " bytes");
            }
            files.add(new SourceFile(rel, readFrom, size));
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
            throw e;
          }
        });
    files.sort(Comparator.comparing(SourceFile::path));
    return new CheckpointSource(dir, files, total[0]);
  }

  private static String relative(Path root, Path file) throws InvalidCheckpointException {
    List<String> parts = new ArrayList<>();
    for (Path p : root.relativize(file)) {
      parts.add(p.toString());
    }
    String rel = String.join("/", parts);
    String problem = CheckpointNames.relativePathProblem(rel);
    if (problem != null) {
      throw new InvalidCheckpointException(problem);
    }
    return rel;
  }
}
