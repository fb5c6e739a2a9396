package io.tern.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tern.checkpoint.RestoreResult.SkippedCheckpoint;
import io.tern.testing.TestClock;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The behaviour every {@link CheckpointStore} must have. A subclass supplies a store and raw access
 * to what it stored (to corrupt it the way disks, networks and people do).
 */
public abstract class CheckpointStoreContract {

  protected static final String JOB = "job-42";
  protected static final Instant T0 = Instant.parse("2026-11-23T06:00:00Z");
  private static final JsonMapper JSON = JsonMapper.builder().build();

  @TempDir protected Path tmp;
  protected final TestClock clock = new TestClock(T0);
  protected CheckpointStore store;
  private int dirs;

  /** A store over fresh, empty storage. */
  protected abstract CheckpointStore newStore(CheckpointStoreSettings settings) throws Exception;

  /** Raw bytes stored for {@code key} ("manifest.json" or "data/PATH") of a checkpoint. */
  protected abstract byte[] readRaw(String jobId, String name, String key) throws Exception;

  protected abstract void writeRaw(String jobId, String name, String key, byte[] bytes)
      throws Exception;

  protected abstract void deleteRaw(String jobId, String name, String key) throws Exception;

  /** Every file or object the store holds for a job, as paths relative to the job. */
  protected abstract List<String> rawEntries(String jobId) throws Exception;

  @BeforeEach
  void openStore() throws Exception {
    store = newStore(CheckpointStoreSettings.of(3, clock));
  }

  @AfterEach
  void closeStore() throws Exception {
    store.close();
  }

  protected Path localCheckpoint(Map<String, String> files) throws IOException {
    return Trees.write(tmp.resolve("local-" + dirs++), files);
  }

  /** Where checkpoint {@code name} of attempt 1 is stored under its job. */
  protected static String key(String name) {
    return CheckpointNames.storageKey(1, name);
  }

  protected static AttemptFence attempt(int number) {
    return new AttemptFence(number, 0);
  }

  protected Path target() {
    return tmp.resolve("restore-" + dirs++);
  }

  protected CommittedCheckpoint commit(String name, Map<String, String> files) throws IOException {
    clock.advance(Duration.ofMinutes(1));
    return store.commit(JOB, attempt(1), localCheckpoint(files), name, OptionalLong.empty());
  }

  private static final Map<String, String> FILES =
      Map.of("state", "step=100\n", "model/weights.bin", "\u0000\u0001binary\u00ff", "empty", "");

  @Test
  void commitListRestoreRoundTrip() throws Exception {
    Path local = localCheckpoint(FILES);
    clock.advance(Duration.ofSeconds(5));
    CommittedCheckpoint c =
        store.commit(JOB, attempt(2), local, "step-000100", OptionalLong.of(100));

    assertThat(c.name()).isEqualTo("step-000100");
    assertThat(c.attempt()).isEqualTo(2);
    assertThat(c.step()).hasValue(100);
    assertThat(c.sequence()).isEqualTo(1);
    assertThat(c.committedAt()).isEqualTo(T0.plusSeconds(5));
    assertThat(c.fileCount()).isEqualTo(3);
    assertThat(c.sizeBytes())
        .isEqualTo(
            Files.size(local.resolve("state")) + Files.size(local.resolve("model/weights.bin")));
    assertThat(c.manifestSha256())
        .isEqualTo(Sha256.of(readRaw(JOB, "a2-step-000100", "manifest.json")));
    assertThat(store.list(JOB)).containsExactly(c);

    Path target = target();
    RestoreResult r = store.restoreLatest(JOB, target);
    assertThat(r.restored()).contains(c);
    assertThat(r.skipped()).isEmpty();
    assertThat(Trees.read(target)).isEqualTo(Trees.read(local));
    assertThat(Files.list(target.getParent()).map(p -> p.getFileName().toString()))
        .noneMatch(n -> n.contains(".restore-"));
  }

  @Test
  void emptyJobHasNothingToRestore() throws Exception {
    Path target = target();
    RestoreResult r = store.restoreLatest(JOB, target);
    assertThat(r.restored()).isEmpty();
    assertThat(r.skipped()).isEmpty();
    assertThat(target).doesNotExist();
    assertThat(store.list(JOB)).isEmpty();
  }

