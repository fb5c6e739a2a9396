package io.tern.scheduler.spec.workdir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkdirArchiveTest {
  @TempDir Path tmp;

  private Path project() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("project"));
    Files.writeString(dir.resolve("train.py"), "print('hi')\n");
    Files.writeString(dir.resolve("run.sh"), "#!/bin/sh\necho run\n");
    Files.setPosixFilePermissions(
        dir.resolve("run.sh"), PosixFilePermissions.fromString("rwx------"));
    Files.createDirectories(dir.resolve("src/pkg"));
    Files.writeString(dir.resolve("src/pkg/model.py"), "W = 1\n");
    Files.createDirectories(dir.resolve("empty"));
    Files.createDirectories(dir.resolve("data"));
    Files.writeString(dir.resolve("data/big.bin"), "x".repeat(1000));
    Files.writeString(dir.resolve("secret.env"), "TOKEN=1\n");
    Files.writeString(dir.resolve(".gitignore"), "*.env\n");
    Files.writeString(dir.resolve(".ternignore"), "data/\n");
    Files.createDirectories(dir.resolve(".git"));
    Files.writeString(dir.resolve(".git/HEAD"), "ref\n");
    Files.createSymbolicLink(dir.resolve("link"), Path.of("/etc/passwd"));
    return dir;
  }

  @Test
  void packsTheSameFilesToTheSameBytesWhateverTheirTimes() throws IOException {
    Path dir = project();
    ByteArrayOutputStream first = new ByteArrayOutputStream();
    WorkdirArchive.Packed a = WorkdirArchive.pack(dir, 1 << 20, first);
    Files.setLastModifiedTime(dir.resolve("train.py"), FileTime.fromMillis(1_000_000_000L));
    ByteArrayOutputStream second = new ByteArrayOutputStream();
    WorkdirArchive.Packed b = WorkdirArchive.pack(dir, 1 << 20, second);
    assertThat(b.digest()).isEqualTo(a.digest());
    assertThat(second.toByteArray()).isEqualTo(first.toByteArray());
    assertThat(a.archiveBytes()).isEqualTo(first.size());
    assertThat(a.skipped()).containsExactly("link");

    Files.writeString(dir.resolve("train.py"), "print('changed')\n");
    assertThat(WorkdirArchive.pack(dir, 1 << 20, OutputStream.nullOutputStream()).digest())
        .isNotEqualTo(a.digest());
  }

  @Test
  void aFileWhoseHeadDoesNotShrinkIsStoredAndTheRestDeflated() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("mixed"));
    byte[] noise = new byte[100_000];
    new java.util.Random(7).nextBytes(noise);
    // Noise first, then a megabyte of zeros: stored whole, as its head decides.
    byte[] weights = java.util.Arrays.copyOf(noise, noise.length + (1 << 20));
    Files.write(dir.resolve("weights.bin"), weights);
    Files.writeString(dir.resolve("train.py"), "import torch\n".repeat(20_000));
    Files.write(dir.resolve("small.bin"), java.util.Arrays.copyOf(noise, 1000));
    Path archive = tmp.resolve("mixed.zip");
    try (OutputStream out = Files.newOutputStream(archive)) {
      WorkdirArchive.pack(dir, 10 << 20, out);
    }
    try (java.util.zip.ZipFile zip = new java.util.zip.ZipFile(archive.toFile())) {
      assertThat(zip.getEntry("weights.bin").getCompressedSize())
          .isBetween((long) weights.length, weights.length + 1000L);
      assertThat(zip.getEntry("train.py").getCompressedSize()).isLessThan(20_000L);
    }
    Path target = tmp.resolve("unpacked");
    assertThat(WorkdirArchive.unpack(archive, target, WorkdirArchive.Limits.DEFAULT)).isEqualTo(3);
    assertThat(Files.readAllBytes(target.resolve("weights.bin"))).isEqualTo(weights);
    assertThat(Files.readString(target.resolve("train.py"))).hasSize(13 * 20_000);
  }

  @Test
  void theProbeStoresOnlyWhatDeflateCannotShrink() {
    java.util.zip.Deflater probe = new java.util.zip.Deflater(1, true);
    byte[] scratch = new byte[(64 << 10) + 1024];
    byte[] noise = new byte[64 << 10];
    new java.util.Random(11).nextBytes(noise);
    byte[] text = "def step(x):\n  return x\n".repeat(3000).getBytes(StandardCharsets.UTF_8);
    try {
      assertThat(WorkdirArchive.incompressible(noise, noise.length, probe, scratch)).isTrue();
      assertThat(WorkdirArchive.incompressible(text, text.length, probe, scratch)).isFalse();
      assertThat(WorkdirArchive.incompressible(noise, 4000, probe, scratch)).isFalse();
      assertThat(WorkdirArchive.incompressible(noise, 0, probe, scratch)).isFalse();
      // Half noise, half zeros shrinks by more than a twentieth.
      byte[] half = java.util.Arrays.copyOf(noise, noise.length);
      java.util.Arrays.fill(half, half.length / 2, half.length, (byte) 0);
      assertThat(WorkdirArchive.incompressible(half, half.length, probe, scratch)).isFalse();
      // The deflater is reused: the answer does not depend on what it probed before.
      assertThat(WorkdirArchive.incompressible(noise, noise.length, probe, scratch)).isTrue();
    } finally {
      probe.end();
    }
  }

  @Test
  void unpacksWhatWasNotIgnoredWithItsExecutableBit() throws IOException {
    Path dir = project();
    Path zip = tmp.resolve("w.zip");
    WorkdirArchive.Packed packed = WorkdirArchive.pack(dir, 1 << 20, Files.newOutputStream(zip));
    assertThat(WorkdirArchive.digestOf(zip)).isEqualTo(packed.digest());
    Path out = tmp.resolve("out");
    int files = WorkdirArchive.unpack(zip, out, WorkdirArchive.Limits.DEFAULT);
    assertThat(files).isEqualTo(5).isEqualTo(packed.files());
    assertThat(out.resolve("src/pkg/model.py")).hasContent("W = 1");
    assertThat(out.resolve("empty")).isDirectory();
    assertThat(out.resolve("data")).doesNotExist();
    assertThat(out.resolve("secret.env")).doesNotExist();
    assertThat(out.resolve(".git")).doesNotExist();
    assertThat(out.resolve("link")).doesNotExist();
    assertThat(out.resolve(".ternignore")).exists();
    assertThat(Files.isExecutable(out.resolve("run.sh"))).isTrue();
    assertThat(Files.isExecutable(out.resolve("train.py"))).isFalse();
  }

  @Test
  void insideAGitWorkTreeTheIgnoreFilesAboveCountToo() throws IOException {
    Path repo = Files.createDirectories(tmp.resolve("repo"));
    Files.createDirectories(repo.resolve(".git"));
    Files.writeString(repo.resolve(".gitignore"), "target/\n/top-only.txt\n");
    Path sub = Files.createDirectories(repo.resolve("services/trainer"));
    Files.writeString(repo.resolve("services/.gitignore"), "trainer/*.tmp\n");
    Files.writeString(sub.resolve("train.py"), "print(1)\n");
    Files.writeString(sub.resolve("scratch.tmp"), "x\n");
    Files.writeString(sub.resolve("top-only.txt"), "anchored to the top: shipped\n");
    Files.createDirectories(sub.resolve("target"));
    Files.writeString(sub.resolve("target/app.jar"), "jar\n");
    Path zip = tmp.resolve("sub.zip");
    WorkdirArchive.pack(sub, 1 << 20, Files.newOutputStream(zip));
    Path out = tmp.resolve("sub-out");
    WorkdirArchive.unpack(zip, out, WorkdirArchive.Limits.DEFAULT);
    try (var files = Files.walk(out)) {
      assertThat(files.filter(Files::isRegularFile).map(f -> out.relativize(f).toString()))
          .containsExactlyInAnyOrder("train.py", "top-only.txt");
    }
  }

  @Test
  void refusesADirectoryOverTheLimitNamingItsLargestFiles() throws IOException {
    Path dir = project();
    Files.writeString(dir.resolve(".ternignore"), "");
    assertThatThrownBy(() -> WorkdirArchive.pack(dir, 500, OutputStream.nullOutputStream()))
        .isInstanceOf(WorkdirTooLargeException.class)
        .hasMessageContaining("more than 0.0 MiB")
        .hasMessageContaining("data/big.bin");
  }

  @Test
  void refusesANameThatIsNotValidInTheFileNameEncodingUnlessIgnored() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("latin1"));
    Files.writeString(dir.resolve("train.py"), "print(1)\n");
    Files.writeString(dir.resolve("ok\uFFFD.txt"), "a name that truly holds U+FFFD\n");
    // Java cannot make a name from raw bytes; the shell can (\351 and \350: é and è in Latin-1).
    Process touch =
        new ProcessBuilder(
                "sh", "-c", "touch \"$(printf 'caf\\351.txt')\" \"$(printf 'caf\\350.txt')\"")
            .directory(dir.toFile())
            .start();
    org.junit.jupiter.api.Assumptions.assumeTrue(
        touch.waitFor() == 0, "sh could not make the names");
    try (var names = Files.list(dir)) {
      org.junit.jupiter.api.Assumptions.assumeTrue(
          names.filter(p -> p.getFileName().toString().startsWith("caf")).count() == 2,
          "this file system or encoding does not keep the two names apart");
    }

    assertThatThrownBy(() -> WorkdirArchive.pack(dir, 1 << 20, OutputStream.nullOutputStream()))
        .isInstanceOf(UnshippableNameException.class)
        .hasMessageStartingWith("caf?.txt: its name is not valid")
        .hasMessageContaining("rename it")
        .hasMessageContaining(".ternignore");

    Files.writeString(dir.resolve(".ternignore"), "caf*.txt\n");
    assertThat(WorkdirArchive.pack(dir, 1 << 20, OutputStream.nullOutputStream()).files())
        .isEqualTo(3);
  }

  @Test
  void refusesAtPackTheNamesAnUnpackRefusesUnlessIgnored() throws Exception {
    Map<String, String> shown =
        Map.of(
            "back\\slash", "back\\slash: it holds a backslash",
            "new\nline", "new\\nline: it holds a control character (\\x0a)",
            "a\ttab", "a\\ttab: it holds a control character (\\x09)",
            "ctl\u0001", "ctl\\x01: it holds a control character (\\x01)",
            "sub/dir\\x", "sub/dir\\x: it holds a backslash");
    for (var name : shown.entrySet()) {
      Path dir = Files.createDirectories(tmp.resolve("names-" + shown.size() + name.hashCode()));
      Files.writeString(dir.resolve("train.py"), "print(1)\n");
      Path file = dir.resolve(name.getKey());
      Files.createDirectories(file.getParent());
      Files.writeString(file, "x\n");

      assertThatThrownBy(() -> WorkdirArchive.pack(dir, 1 << 20, OutputStream.nullOutputStream()))
          .as(name.getValue())
          .isInstanceOf(UnshippableNameException.class)
          .hasMessageStartingWith(name.getValue() + ", which a node refuses to unpack")
          .hasMessageContaining("rename it")
          .hasMessageContaining(".ternignore");

      Files.writeString(dir.resolve(".ternignore"), ignoring(name.getKey()));
      assertThat(WorkdirArchive.pack(dir, 1 << 20, OutputStream.nullOutputStream()).files())
          .as("ignored: " + name.getValue())
          .isEqualTo(2); // train.py and .ternignore
    }
  }

  /** A .ternignore line for the last segment of {@code name}: its first character and a *. */
  private static String ignoring(String name) {
    String last = name.substring(name.lastIndexOf('/') + 1);
    return last.charAt(0) + "*\n";
  }

  @Test
  void aDirectoryWhoseNameUnpackRefusesIsRefusedAtPack() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("dirs"));
    Files.createDirectories(dir.resolve("a\\b/c"));
    Files.writeString(dir.resolve("a\\b/c/f.py"), "x\n");

    assertThatThrownBy(() -> WorkdirArchive.pack(dir, 1 << 20, OutputStream.nullOutputStream()))
        .isInstanceOf(UnshippableNameException.class)
        .hasMessageStartingWith("a\\b: it holds a backslash");
  }

  @Test
  void theSharedRuleTakesOrdinaryPathsAndRefusesHostileOnes() {
    assertThat(WorkdirArchive.refusal("src/pkg/model.py")).isNull();
    assertThat(WorkdirArchive.refusal("caf\u00e9 \u2603 $x 'q' \"d\" *?[]")).isNull();
    for (String bad :
        new String[] {
          "",
          "/etc/passwd",
          "a/../b",
          "./a",
          "a//b",
          "a\\b",
          "a\nb",
          "a\u007fb",
          "a\u0085b",
          "x".repeat(4097)
        }) {
      assertThat(WorkdirArchive.refusal(bad)).as(bad).isNotNull();
    }
  }

  @Test
  void theOverSizeErrorNamesTheFiveLargestFilesBiggestFirstAndNoDirectory() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("sizes"));
    Files.createDirectories(dir.resolve("data/empty"));
    long mib = 1024 * 1024;
    Map<String, Long> sizes =
        Map.of(
            "a.bin",
            mib,
            "data/b.bin",
            3 * mib,
            "c.bin",
            2 * mib,
            "d.bin",
            mib / 2,
            "e.bin",
            4 * mib,
            "f.bin",
            mib / 10);
    for (var file : sizes.entrySet()) {
      try (var raf = new java.io.RandomAccessFile(dir.resolve(file.getKey()).toFile(), "rw")) {
        raf.setLength(file.getValue()); // sparse: the size is what counts
      }
    }
    assertThatThrownBy(() -> WorkdirArchive.pack(dir, 10 * mib, OutputStream.nullOutputStream()))
        .isInstanceOf(WorkdirTooLargeException.class)
        .hasMessageEndingWith(
            "; the largest: e.bin (4.0 MiB), data/b.bin (3.0 MiB), c.bin (2.0 MiB),"
                + " a.bin (1.0 MiB), d.bin (0.5 MiB)");
  }

  @Test
  void theLargestFilesAreNamedThoughTheyComeAfterTheLimitWasPassed() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("late"));
    long mib = 1024 * 1024;
    for (var file :
        Map.of("a/one.bin", 3 * mib, "a/two.bin", 3 * mib, "z/huge.bin", 6 * mib).entrySet()) {
      Files.createDirectories(dir.resolve(file.getKey()).getParent());
      try (var raf = new java.io.RandomAccessFile(dir.resolve(file.getKey()).toFile(), "rw")) {
        raf.setLength(file.getValue());
      }
    }
    Files.writeString(dir.resolve("z/bad\\name.txt"), "a name no node takes, after the limit\n");

    assertThatThrownBy(() -> WorkdirArchive.pack(dir, 4 * mib, OutputStream.nullOutputStream()))
        .isInstanceOf(WorkdirTooLargeException.class)
        .hasMessageEndingWith(
            "; the largest: z/huge.bin (6.0 MiB), a/one.bin (3.0 MiB), a/two.bin (3.0 MiB),"
                + " z/bad\\name.txt (0.0 MiB)");
  }

  @Test
  void refusesMoreEntriesThanANodeUnpacks() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("many"));
    Files.createDirectories(dir.resolve("sub"));
    for (int f = 0; f < 9; f++) {
      Files.createFile(dir.resolve("sub/f" + f));
    }
    assertThat(WorkdirArchive.pack(dir, 1 << 20, 10, OutputStream.nullOutputStream()).files())
        .isEqualTo(9);

    Files.createFile(dir.resolve("one-more"));

    assertThatThrownBy(() -> WorkdirArchive.pack(dir, 1 << 20, 10, OutputStream.nullOutputStream()))
        .isInstanceOf(WorkdirTooLargeException.class)
        .hasMessage(
            dir + " holds more than 10 files and directories to ship, the most a node unpacks");
  }

  @Test
  void refusesHostileArchives() throws IOException {
    for (Map.Entry<String, String> bad :
        Map.of(
                "../escape.py", "leaves",
                "/etc/cron.d/x", "refused",
                "a/../../b", "refused",
                "a\\..\\b", "refused",
                "./a", "refused")
            .entrySet()) {
      Path zip = zipOf(Map.of(bad.getKey(), "x"));
      Path out = tmp.resolve("out-" + Math.abs(bad.getKey().hashCode()));
      assertThatThrownBy(() -> WorkdirArchive.unpack(zip, out, WorkdirArchive.Limits.DEFAULT))
          .as(bad.getKey())
          .isInstanceOf(InvalidWorkdirException.class);
      assertThat(tmp.resolve("escape.py")).doesNotExist();
    }
  }

  @Test
  void refusesAnArchiveThatInflatesPastTheLimitWhateverItClaims() throws IOException {
    Path zip = zipOf(Map.of("bomb.bin", "0".repeat(1 << 20)));
    assertThatThrownBy(
            () -> WorkdirArchive.unpack(zip, tmp.resolve("o"), new WorkdirArchive.Limits(1000, 10)))
        .isInstanceOf(InvalidWorkdirException.class)
        .hasMessageContaining("more than 1000 bytes");
    Path many = zipOf(Map.of("a", "1", "b", "2", "c", "3"));
    assertThatThrownBy(
            () -> WorkdirArchive.unpack(many, tmp.resolve("p"), new WorkdirArchive.Limits(1000, 2)))
        .hasMessageContaining("3 entries");
  }

  @Test
  void refusesToWriteThroughALinkAlreadyInTheTarget() throws IOException {
    Path outside = Files.createDirectories(tmp.resolve("outside"));
    Path out = Files.createDirectories(tmp.resolve("target"));
    Files.createSymbolicLink(out.resolve("sub"), outside);
    Path zip = zipOf(Map.of("sub/evil.py", "x"));
    assertThatThrownBy(() -> WorkdirArchive.unpack(zip, out, WorkdirArchive.Limits.DEFAULT))
        .isInstanceOf(InvalidWorkdirException.class)
        .hasMessageContaining("symbolic link");
    assertThat(outside.resolve("evil.py")).doesNotExist();
  }

  private Path zipOf(Map<String, String> entries) throws IOException {
    Path zip = Files.createTempFile(tmp, "bad", ".zip");
    try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(zip))) {
      for (var e : new java.util.TreeMap<>(entries).entrySet()) {
        out.putNextEntry(new ZipEntry(e.getKey()));
        out.write(e.getValue().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        out.closeEntry();
      }
    }
    return zip;
  }
}
