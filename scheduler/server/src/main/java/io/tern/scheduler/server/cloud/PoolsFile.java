package io.tern.scheduler.server.cloud;

import io.tern.scheduler.core.model.CapacityType;
import io.tern.scheduler.core.policy.PoolOffer;
import io.tern.scheduler.server.cloud.local.LocalPool;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * The pools file of {@code tern scheduler --pools FILE}: the pools the leader may launch into, and
 * optionally how it scales. Parsed strictly: an unknown key, a missing one or a wrong type is an
 * {@link InvalidPoolsException} that names it.
 *
 * <pre>{@code
 * pools:
 *   - id: a100-spot-a          # as agents report it in --pool
 *     capacity: spot           # spot | on-demand
 *     instanceType: p4d.24xlarge
 *     zone: us-east-1a
 *     gpusPerNode: 8
 *     gpuModel: A100
 *     gpuMemoryGiB: 80
 *     cpu: 96
 *     memoryGiB: 1152
 *     pricePerHourUsd: 12.5
 *     maxNodes: 4
 *     gpus: sim:8xA100:80      # local only: the simulated GPUs of each agent
 * scaling:                     # optional; these are the defaults
 *   coolDownSeconds: 600
 *   registrationTimeoutSeconds: 600
 *   idleGraceSeconds: 600
 *   maxHourlyUsd: .inf         # no cap
 *   onDemandFallback: true
 * }</pre>
 *
 * For local pools {@code gpus} is required and {@code gpusPerNode}, {@code gpuModel} and {@code
 * gpuMemoryGiB} follow from it (given as well, they must agree); {@code instanceType} and {@code
 * zone} default to {@code local}; {@code cpu} and {@code memoryGiB} default to this machine's,
 * which is what a local agent reports.
 *
 * @param pools the pools as the core sees them, in file order
 * @param localPools the same pools for the local connector (empty unless parsed for local)
 * @param settings how to scale
 */
