package io.tern.scheduler.spec;

import java.util.ArrayList;
import java.util.List;

/**
 * Every size limit on a job spec, in one place. A spec is a page of text a person writes; nothing
 * in it may make the CLI, the scheduler (which stores it in one ZooKeeper znode, at most 1 MB) or
 * the agent (which turns it into a process) hold, log or echo an unbounded amount of data.
 *
 * <p>The same limits apply to a spec read from YAML ({@link JobSpecParser}) and to one that arrives
 * as a proto message on SubmitJob ({@link JobSpecValidator}); each rejection names the key.
 *
 * <table>
 *   <caption>limits</caption>
 *   <tr><th>what</th><th>limit</th><th>why</th></tr>
 *   <tr><td>the whole spec</td><td>{@value #MAX_SPEC_BYTES} bytes of YAML, and of the serialized
 *       spec</td><td>a quarter of a znode; aliases cannot blow a small YAML up past it</td></tr>
 *   <tr><td>YAML nesting</td><td>{@value #MAX_YAML_DEPTH} levels</td><td>the spec is 3 deep</td></tr>
 *   <tr><td>YAML aliases to collections</td><td>{@value #MAX_YAML_ALIASES}</td><td>no alias
 *       bombs</td></tr>
 *   <tr><td>{@code name}, {@code team}</td><td>{@value #MAX_NAME_LENGTH} characters of a fixed
 *       charset</td><td>a DNS label; shown in tables and used in labels</td></tr>
 *   <tr><td>{@code command}</td><td>{@value #MAX_ARGS} arguments of at most {@value
 *       #MAX_ARG_LENGTH} characters, no NUL</td><td>argv, passed to execve</td></tr>
 *   <tr><td>{@code env}</td><td>{@value #MAX_ENV_ENTRIES} variables; names of at most {@value
 *       #MAX_ENV_NAME_LENGTH} characters of {@code [A-Za-z_][A-Za-z0-9_]*}; values of at most
 *       {@value #MAX_ENV_VALUE_LENGTH} characters, no NUL</td><td>the process environment</td></tr>
 *   <tr><td>{@code workdir}</td><td>an absolute path of at most {@value #MAX_WORKDIR_LENGTH}
 *       characters, no NUL or control characters, no {@code .} or {@code ..} segments</td><td>PATH_MAX
 *       </td></tr>
 *   <tr><td>{@code resources.gpuModels}</td><td>{@value #MAX_GPU_MODELS} models of at most {@value
 *       #MAX_GPU_MODEL_LENGTH} characters</td><td></td></tr>
 *   <tr><td>{@code maxRuntime}</td><td>{@value #MAX_RUNTIME_DAYS} days</td><td></td></tr>
 *   <tr><td>{@code spotWait}</td><td>{@value #MAX_SPOT_WAIT_DAYS} days</td><td></td></tr>
 *   <tr><td>{@code maxCostUsd}</td><td>{@value #MAX_COST_USD} USD</td><td></td></tr>
 *   <tr><td>{@code deadline}</td><td>years 1970 to 9999</td><td>a valid protobuf Timestamp</td></tr>
 *   <tr><td>errors reported</td><td>{@value #MAX_REPORTED_ERRORS}, each echoing at most {@value
 *       #MAX_ECHO_CHARS} characters of what was written</td><td>an INVALID_ARGUMENT description
 *       travels in a gRPC trailer, which clients cap at 8 KiB</td></tr>
 * </table>
 */
public final class SpecLimits {
  /** The YAML text and the serialized spec, in bytes. */
  public static final int MAX_SPEC_BYTES = 256 * 1024;

  /**
   * A reason given to cancel, hold, requeue or drain, in characters: it is stored with the job and
   * echoed in its status, `tern list` and the agent's reports.
   */
  public static final int MAX_REASON_LENGTH = 1000;

  /** Nested mappings and lists in the YAML document. */
  public static final int MAX_YAML_DEPTH = 10;

  /** Aliases to mappings or lists in the YAML document. */
  public static final int MAX_YAML_ALIASES = 10;

  /** {@code name} and {@code team}. */
  public static final int MAX_NAME_LENGTH = 63;

