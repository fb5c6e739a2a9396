package io.tern.agent.gpu.nvml;

import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Steers the fake {@code libnvidia-ml.so} (src/test/c/fake_nvml.c, built into target/native): the
 * same library the binding loads through {@code jna.library.path}, so its knobs apply to it.
 */
public final class FakeNvml {
  private static final Path LIBRARY =
      Path.of(System.getProperty("tern.fakeNvml", "target/native/libnvidia-ml.so"))
          .toAbsolutePath();

  /**
   * Held for the life of the test JVM: JNA keeps its libraries by weak reference and closes one
   * whose object is collected, and a library closed by everyone is unloaded, its knobs with it (a
   * knob set, then a GC, then a read would see a fresh library).
   */
  private static NativeLibrary loaded;

  private FakeNvml() {}

  /** The fake library's file. */
  public static Path library() {
    if (!Files.isRegularFile(LIBRARY)) {
      throw new IllegalStateException(
          LIBRARY + " is missing: the build compiles it with gcc at process-test-classes");
    }
    return LIBRARY;
  }

  /** Sets a knob (see fake_nvml.c), e.g. {@code set("LOST", "1")}. */
  public static void set(String key, String value) {
    function("fake_nvml_set").invokeVoid(new Object[] {key, value});
  }

  /** Clears every knob set through {@link #set} and re-arms XID delivery. */
  public static void reset() {
    function("fake_nvml_reset").invokeVoid(new Object[0]);
  }

  /** nvmlInit_v2 calls not yet matched by nvmlShutdown. */
  public static int initCount() {
    return function("fake_nvml_init_count").invokeInt(new Object[0]);
  }

  private static synchronized Function function(String name) {
    if (loaded == null) {
      loaded = NativeLibrary.getInstance(library().toString());
    }
    return loaded.getFunction(name);
  }
}