public record PoolsFile(
    List<PoolOffer> pools, List<LocalPool> localPools, ScalingSettings settings) {

  /** A pools file that is not valid; the message names the pool and key. */
  public static final class InvalidPoolsException extends IllegalArgumentException {
    public InvalidPoolsException(String message) {
      super(message);
    }
  }

  private static final Set<String> POOL_KEYS =
      Set.of(
          "id",
          "capacity",
          "instanceType",
          "zone",
          "gpusPerNode",
          "gpuModel",
          "gpuMemoryGiB",
          "cpu",
          "memoryGiB",
          "pricePerHourUsd",
          "maxNodes",
          "gpus");
  private static final Set<String> SCALING_KEYS =
      Set.of(
          "coolDownSeconds",
          "registrationTimeoutSeconds",
          "idleGraceSeconds",
          "maxHourlyUsd",
          "onDemandFallback");
  private static final Pattern SIM = Pattern.compile("sim:(\\d+)x([A-Za-z0-9_-]+)(?::(\\d+))?");
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._/-]{0,62}");

  public PoolsFile {
    pools = List.copyOf(pools);
    localPools = List.copyOf(localPools);
  }

  /**
   * Parses a pools file.
   *
   * @param yaml the file's text
   * @param local whether the pools are for the local connector ({@code gpus} required)
   * @param hostCpu, hostMemoryGiB what a local agent on this machine reports
   */
  public static PoolsFile parse(String yaml, boolean local, int hostCpu, double hostMemoryGiB) {
    Object root;
    try {
      root = new Yaml(new SafeConstructor(new LoaderOptions())).load(yaml);
    } catch (YAMLException e) {
      throw new InvalidPoolsException("not valid YAML: " + e.getMessage());
    }
    Map<String, Object> top = map(root, "the file", Set.of("pools", "scaling"));
    Object list = top.get("pools");
    if (!(list instanceof List<?> items) || items.isEmpty()) {
      throw new InvalidPoolsException("pools: expected a non-empty list of pools");
    }
    List<PoolOffer> offers = new ArrayList<>();
    List<LocalPool> locals = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < items.size(); i++) {
      Map<String, Object> p = map(items.get(i), "pools[" + i + "]", POOL_KEYS);
      String id = string(p, "id", "pools[" + i + "]", null);
      if (!ID.matcher(id).matches()) {
        throw new InvalidPoolsException(
            "pools["
                + i
                + "].id: \""
                + id
                + "\" must be 1-63 letters, digits, '.', '_', '/' or '-'");
      }
      String where = "pool " + id;
      if (!ids.add(id)) {
        throw new InvalidPoolsException(where + ": listed twice");
      }
      CapacityType capacity =
          switch (string(p, "capacity", where, null).toLowerCase(Locale.ROOT)) {
            case "spot" -> CapacityType.SPOT;
            case "on-demand", "ondemand" -> CapacityType.ON_DEMAND;
            default ->
                throw new InvalidPoolsException(
                    where
                        + ".capacity: expected spot or on-demand, got \""
                        + p.get("capacity")
                        + "\"");
          };
      int gpusPerNode;
      String gpuModel;
      double gpuMemoryGiB;
      String gpus = null;
      if (local) {
        gpus = string(p, "gpus", where, null);
        Matcher m = SIM.matcher(gpus);
        if (!m.matches()) {
          throw new InvalidPoolsException(
              where
                  + ".gpus: expected sim:COUNTxMODEL[:MEMGiB], e.g. sim:2xL4:24, got \""
                  + gpus
                  + "\"");
        }
        gpusPerNode = Integer.parseInt(m.group(1));
        gpuModel = m.group(2).toUpperCase(Locale.ROOT);
        if (m.group(3) != null) {
          gpuMemoryGiB = Integer.parseInt(m.group(3));
        } else if (p.containsKey("gpuMemoryGiB")) {
          gpuMemoryGiB = number(p, "gpuMemoryGiB", where, null);
        } else {
          throw new InvalidPoolsException(
              where + ".gpuMemoryGiB: required unless gpus gives it (sim:COUNTxMODEL:MEMGiB)");
        }
        agree(where, "gpusPerNode", p, gpusPerNode);
        agree(where, "gpuMemoryGiB", p, gpuMemoryGiB);
        if (p.containsKey("gpuModel")
            && !string(p, "gpuModel", where, null).equalsIgnoreCase(gpuModel)) {
          throw new InvalidPoolsException(where + ".gpuModel: disagrees with gpus " + gpus);
        }
      } else {
        if (p.containsKey("gpus")) {
          throw new InvalidPoolsException(where + ".gpus: only for --cloud local");
        }
        gpusPerNode = integer(p, "gpusPerNode", where, null);
        gpuModel = string(p, "gpuModel", where, null);
        gpuMemoryGiB = number(p, "gpuMemoryGiB", where, null);
      }
      String defaultPlace = local ? "local" : null;
      double price = number(p, "pricePerHourUsd", where, null);
      int maxNodes = integer(p, "maxNodes", where, null);
      if (gpusPerNode < 0 || maxNodes < 0 || price < 0 || gpuMemoryGiB < 0) {
        throw new InvalidPoolsException(where + ": sizes, prices and maxNodes must be >= 0");
      }
      offers.add(
          new PoolOffer(
              id,
              capacity,
              string(p, "instanceType", where, defaultPlace),
              string(p, "zone", where, defaultPlace),
              gpusPerNode,
              gpuModel,
              Math.round(gpuMemoryGiB * 1024),
              integer(p, "cpu", where, local ? hostCpu : null),
              Math.round(number(p, "memoryGiB", where, local ? hostMemoryGiB : null) * 1024),
              price,
              maxNodes));
      if (local) {
        locals.add(new LocalPool(id, capacity, gpus, price, maxNodes));
      }
    }
    return new PoolsFile(offers, locals, scaling(top.get("scaling")));
  }

  private static ScalingSettings scaling(Object node) {
    ScalingSettings d = ScalingSettings.defaults();
    if (node == null) {
      return d;
    }
    Map<String, Object> s = map(node, "scaling", SCALING_KEYS);
    double maxHourly = number(s, "maxHourlyUsd", "scaling", d.maxHourlyUsd());
    Object fallback = s.getOrDefault("onDemandFallback", d.onDemandFallback());
    if (!(fallback instanceof Boolean b)) {
      throw new InvalidPoolsException("scaling.onDemandFallback: expected true or false");
    }
    ScalingSettings out;
    try {
      out =
          new ScalingSettings(
              seconds(s, "coolDownSeconds", d.coolDown()),
              seconds(s, "registrationTimeoutSeconds", d.registrationTimeout()),
              seconds(s, "idleGraceSeconds", d.idleGrace()),
              maxHourly,
              b);
    } catch (IllegalArgumentException e) {
      throw new InvalidPoolsException("scaling: " + e.getMessage());
    }
    return out;
  }

  private static Duration seconds(Map<String, Object> s, String key, Duration dflt) {
    return Duration.ofMillis(
        Math.round(number(s, key, "scaling", dflt.toMillis() / 1000.0) * 1000));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object node, String where, Set<String> allowed) {
    if (!(node instanceof Map<?, ?> m)) {
      throw new InvalidPoolsException(where + ": expected a mapping of keys to values");
    }
    for (Object key : m.keySet()) {
      if (!(key instanceof String k) || !allowed.contains(k)) {
        throw new InvalidPoolsException(
            where
                + ": unknown key \""
                + key
                + "\" (known: "
                + String.join(", ", new java.util.TreeSet<>(allowed))
                + ")");
      }
    }
    return (Map<String, Object>) m;
  }

  private static String string(Map<String, Object> p, String key, String where, String dflt) {
    Object v = p.get(key);
    if (v == null) {
      if (dflt != null) {
        return dflt;
      }
      throw new InvalidPoolsException(where + ": missing key " + key);
    }
    if (!(v instanceof String s) || s.isBlank()) {
      throw new InvalidPoolsException(where + "." + key + ": expected a non-empty string");
    }
    return s;
  }

  private static double number(Map<String, Object> p, String key, String where, Double dflt) {
    Object v = p.get(key);
    if (v == null) {
      if (dflt != null) {
        return dflt;
      }
      throw new InvalidPoolsException(where + ": missing key " + key);
    }
    if (!(v instanceof Number n) || Double.isNaN(n.doubleValue())) {
      throw new InvalidPoolsException(where + "." + key + ": expected a number, got \"" + v + "\"");
    }
    return n.doubleValue();
  }

  private static int integer(Map<String, Object> p, String key, String where, Integer dflt) {
    Object v = p.get(key);
    if (v == null) {
      if (dflt != null) {
        return dflt;
      }
      throw new InvalidPoolsException(where + ": missing key " + key);
    }
    if (!(v instanceof Integer n)) {
      throw new InvalidPoolsException(
          where + "." + key + ": expected a whole number, got \"" + v + "\"");
    }
    return n;
  }

  private static void agree(String where, String key, Map<String, Object> p, double derived) {
    if (p.containsKey(key) && number(p, key, where, null) != derived) {
      throw new InvalidPoolsException(
          where + "." + key + ": disagrees with gpus (" + derived + ")");
    }
  }
}