  @Test
  void listIsNewestFirstByCommitOrderEvenWhenTheClockGoesBack() throws Exception {
    commit("a", Map.of("f", "1"));
    commit("b", Map.of("f", "2"));
    clock.set(T0.minus(Duration.ofDays(1))); // a node with a skewed clock commits next
    CommittedCheckpoint c =
        store.commit(JOB, attempt(2), localCheckpoint(Map.of("f", "3")), "c", OptionalLong.empty());

    assertThat(store.list(JOB))
        .extracting(CommittedCheckpoint::name)
        .containsExactly("c", "b", "a");
    assertThat(store.list(JOB))
        .extracting(CommittedCheckpoint::sequence)
        .containsExactly(3L, 2L, 1L);
    Path target = target();
    assertThat(store.restoreLatest(JOB, target).restored()).contains(c);
    assertThat(Trees.read(target)).containsEntry("f", "3");
  }

  @Test
  void keepsTheLastNAfterEachCommit() throws Exception {
    for (int i = 1; i <= 5; i++) {
      commit("ckpt-" + i, Map.of("f", "v" + i));
    }
    assertThat(store.list(JOB))
        .extracting(CommittedCheckpoint::name)
        .containsExactly("ckpt-5", "ckpt-4", "ckpt-3");
    assertThat(rawEntries(JOB))
        .noneMatch(e -> e.startsWith("a1-ckpt-1/") || e.startsWith("a1-ckpt-2/"));
  }

  @Test
  void keepLastIsConfigurable() throws Exception {
    store.close();
    store = newStore(CheckpointStoreSettings.of(1, clock));
    commit("a", Map.of("f", "1"));
    commit("b", Map.of("f", "2"));
    assertThat(store.list(JOB)).extracting(CommittedCheckpoint::name).containsExactly("b");
  }

  @Test
  void aCommitThatFailsMidCopyLeavesNoVisibleCheckpoint() throws Exception {
    CommittedCheckpoint good = commit("good", Map.of("f", "ok"));
    List<List<String>> seenMidCommit = new ArrayList<>();
    SourceOpener failing =
        file -> {
          InputStream in = SourceOpener.DEFAULT.open(file);
          if (!file.getFileName().toString().equals("zz-poison")) {
            return in;
          }
          try {
            seenMidCommit.add(store.list(JOB).stream().map(CommittedCheckpoint::name).toList());
          } catch (IOException e) {
            throw new AssertionError(e);
          }
          return new FilterInputStream(in) {
            private int served;

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
              if (served > 0) {
                throw new IOException("disk died mid-copy");
              }
              int n = super.read(b, off, Math.min(len, 4));
              served += n;
              return n;
            }
          };
        };
    store.close();
    store = newStore(CheckpointStoreSettings.of(3, clock).withSourceOpener(failing));
    // Reopening must not lose what the first store committed.
    assertThat(store.list(JOB)).containsExactly(good);

    Path local = localCheckpoint(Map.of("a", "first file", "zz-poison", "x".repeat(10_000)));
    assertThatThrownBy(() -> store.commit(JOB, attempt(1), local, "broken", OptionalLong.empty()))
        .isInstanceOf(IOException.class)
        .hasStackTraceContaining("disk died mid-copy");