  /** Elements of {@code command}. */
  public static final int MAX_ARGS = 1024;

  /** Characters of one element of {@code command}. */
  public static final int MAX_ARG_LENGTH = 4096;

  /** Characters of a SubmitJob's {@code idempotency_key} (not a spec field; checked beside it). */
  public static final int MAX_IDEMPOTENCY_KEY = 256;

  /** Variables in {@code env}. */
  public static final int MAX_ENV_ENTRIES = 256;

  /** Characters of an {@code env} name. */
  public static final int MAX_ENV_NAME_LENGTH = 256;

  /** Characters of an {@code env} value. */
  public static final int MAX_ENV_VALUE_LENGTH = 32 * 1024;

  /** Characters of {@code workdir} (Linux PATH_MAX). */
  public static final int MAX_WORKDIR_LENGTH = 4096;

  /** {@code resources.gpus}. */
  public static final int MAX_GPUS_PER_NODE = 64;

  /** {@code resources.nodes}. */
  public static final int MAX_NODES = 1024;

  /** Entries of {@code resources.gpuModels}. */
  public static final int MAX_GPU_MODELS = 16;

  /** Characters of one GPU model name. */
  public static final int MAX_GPU_MODEL_LENGTH = 32;

  /** {@code resources.gpuMemoryGiB} and {@code resources.cpu}. */
  public static final int MAX_GPU_MEMORY_GIB = 4096;

  public static final int MAX_CPU = 4096;

  /** {@code resources.memoryGiB}. */
  public static final int MAX_MEMORY_GIB = 65536;

  /** {@code retries}. */
  public static final int MAX_RETRIES = 100;

  /** {@code checkpoint.graceSeconds}. */
  public static final int MAX_GRACE_SECONDS = 3600;

  /** {@code checkpoint.intervalMinutes}: a week. */
  public static final int MAX_CHECKPOINT_INTERVAL_MINUTES = 7 * 24 * 60;

  /** {@code maxRuntime}, in days. */
  public static final int MAX_RUNTIME_DAYS = 366;

  /** {@code spotWait}: a week. */
  public static final int MAX_SPOT_WAIT_DAYS = 7;

  /** {@code maxCostUsd}. */
  public static final int MAX_COST_USD = 10_000_000;

  /** Errors listed for one spec; the rest are counted. */
  public static final int MAX_REPORTED_ERRORS = 20;

  /** Characters of a user's value or key repeated in an error message. */
  public static final int MAX_ECHO_CHARS = 40;

  private SpecLimits() {}

  /**
   * {@code text} made safe to repeat in an error: at most {@link #MAX_ECHO_CHARS} characters (cut
   * with "..."), control characters written as {@code \}{@code uXXXX} so that a value cannot forge
   * lines or terminal escapes in a log or a terminal.
   */
  public static String echo(String text) {
    String cut =
        text.length() <= MAX_ECHO_CHARS ? text : text.substring(0, MAX_ECHO_CHARS - 3) + "...";
    StringBuilder out = new StringBuilder(cut.length());
    for (int i = 0; i < cut.length(); i++) {
      char c = cut.charAt(i);
      if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  /**
   * Whether {@code text} is well-formed Unicode: no lone UTF-16 surrogate, which a protobuf string
   * (UTF-8 on the wire) and YAML cannot carry, so the spec would not arrive or print as written.
   */
  public static boolean isWellFormed(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isHighSurrogate(c)
          && i + 1 < text.length()
          && Character.isLowSurrogate(text.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        return false;
      }
    }
    return true;
  }

  /** The first {@link #MAX_REPORTED_ERRORS} of {@code errors}, and a count of the rest. */
  static List<SpecError> capped(List<SpecError> errors) {
    if (errors.size() <= MAX_REPORTED_ERRORS) {
      return errors;
    }
    List<SpecError> out = new ArrayList<>(errors.subList(0, MAX_REPORTED_ERRORS));
    out.add(
        SpecError.of(
            "", "and " + (errors.size() - MAX_REPORTED_ERRORS) + " more problems not listed"));
    return out;
  }
}
