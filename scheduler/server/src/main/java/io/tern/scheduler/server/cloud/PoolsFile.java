package io.tern.scheduler.server.cloud;

import io.tern.scheduler.core.model.CapacityType;
import io.tern.scheduler.core.policy.PoolOffer;
import io.tern.scheduler.server.cloud.ec2.Ec2Config;
import io.tern.scheduler.server.cloud.ec2.Ec2Pool;
import io.tern.scheduler.server.cloud.local.LocalPool;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URISyntaxException;
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
 * <p>For {@code --cloud ec2} a pool takes {@code instanceTypes} (interchangeable types, most
 * preferred first; or {@code instanceType} for one), {@code placements} (zones, each with an
 * optional subnet; or {@code zone} for one without), {@code imageId} (an AMI with {@code tern}, or
 * {@code resolve:ssm:PARAMETER}) and, for spot pools, an optional {@code maxSpotPriceUsd} (default:
 * the on-demand price); and the file has an {@code ec2} section:
 *
 * <pre>{@code
 * ec2:
 *   region: us-east-1             # required
 *   endpoint: https://ec2.example # optional: a VPC endpoint, a test server
 *   cluster: tern                 # the tern:node tag on every instance (default tern)
 *   securityGroups: [sg-0123]     # optional: default the VPC's
 *   instanceProfile: tern-agent   # optional IAM instance profile name
 *   keyName: ops                  # optional SSH key pair
 *   userData: agent-user-data.sh  # optional boot script template, relative to this file
 * pools:
 *   - id: a100-spot
 *     capacity: spot
 *     instanceTypes: [p4d.24xlarge, p4de.24xlarge]
 *     placements: [{zone: us-east-1a, subnet: subnet-0a1}, {zone: us-east-1b}]
 *     imageId: ami-0123456789abcdef0
 *     maxSpotPriceUsd: 20
 *     gpusPerNode: 8
 *     ...
 * }</pre>
 *
 * The core plans on an ec2 pool as its first instance type and zone.
 *
 * <p>For local pools {@code gpus} is required and {@code gpusPerNode}, {@code gpuModel} and {@code
 * gpuMemoryGiB} follow from it (given as well, they must agree); {@code instanceType} and {@code
 * zone} default to {@code local}; {@code cpu} and {@code memoryGiB} default to this machine's,
 * which is what a local agent reports.
 *
 * @param pools the pools as the core sees them, in file order
 * @param localPools the same pools for the local connector (empty unless parsed for local)
 * @param settings how to scale
 * @param ec2Pools the same pools for the EC2 connector (empty unless parsed for ec2)
 * @param ec2 the file's ec2 section (null unless parsed for ec2)
 */