    assertThat(seenMidCommit)
        .isNotEmpty()
        .allSatisfy(names -> assertThat(names).containsExactly("good"));
    assertThat(store.list(JOB)).containsExactly(good);
    RestoreResult r = store.restoreLatest(JOB, target());
    assertThat(r.restored()).contains(good);
    assertThat(r.skipped()).isEmpty();
    assertThat(rawEntries(JOB)).noneMatch(e -> e.contains("broken"));
  }

  @Test
  void aFlippedByteFallsBackToThePreviousCheckpointAndReportsTheLoss() throws Exception {
    CommittedCheckpoint older = commit("older", Map.of("model.bin", "weights-v1"));
    commit("newer", Map.of("model.bin", "weights-v2"));
    byte[] data = readRaw(JOB, key("newer"), "data/model.bin");
    data[3] ^= 0x01;
    writeRaw(JOB, key("newer"), "data/model.bin", data);

    Path target = target();
    RestoreResult r = store.restoreLatest(JOB, target);
    assertThat(r.restored()).contains(older);
    assertThat(r.skipped())
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.name()).isEqualTo("newer");
              assertThat(s.reason()).contains("model.bin").contains("SHA-256");
            });
    assertThat(Trees.read(target)).containsExactly(Map.entry("model.bin", "weights-v1"));
    assertThatThrownBy(() -> store.restore(JOB, 1, "newer", target()))
        .isInstanceOf(CorruptCheckpointException.class);
  }

  @Test
  void aMissingOrTruncatedFileFallsBack() throws Exception {
    commit("one", Map.of("a", "1"));
    commit("two", Map.of("a", "2", "b", "bee"));
    commit("three", Map.of("a", "3"));
    deleteRaw(JOB, key("three"), "data/a");
    writeRaw(JOB, key("two"), "data/b", "be".getBytes(StandardCharsets.UTF_8));

    RestoreResult r = store.restoreLatest(JOB, target());
    assertThat(r.restored().orElseThrow().name()).isEqualTo("one");
    assertThat(r.skipped())
        .extracting(SkippedCheckpoint::name, SkippedCheckpoint::reason)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("three", "file a is missing"),
            org.assertj.core.groups.Tuple.tuple("two", "file b has 2 bytes, manifest says 3"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"garbled", "truncated", "missing", "tampered", "moved"})
  void aBadManifestIsNeverRestored(String damage) throws Exception {
    CommittedCheckpoint older = commit("older", Map.of("f", "old"));
    commit("newer", Map.of("f", "new"));
    byte[] manifest = readRaw(JOB, key("newer"), "manifest.json");
    switch (damage) {
      case "garbled" -> {
        manifest[manifest.length / 2] = '#';
        writeRaw(JOB, key("newer"), "manifest.json", manifest);
      }
      case "truncated" ->
          writeRaw(
              JOB,
              key("newer"),
              "manifest.json",
              java.util.Arrays.copyOf(manifest, manifest.length / 2));
      case "missing" -> deleteRaw(JOB, key("newer"), "manifest.json");
      // Valid JSON with a changed field but the old digest: caught by the self-digest.
      case "tampered" ->
          writeRaw(
              JOB,
              key("newer"),
              "manifest.json",
              new String(manifest, StandardCharsets.UTF_8)
                  .replace("\"sequence\":2", "\"sequence\":9")
                  .getBytes(StandardCharsets.UTF_8));
      // A valid manifest of another checkpoint copied over this one.
      case "moved" ->
          writeRaw(JOB, key("newer"), "manifest.json", readRaw(JOB, key("older"), "manifest.json"));
      default -> throw new IllegalArgumentException(damage);
    }

    assertThat(store.list(JOB)).extracting(CommittedCheckpoint::name).containsExactly("older");
    Path target = target();
    RestoreResult r = store.restoreLatest(JOB, target);
    assertThat(r.restored()).contains(older);
    assertThat(r.skipped()).extracting(SkippedCheckpoint::name).containsExactly("newer");
    assertThat(r.skipped().get(0).reason()).containsIgnoringCase("manifest");
    assertThat(Trees.read(target)).containsExactly(Map.entry("f", "old"));
  }

  @Test
  void whenEveryCheckpointIsCorruptNothingIsRestored() throws Exception {
    commit("a", Map.of("f", "1"));
    commit("b", Map.of("f", "2"));
    deleteRaw(JOB, key("a"), "data/f");
    writeRaw(JOB, key("b"), "data/f", "3".getBytes(StandardCharsets.UTF_8));
    Path target = target();
    Files.createDirectories(target);

    RestoreResult r = store.restoreLatest(JOB, target);
    assertThat(r.restored()).isEmpty();
    assertThat(r.skipped()).extracting(SkippedCheckpoint::name).containsExactly("b", "a");
    assertThat(target).isEmptyDirectory();
  }

  @Test
  void aResealedManifestWithAnEscapingPathIsRefused() throws Exception {
    CommittedCheckpoint older = commit("older", Map.of("f", "old"));
    commit("evil", Map.of("f", "x"));
    writeRaw(
        JOB,
        key("evil"),
        "manifest.json",
        reseal(
            readRaw(JOB, key("evil"), "manifest.json"),
            m -> ((ObjectNode) m.withArray("files").get(0)).put("path", "../../escaped")));

    Path target = target();
    RestoreResult r = store.restoreLatest(JOB, target);
    assertThat(r.restored()).contains(older);
    assertThat(r.skipped()).singleElement().satisfies(s -> assertThat(s.reason()).contains("'..'"));
    assertThat(tmp.resolve("escaped")).doesNotExist();
    assertThat(target.getParent().getParent().resolve("escaped")).doesNotExist();
  }

  @Test
  void recommittingTheSameFilesIsIdempotentAndDifferentFilesConflict() throws Exception {
    CommittedCheckpoint first = commit("step-10", Map.of("f", "same"));
    clock.advance(Duration.ofMinutes(5));
    CommittedCheckpoint again =
        store.commit(
            JOB, attempt(1), localCheckpoint(Map.of("f", "same")), "step-10", OptionalLong.of(10));
    assertThat(again).isEqualTo(first);

    assertThatThrownBy(
            () ->
                store.commit(
                    JOB,
                    attempt(1),
                    localCheckpoint(Map.of("f", "other")),
                    "step-10",
                    OptionalLong.empty()))
        .isInstanceOf(CheckpointConflictException.class);
    assertThat(store.list(JOB)).containsExactly(first);
  }

  @Test
  void anotherAttemptMayUseTheSameNameWithoutACollision() throws Exception {
    CommittedCheckpoint first = commit("step-10", Map.of("f", "attempt 1"));
    CommittedCheckpoint second =
        store.commit(
            JOB,
            attempt(2),
            localCheckpoint(Map.of("f", "attempt 2")),
            "step-10",
            OptionalLong.empty());

    assertThat(second.name()).isEqualTo(first.name());
    assertThat(second.storageKey()).isEqualTo("a2-step-10").isNotEqualTo(first.storageKey());
    assertThat(store.list(JOB)).containsExactly(second, first);
    Path target = target();
    assertThat(store.restoreLatest(JOB, target).restored()).contains(second);
    assertThat(Trees.read(target)).containsExactly(Map.entry("f", "attempt 2"));
  }

  @Test
  void anUnrestorableCheckpointIsReplacedByANewCommitOfTheSameName() throws Exception {
    commit("step-10", Map.of("f", "v1"));
    deleteRaw(JOB, key("step-10"), "manifest.json");
    CommittedCheckpoint fresh = commit("step-10", Map.of("f", "v2"));
    Path target = target();
    assertThat(store.restoreLatest(JOB, target).restored()).contains(fresh);
    assertThat(Trees.read(target)).containsExactly(Map.entry("f", "v2"));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "..", ".", "../x", "a/b", "/abs", ".hidden", "", "a b", "naïve", "x\u0000", "-dash"
      })
  void hostileNamesAreRefused(String bad) throws Exception {
    Path local = localCheckpoint(Map.of("f", "1"));
    assertThatThrownBy(() -> store.commit(JOB, attempt(1), local, bad, OptionalLong.empty()))
        .isInstanceOf(InvalidCheckpointException.class);
    assertThatThrownBy(() -> store.commit(bad, attempt(1), local, "ok", OptionalLong.empty()))
        .isInstanceOf(InvalidCheckpointException.class);
    assertThatThrownBy(() -> store.restoreLatest(bad, target()))
        .isInstanceOf(InvalidCheckpointException.class);
    assertThat(rawEntries(JOB)).isEmpty();
  }

  @Test
  void aLinkPointingOutsideTheCheckpointIsRefused() throws Exception {
    Path secret = Files.writeString(tmp.resolve("secret"), "do not copy");
    Path local = localCheckpoint(Map.of("f", "1"));
    Files.createSymbolicLink(local.resolve("leak"), secret);
    assertThatThrownBy(() -> store.commit(JOB, attempt(1), local, "ckpt", OptionalLong.empty()))
        .isInstanceOf(InvalidCheckpointException.class)
        .hasMessageContaining("leak");

    Path viaDir = localCheckpoint(Map.of("f", "1"));
    Files.createSymbolicLink(viaDir.resolve("up"), tmp);
    assertThatThrownBy(() -> store.commit(JOB, attempt(1), viaDir, "ckpt", OptionalLong.empty()))
        .isInstanceOf(InvalidCheckpointException.class);

    Path linkedDir = tmp.resolve("linked");
    Files.createSymbolicLink(linkedDir, localCheckpoint(Map.of("f", "1")));
    assertThatThrownBy(() -> store.commit(JOB, attempt(1), linkedDir, "ckpt", OptionalLong.empty()))
        .isInstanceOf(InvalidCheckpointException.class);
    assertThat(store.list(JOB)).isEmpty();
  }

  /**
   * The job keeps running while the agent copies its checkpoint, so it can swap a file or a whole
   * directory for a link after the scan. The copy must not read through it. The secret has the size
   * of the file it replaces, so only the link check can catch it.
   */
  @ParameterizedTest
  @ValueSource(strings = {"dir", "dir/f"})
  void anEntrySwappedForALinkDuringTheCopyIsNotReadThroughIt(String swapped) throws Exception {
    Path secrets = Trees.write(tmp.resolve("secrets"), Map.of("f", "SECRET"));
    Path local = localCheckpoint(Map.of("dir/f", "mine!!", "g", "g"));
    Path swapTarget = swapped.equals("dir") ? secrets : secrets.resolve("f");
    SourceOpener swapping =
        file -> {
          if (file.endsWith("dir/f") && !Files.isSymbolicLink(local.resolve(swapped))) {
            Files.delete(local.resolve("dir/f"));
            if (swapped.equals("dir")) {
              Files.delete(local.resolve("dir"));
            }
            Files.createSymbolicLink(local.resolve(swapped), swapTarget);
          }
          return SourceOpener.DEFAULT.open(file);
        };
    try (CheckpointStore racing =
        newStore(CheckpointStoreSettings.of(3, clock).withSourceOpener(swapping))) {
      assertThatThrownBy(() -> racing.commit(JOB, attempt(1), local, "ckpt", OptionalLong.empty()))
          .isInstanceOf(IOException.class);
    }
    assertThat(store.list(JOB)).isEmpty();
    Path target = target();
    assertThat(store.restoreLatest(JOB, target).restored()).isEmpty();
    assertThat(rawEntries(JOB)).noneMatch(e -> e.endsWith("data/dir/f"));
  }

  @Test
  void aLinkInsideTheCheckpointIsStoredAsAPlainFile() throws Exception {
    Path local = localCheckpoint(Map.of("real/state", "s"));
    Files.createSymbolicLink(local.resolve("latest"), local.resolve("real/state"));
    store.commit(JOB, attempt(1), local, "ckpt", OptionalLong.empty());
    Path target = target();
    store.restoreLatest(JOB, target);
    assertThat(Files.isSymbolicLink(target.resolve("latest"))).isFalse();
    assertThat(Trees.read(target)).containsEntry("latest", "s").containsEntry("real/state", "s");
  }

  @Test
  void limitsOnFilesAndSizesAreEnforced() throws Exception {
    store.close();
    store =
        newStore(
            CheckpointStoreSettings.of(3, clock).withLimits(new CheckpointLimits(2, 10, 15, 4096)));
    assertThatThrownBy(() -> commit("many", Map.of("a", "1", "b", "2", "c", "3")))
        .isInstanceOf(InvalidCheckpointException.class)
        .hasMessageContaining("more than 2 files");
    assertThatThrownBy(() -> commit("big", Map.of("a", "x".repeat(11))))
        .isInstanceOf(InvalidCheckpointException.class);
    assertThatThrownBy(() -> commit("total", Map.of("a", "x".repeat(8), "b", "y".repeat(8))))
        .isInstanceOf(InvalidCheckpointException.class);
    commit("fits", Map.of("a", "x".repeat(10)));
    assertThat(store.list(JOB)).extracting(CommittedCheckpoint::name).containsExactly("fits");
  }

  @Test
  void restoreRefusesANonEmptyTargetAndLeavesItAlone() throws Exception {
    commit("a", Map.of("f", "1"));
    Path target = Trees.write(target(), Map.of("mine", "keep"));
    assertThatThrownBy(() -> store.restoreLatest(JOB, target))
        .isInstanceOf(CheckpointException.class);
    assertThat(Trees.read(target)).containsExactly(Map.entry("mine", "keep"));
  }

  @Test
  void deleteOneCheckpoint() throws Exception {
    commit("a", Map.of("f", "1"));
    commit("b", Map.of("f", "2"));
    assertThat(store.delete(JOB, 1, "a")).isTrue();
    assertThat(store.delete(JOB, 1, "a")).isFalse();
    assertThat(store.list(JOB)).extracting(CommittedCheckpoint::name).containsExactly("b");
  }

  /**
   * A retired job keeps no checkpoint, and no attempt can put one back or begin: an agent cut off
   * past its lease may still be running the job's last attempt. Its markers and success record
   * stay.
   */
  @Test
  void aRetiredJobKeepsItsMarkersAndSuccessButNoCheckpointAndFencesEveryAttempt() throws Exception {
    store.beginAttempt(JOB, attempt(1), Optional.empty());
    commit("a", Map.of("f", "1"));
    commit("b", Map.of("f", "2"));
    store.recordSuccess(JOB, 1);
    store.commit(
        "other-job", attempt(1), localCheckpoint(Map.of("f", "3")), "a", OptionalLong.empty());

    assertThat(store.retire(JOB)).isEqualTo(2);

    assertThat(store.list(JOB)).isEmpty();
    assertThat(store.restoreLatest(JOB, target()).restored()).isEmpty();
    assertThat(rawEntries(JOB))
        .as("no checkpoint file is left")
        .noneMatch(e -> e.startsWith(key("a")) || e.startsWith(key("b")));
    assertThat(store.succeededAttempt(JOB)).hasValue(1);
    assertThatThrownBy(() -> commit("c", Map.of("f", "4")))
        .isInstanceOf(StaleAttemptException.class)
        .hasMessageContaining("retired");
    assertThatThrownBy(() -> store.beginAttempt(JOB, attempt(7), Optional.empty()))
        .isInstanceOf(StaleAttemptException.class)
        .hasMessageContaining("retired");
    assertThat(store.list(JOB)).isEmpty();
    assertThat(store.retire(JOB)).as("idempotent").isZero();
    assertThat(store.list("other-job")).as("other jobs keep theirs").hasSize(1);
    assertThat(store.retire("never-here")).isZero();
    assertThat(rawEntries("never-here")).as("nothing written for a job it never held").isEmpty();
  }

  @Test
  void jobsAreIsolated() throws Exception {
    commit("a", Map.of("f", "1"));
    store.commit(
        "other-job", attempt(1), localCheckpoint(Map.of("f", "2")), "a", OptionalLong.empty());
    assertThat(store.list(JOB))
        .singleElement()
        .satisfies(c -> assertThat(c.jobId()).isEqualTo(JOB));
    Path target = target();
    store.restoreLatest("other-job", target);
    assertThat(Trees.read(target)).containsExactly(Map.entry("f", "2"));
  }

  // --- clusters sharing a store -----------------------------------------------------------

  /**
   * Two clusters (or a cluster and the one a fresh ZooKeeper made) number their jobs alike: neither
   * sees the other's checkpoints, is fenced by its markers or refused by its success record.
   */
  @Test
  void clustersSharingTheStoreNeverSeeEachOthersJobOfTheSameId() throws Exception {
    CheckpointStore earlier = store.forCluster("cluster-a");
    CheckpointStore fresh = store.forCluster("cluster-b");
    earlier.beginAttempt(JOB, attempt(2), Optional.empty());
    earlier.commit(
        JOB, attempt(2), localCheckpoint(Map.of("f", "a")), "step-10", OptionalLong.empty());
    earlier.recordSuccess(JOB, 2);

    assertThat(fresh.list(JOB)).isEmpty();
    assertThat(fresh.succeededAttempt(JOB)).isEmpty();
    assertThat(fresh.restoreLatest(JOB, target()).restored()).isEmpty();
    Path into = target();
    assertThat(fresh.beginAttempt(JOB, attempt(1), Optional.of(into)).restored())
        .as("attempt 1 is neither fenced by attempt 2's marker nor refused by its success")
        .isEmpty();
    CommittedCheckpoint mine =
        fresh.commit(
            JOB, attempt(1), localCheckpoint(Map.of("f", "b")), "step-10", OptionalLong.empty());
    assertThat(fresh.list(JOB)).containsExactly(mine);
    assertThat(store.list(JOB)).as("nor does a store used without a cluster id").isEmpty();

    fresh.retire(JOB);
    assertThat(fresh.list(JOB)).isEmpty();
    CheckpointStore again = store.forCluster("cluster-a");
    assertThat(again.list(JOB))
        .as("a cluster's view opened again (an agent restarted) holds its jobs")
        .singleElement()
        .satisfies(c -> assertThat(c.attempt()).isEqualTo(2));
    assertThat(again.succeededAttempt(JOB)).hasValue(2);
    assertThat(earlier.forCluster("cluster-b").list(JOB))
        .as("a view's view is the other cluster's, not nested")
        .isEmpty();
    assertThat(store.forCluster("")).isSameAs(store);
    assertThatThrownBy(() -> store.forCluster("../x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cluster id");
  }

  @Test
  void aClustersSuccessRecordFileIsItsOwn() throws Exception {
    Optional<Path> file = store.forCluster("cluster-a").successRecordFile(JOB, 1);
    assumeTrue(file.isPresent(), "a store that is not files: the agent records success itself");
    Files.createFile(file.get()); // what the job shim does, in the folder the store made

    assertThat(store.forCluster("cluster-a").succeededAttempt(JOB)).hasValue(1);
    assertThat(store.forCluster("cluster-b").succeededAttempt(JOB)).isEmpty();
    assertThat(store.succeededAttempt(JOB)).isEmpty();
  }

  @Test
  void workdirsAreSharedByEveryCluster() throws Exception {
    byte[] zip = "not really a zip".getBytes(StandardCharsets.UTF_8);
    String digest = Sha256.of(zip);
    Path archive = Files.write(tmp.resolve("code.zip"), zip);
    store.forCluster("cluster-a").workdirs().put(digest, archive);
    assertThat(store.workdirs().lastUsed()).containsKey(digest);
    assertThat(store.forCluster("cluster-b").workdirs().lastUsed()).containsKey(digest);
  }

  // --- fencing by attempt ----------------------------------------------------------------

  @Test
  void aNewAttemptRestoresTheNewestAndFencesTheOneItReplaced() throws Exception {
    commit("step-10", Map.of("f", "10"));
    CommittedCheckpoint newest = commit("step-20", Map.of("f", "20"));

    Path target = target();
    RestoreResult r = store.beginAttempt(JOB, new AttemptFence(2, 7), Optional.of(target));
    assertThat(r.restored()).contains(newest);
    assertThat(Trees.read(target)).containsExactly(Map.entry("f", "20"));

    // The replaced attempt still runs (cut off from the scheduler) and keeps committing.
    assertThatThrownBy(() -> commit("step-30", Map.of("f", "30")))
        .isInstanceOf(StaleAttemptException.class)
        .hasMessageContaining("attempt 2 (epoch 7)");
    assertThat(store.list(JOB)).extracting(CommittedCheckpoint::name).doesNotContain("step-30");
    assertThat(rawEntries(JOB)).noneMatch(e -> e.contains("step-30"));

    CommittedCheckpoint mine =
        store.commit(
            JOB,
            new AttemptFence(2, 7),
            localCheckpoint(Map.of("f", "30")),
            "step-30",
            OptionalLong.of(30));
    assertThat(mine.epoch()).isEqualTo(7);
    assertThat(store.list(JOB)).first().isEqualTo(mine);
  }

  @Test
  void anOlderAttemptCannotBeginOrCommitAfterANewerOne() throws Exception {
    store.beginAttempt(JOB, attempt(3), Optional.empty());
    assertThat(store.beginAttempt(JOB, attempt(3), Optional.empty()).restored()).isEmpty();

    assertThatThrownBy(() -> store.beginAttempt(JOB, attempt(2), Optional.empty()))
        .isInstanceOf(StaleAttemptException.class);
    assertThatCode(() -> store.beginAttempt(JOB, new AttemptFence(3, 0), Optional.empty()))
        .doesNotThrowAnyException();
    store.beginAttempt(JOB, new AttemptFence(4, 9), Optional.empty());
    assertThatThrownBy(
            () ->
                store.commit(
                    JOB,
                    new AttemptFence(4, 8),
                    localCheckpoint(Map.of("f", "1")),
                    "x",
                    OptionalLong.empty()))
        .as("the same attempt number placed under an older epoch")
        .isInstanceOf(StaleAttemptException.class);
  }

  @Test
  void aRecordedSuccessRefusesEveryLaterAttempt() throws Exception {
    store.beginAttempt(JOB, attempt(1), Optional.empty());
    store.commit(JOB, attempt(1), localCheckpoint(Map.of("f", "1")), "c1", OptionalLong.empty());
    assertThat(store.succeededAttempt(JOB)).isEmpty();

    store.recordSuccess(JOB, 1);
    store.recordSuccess(JOB, 1); // idempotent

    assertThat(store.succeededAttempt(JOB)).hasValue(1);
    assertThatThrownBy(() -> store.beginAttempt(JOB, attempt(2), Optional.of(tmp.resolve("r2"))))
        .isInstanceOfSatisfying(
            JobSucceededEarlierException.class, e -> assertThat(e.succeededAttempt()).isEqualTo(1))
        .hasMessageContaining("attempt 1 exited 0");
    assertThat(tmp.resolve("r2")).doesNotExist();
    assertThat(store.list(JOB)).as("checkpoints stay as they were").hasSize(1);
    assertThatCode(() -> store.beginAttempt(JOB, attempt(1), Optional.empty()))
        .as("the attempt that succeeded is not refused")
        .doesNotThrowAnyException();
  }

  @Test
  void aSuccessRecordFileIsTheSameRecord() throws Exception {
    Optional<Path> file = store.successRecordFile(JOB, 2);
    assumeTrue(file.isPresent(), "a store that is not files: the agent records success itself");
    assertThat(store.succeededAttempt(JOB)).isEmpty();
    assertThat(file.get().getParent()).as("made for the shim, which makes no folder").isDirectory();
    Files.createFile(file.get()); // what the job shim does, with no Java involved

    assertThat(store.succeededAttempt(JOB)).hasValue(2);
    assertThatThrownBy(() -> store.beginAttempt(JOB, attempt(3), Optional.empty()))
        .isInstanceOf(JobSucceededEarlierException.class);
  }

  /**
   * The race the markers close: the replaced attempt checks the store, then the new attempt begins,
   * then the replaced attempt publishes. Its checkpoint must never be restored or kept.
   */
  @Test
  void aStaleCommitThatRacesTheNewAttemptsBeginIsWithdrawn() throws Exception {
    CommittedCheckpoint before = commit("step-10", Map.of("f", "10"));
    Path restoredByTheNewAttempt = target();
    RestoreResult[] begun = new RestoreResult[1];
    SourceOpener racing =
        file -> {
          if (begun[0] == null) {
            begun[0] = store.beginAttempt(JOB, attempt(2), Optional.of(restoredByTheNewAttempt));
          }
          return SourceOpener.DEFAULT.open(file);
        };
    try (CheckpointStore stale =
        newStore(CheckpointStoreSettings.of(3, clock).withSourceOpener(racing))) {
      Path local = localCheckpoint(Map.of("f", "20"));
      assertThatThrownBy(
              () -> stale.commit(JOB, attempt(1), local, "step-20", OptionalLong.empty()))
          .isInstanceOf(StaleAttemptException.class);
    }
    assertThat(begun[0].restored()).contains(before);
    assertThat(store.list(JOB)).containsExactly(before);
    assertThat(rawEntries(JOB)).noneMatch(e -> e.contains("step-20"));
    Path target = target();
    assertThat(store.restoreLatest(JOB, target).restored()).contains(before);
  }

  @Test
  void retentionKeepsTheCurrentAttemptsNewestAndTheCheckpointItRestored() throws Exception {
    store.close();
    store = newStore(CheckpointStoreSettings.of(1, clock));
    commit("step-10", Map.of("f", "10"));
    CommittedCheckpoint base = commit("step-20", Map.of("f", "20"));
    assertThat(store.list(JOB)).containsExactly(base);

    store.beginAttempt(JOB, attempt(2), Optional.of(target()));
    CommittedCheckpoint mine =
        store.commit(
            JOB, attempt(2), localCheckpoint(Map.of("f", "30")), "step-30", OptionalLong.empty());

    // keepLast is 1, yet the checkpoint attempt 2 restored (its job record names it) stays.
    assertThat(store.list(JOB)).containsExactly(mine, base);
    assertThatThrownBy(() -> commit("step-40", Map.of("f", "stale")))
        .isInstanceOf(StaleAttemptException.class);
    assertThat(store.list(JOB)).containsExactly(mine, base);
  }

  @Test
  void aResumeAfterACorruptNewestKeepsTheOneActuallyRestored() throws Exception {
    commit("step-10", Map.of("f", "10"));
    CommittedCheckpoint good = commit("step-20", Map.of("f", "20"));
    commit("step-30", Map.of("f", "30"));
    writeRaw(JOB, key("step-30"), "data/f", "3X".getBytes(StandardCharsets.UTF_8));

    RestoreResult r = store.beginAttempt(JOB, attempt(2), Optional.of(target()));
    assertThat(r.restored()).contains(good);
    assertThat(r.skipped())
        .extracting(SkippedCheckpoint::name, SkippedCheckpoint::attempt)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("step-30", 1));

    assertThat(store.makeRoom(JOB)).isEqualTo(2);
    assertThat(store.list(JOB)).containsExactly(good);
  }

  @Test
  void makeRoomKeepsTheNewestAndTheRestoredOne() throws Exception {
    commit("step-10", Map.of("f", "10"));
    CommittedCheckpoint base = commit("step-20", Map.of("f", "20"));
    store.beginAttempt(JOB, attempt(2), Optional.of(target()));
    store.commit(JOB, attempt(2), localCheckpoint(Map.of("f", "30")), "s-30", OptionalLong.empty());
    CommittedCheckpoint newest =
        store.commit(
            JOB, attempt(2), localCheckpoint(Map.of("f", "40")), "s-40", OptionalLong.empty());

    assertThat(store.makeRoom(JOB)).isEqualTo(1);
    assertThat(store.list(JOB)).containsExactly(newest, base);
    assertThat(store.makeRoom(JOB)).isZero();
  }

  /** Edits a stored manifest and gives it a valid digest again, as a careful attacker would. */
  protected static byte[] reseal(byte[] manifest, Consumer<ObjectNode> edit) throws IOException {
    ObjectNode m = (ObjectNode) JSON.readTree(manifest);
    m.remove("digest");
    edit.accept(m);
    m.put("digest", Sha256.of(JSON.writeValueAsBytes(m)));
    return JSON.writeValueAsBytes(m);
  }
}
