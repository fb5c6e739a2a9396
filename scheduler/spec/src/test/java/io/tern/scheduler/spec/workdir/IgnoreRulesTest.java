package io.tern.scheduler.spec.workdir;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class IgnoreRulesTest {

  @Test
  void aNameWithoutSlashMatchesAtAnyDepth() {
    IgnoreRules rules = IgnoreRules.of("*.pt\n# a comment\n\n__pycache__/\n");
    assertThat(rules.ignored("model.pt", false)).isTrue();
    assertThat(rules.ignored("runs/a/model.pt", false)).isTrue();
    assertThat(rules.ignored("model.py", false)).isFalse();
    assertThat(rules.ignored("src/__pycache__", true)).isTrue();
    assertThat(rules.ignored("__pycache__", false))
        .as("a file named so is not a directory")
        .isFalse();
  }

  @Test
  void aSlashAnchorsThePatternToItsFile() {
    IgnoreRules rules = IgnoreRules.of("/data\nlogs/*.txt\n");
    assertThat(rules.ignored("data", true)).isTrue();
    assertThat(rules.ignored("src/data", true)).isFalse();
    assertThat(rules.ignored("logs/a.txt", false)).isTrue();
    assertThat(rules.ignored("logs/deep/a.txt", false)).isFalse();
  }

  @Test
  void doubleStarsAndNegationsAsGitReadsThem() {
    IgnoreRules rules = IgnoreRules.of("**/cache/**\n*.log\n!keep.log\nfile?.[ab]\n");
    assertThat(rules.ignored("x/cache/y/z", false)).isTrue();
    assertThat(rules.ignored("cache/y", false)).isTrue();
    assertThat(rules.ignored("a.log", false)).isTrue();
    assertThat(rules.ignored("keep.log", false)).isFalse();
    assertThat(rules.ignored("file1.a", false)).isTrue();
    assertThat(rules.ignored("file1.c", false)).isFalse();
    assertThat(rules.ignored("file12.a", false)).isFalse();
  }

  @Test
  void anIgnoreFileThatIsNotUtf8IsReadAsFileNamesAre(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws java.io.IOException {
    // "# café" and "café.txt" in Latin-1: é is the byte 0xE9, not UTF-8.
    byte[] text =
        "# caf\u00e9\ncaf\u00e9.txt\n".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    java.nio.file.Files.write(dir.resolve(".ternignore"), text);

    IgnoreRules rules = IgnoreRules.none().withFilesIn(dir, "");

    // Java reads the same byte in a file name as U+FFFD.
    assertThat(rules.ignored("caf\uFFFD.txt", false)).isTrue();
    assertThat(rules.ignored("cafe.txt", false)).isFalse();
  }
}