public record PoolsFile(
    List<PoolOffer> pools,
    List<LocalPool> localPools,
    ScalingSettings settings,
    List<Ec2Pool> ec2Pools,
    Ec2Config ec2) {

  /** Which connector the pools are for: what keys they need and take. */
  public enum Cloud {
    /** Connector-agnostic: instanceType and zone, no connector-specific keys. */
    GENERIC,
    /** {@code --cloud local}: gpus required. */
    LOCAL,
    /** {@code --cloud ec2}: imageId, instance types and placements; an ec2 section. */
    EC2
  }

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
          "gpus",
          "instanceTypes",
          "placements",
          "imageId",
          "maxSpotPriceUsd");
  private static final Set<String> EC2_POOL_KEYS =
      Set.of("instanceTypes", "placements", "imageId", "maxSpotPriceUsd");
  private static final Set<String> EC2_KEYS =
      Set.of(
          "region",
          "endpoint",
          "cluster",
          "securityGroups",
          "instanceProfile",
          "keyName",
          "userData");
  private static final Set<String> PLACEMENT_KEYS = Set.of("zone", "subnet");
  private static final Pattern REGION = Pattern.compile("[a-z]{2}(-[a-z0-9]+)+-\\d+");
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
    ec2Pools = List.copyOf(ec2Pools);
  }

  /**
   * Parses a pools file.
   *
   * @param yaml the file's text
   * @param local whether the pools are for the local connector ({@code gpus} required)
   * @param hostCpu, hostMemoryGiB what a local agent on this machine reports
   */
  public static PoolsFile parse(String yaml, boolean local, int hostCpu, double hostMemoryGiB) {
    return parse(yaml, local ? Cloud.LOCAL : Cloud.GENERIC, hostCpu, hostMemoryGiB);
  }

  /** Parses a pools file for {@code --cloud ec2}. */
  public static PoolsFile parseEc2(String yaml) {
    return parse(yaml, Cloud.EC2, 0, 0);
  }

  /**
   * Parses a pools file.
   *
   * @param yaml the file's text
   * @param cloud which connector the pools are for
   * @param hostCpu, hostMemoryGiB what a local agent on this machine reports (local only)
   */
  public static PoolsFile parse(String yaml, Cloud cloud, int hostCpu, double hostMemoryGiB) {
    boolean local = cloud == Cloud.LOCAL;
    boolean ec2 = cloud == Cloud.EC2;
    Object root;
    try {
      root = new Yaml(new SafeConstructor(new LoaderOptions())).load(yaml);
    } catch (YAMLException e) {
      throw new InvalidPoolsException("not valid YAML: " + e.getMessage());
    }
    Map<String, Object> top = map(root, "the file", Set.of("pools", "scaling", "ec2"));
    Ec2Config ec2Config = null;
    if (ec2) {
      if (top.get("ec2") == null) {
        throw new InvalidPoolsException("ec2: missing section (with region at least)");
      }
      ec2Config = ec2Section(top.get("ec2"));
    } else if (top.containsKey("ec2")) {
      throw new InvalidPoolsException("ec2: only for --cloud ec2");
    }
    Object list = top.get("pools");
    if (!(list instanceof List<?> items) || items.isEmpty()) {
      throw new InvalidPoolsException("pools: expected a non-empty list of pools");
    }
    List<PoolOffer> offers = new ArrayList<>();
    List<LocalPool> locals = new ArrayList<>();
    List<Ec2Pool> ec2Pools = new ArrayList<>();
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
      if (!ec2) {
        for (String key : EC2_POOL_KEYS) {
          if (p.containsKey(key)) {
            throw new InvalidPoolsException(where + "." + key + ": only for --cloud ec2");
          }
        }
      }
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
      String instanceType;
      String zone;
      if (ec2) {
        Ec2Pool pool = ec2Pool(p, where, id, capacity, price);
        ec2Pools.add(pool);
        instanceType = pool.instanceTypes().getFirst();
        zone = pool.placements().getFirst().zone();
      } else {
        instanceType = string(p, "instanceType", where, defaultPlace);
        zone = string(p, "zone", where, defaultPlace);
      }
      offers.add(
          new PoolOffer(
              id,
              capacity,
              instanceType,
              zone,
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
    return new PoolsFile(offers, locals, scaling(top.get("scaling")), ec2Pools, ec2Config);
  }

  private static Ec2Pool ec2Pool(
      Map<String, Object> p, String where, String id, CapacityType capacity, double price) {
    List<String> types;
    if (p.containsKey("instanceTypes")) {
      if (p.containsKey("instanceType")) {
        throw new InvalidPoolsException(
            where + ".instanceType: give instanceType or instanceTypes, not both");
      }
      types = strings(p.get("instanceTypes"), where + ".instanceTypes", false);
    } else if (p.containsKey("instanceType")) {
      types = List.of(string(p, "instanceType", where, null));
    } else {
      throw new InvalidPoolsException(where + ": missing key instanceTypes (or instanceType)");
    }
    List<Ec2Pool.Placement> placements = new ArrayList<>();
    if (p.containsKey("placements")) {
      if (p.containsKey("zone")) {
        throw new InvalidPoolsException(where + ".zone: give zone or placements, not both");
      }
      if (!(p.get("placements") instanceof List<?> list) || list.isEmpty()) {
        throw new InvalidPoolsException(
            where + ".placements: expected a non-empty list of {zone, subnet}");
      }
      Set<String> seen = new HashSet<>();
      for (int i = 0; i < list.size(); i++) {
        String at = where + ".placements[" + i + "]";
        Map<String, Object> pl = map(list.get(i), at, PLACEMENT_KEYS);
        String zone = string(pl, "zone", at, null);
        String subnet = null;
        if (pl.containsKey("subnet")) {
          subnet = string(pl, "subnet", at, null);
          if (!subnet.startsWith("subnet-")) {
            throw new InvalidPoolsException(
                at + ".subnet: expected a subnet id (subnet-...), got \"" + subnet + "\"");
          }
        }
        if (!seen.add(zone + "/" + subnet)) {
          throw new InvalidPoolsException(at + ": listed twice");
        }
        placements.add(new Ec2Pool.Placement(zone, subnet));
      }
    } else if (p.containsKey("zone")) {
      placements.add(new Ec2Pool.Placement(string(p, "zone", where, null), null));
    } else {
      throw new InvalidPoolsException(where + ": missing key placements (or zone)");
    }
    String image = string(p, "imageId", where, null);
    if (!image.startsWith("ami-") && !image.startsWith("resolve:ssm:")) {
      throw new InvalidPoolsException(
          where
              + ".imageId: expected an AMI id (ami-...) or resolve:ssm:PARAMETER, got \""
              + image
              + "\"");
    }
    String maxSpot = null;
    if (p.containsKey("maxSpotPriceUsd")) {
      if (capacity != CapacityType.SPOT) {
        throw new InvalidPoolsException(where + ".maxSpotPriceUsd: only for spot pools");
      }
      double max = number(p, "maxSpotPriceUsd", where, null);
      if (!(max > 0) || Double.isInfinite(max)) {
        throw new InvalidPoolsException(where + ".maxSpotPriceUsd: must be a price > 0");
      }
      maxSpot = BigDecimal.valueOf(max).toPlainString();
    }
    return new Ec2Pool(id, capacity, types, placements, image, price, maxSpot);
  }

  private static Ec2Config ec2Section(Object node) {
    Map<String, Object> e = map(node, "ec2", EC2_KEYS);
    String region = string(e, "region", "ec2", null);
    if (!REGION.matcher(region).matches()) {
      throw new InvalidPoolsException(
          "ec2.region: expected a region name like us-east-1, got \"" + region + "\"");
    }
    URI endpoint = null;
    if (e.containsKey("endpoint")) {
      String text = string(e, "endpoint", "ec2", null);
      try {
        endpoint = new URI(text);
      } catch (URISyntaxException ex) {
        endpoint = null;
      }
      if (endpoint == null
          || endpoint.getHost() == null
          || !("http".equals(endpoint.getScheme()) || "https".equals(endpoint.getScheme()))) {
        throw new InvalidPoolsException(
            "ec2.endpoint: expected an http(s)://HOST[:PORT] URL, got \"" + text + "\"");
      }
    }
    List<String> groups =
        e.containsKey("securityGroups")
            ? strings(e.get("securityGroups"), "ec2.securityGroups", true)
            : List.of();
    for (String g : groups) {
      if (!g.startsWith("sg-")) {
        throw new InvalidPoolsException(
            "ec2.securityGroups: expected security group ids (sg-...), got \"" + g + "\"");
      }
    }
    return new Ec2Config(
        region,
        endpoint,
        string(e, "cluster", "ec2", "tern"),
        groups,
        e.containsKey("instanceProfile") ? string(e, "instanceProfile", "ec2", null) : null,
        e.containsKey("keyName") ? string(e, "keyName", "ec2", null) : null,
        e.containsKey("userData") ? string(e, "userData", "ec2", null) : null);
  }

  private static List<String> strings(Object node, String where, boolean mayBeEmpty) {
    if (!(node instanceof List<?> list) || (list.isEmpty() && !mayBeEmpty)) {
      throw new InvalidPoolsException(
          where + ": expected a" + (mayBeEmpty ? "" : " non-empty") + " list of names");
    }
    List<String> out = new ArrayList<>();
    for (Object o : list) {
      if (!(o instanceof String s) || s.isBlank()) {
        throw new InvalidPoolsException(where + ": expected names, got \"" + o + "\"");
      }
      if (out.contains(s)) {
        throw new InvalidPoolsException(where + ": \"" + s + "\" listed twice");
      }
      out.add(s);
    }
    return out;
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
