package io.tern.cli.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.tern.checkpoint.StoreIdentity;
import io.tern.cli.testing.TernInProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InitStoreCommandTest {
  @TempDir Path tmp;

  @Test
  void initialisesANewStoreOnceAndSaysWhichItIs() throws Exception {
    Path folder = tmp.resolve("mnt/ckpt");

    TernInProcess first = TernInProcess.run("admin", "init-store", folder.toString());
    assertThat(first.exit()).as(first.err()).isZero();
    StoreIdentity made =
        StoreIdentity.decode(Files.readAllBytes(folder.resolve(".tern-store.json")));
    assertThat(first.out())
        .isEqualTo("checkpoint store " + folder + " initialised: " + made + "\n");

    TernInProcess again = TernInProcess.run("admin", "init-store", folder.toUri().toString());
    assertThat(again.exit()).isZero();
    assertThat(again.out()).contains("was initialised already: " + made);
  }

  @Test
  void marksAStoreFromBeforeMarkersAsItIs() throws Exception {
    Path folder = Files.createDirectories(tmp.resolve("old/clusters/c-1/job-000001"));
    Path store = tmp.resolve("old");

    TernInProcess run = TernInProcess.run("admin", "init-store", store.toString());

    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(run.out()).contains("(files from before markers) marked: ");
    assertThat(folder).isDirectory();
    assertThat(store.resolve(".tern-store.json")).isRegularFile();
  }

  @Test
  void anS3LocationIsRefused() {
    TernInProcess run = TernInProcess.run("admin", "init-store", "s3://bucket/prefix");
    assertThat(run.exit()).isEqualTo(2);
    assertThat(run.err()).contains("LOCATION: s3://bucket/prefix is not a file store");
  }
}
