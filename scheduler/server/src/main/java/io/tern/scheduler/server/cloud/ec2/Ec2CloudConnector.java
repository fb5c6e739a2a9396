package io.tern.scheduler.server.cloud.ec2;

import io.tern.scheduler.core.model.CapacityType;
import io.tern.scheduler.server.cloud.CloudConnector;
import io.tern.scheduler.server.cloud.CloudException;
import io.tern.scheduler.server.cloud.CloudInstance;
import io.tern.scheduler.server.cloud.LaunchFailure;
import io.tern.scheduler.server.cloud.LaunchRequest;
import io.tern.scheduler.server.cloud.LaunchResult;
import io.tern.scheduler.server.cloud.SpotPrice;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesRequest;
import software.amazon.awssdk.services.ec2.model.DescribeSpotPriceHistoryRequest;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.InstanceInterruptionBehavior;
import software.amazon.awssdk.services.ec2.model.InstanceLifecycleType;
import software.amazon.awssdk.services.ec2.model.InstanceMarketOptionsRequest;
import software.amazon.awssdk.services.ec2.model.MarketType;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.RunInstancesRequest;
import software.amazon.awssdk.services.ec2.model.ShutdownBehavior;
import software.amazon.awssdk.services.ec2.model.SpotInstanceType;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;
import software.amazon.awssdk.services.ec2.model.TerminateInstancesRequest;

/**
 * EC2 through the AWS SDK v2: spot and on-demand instances that boot {@code tern agent}.
 *
 * <p><b>RunInstances, not CreateFleet.</b> A launch walks the pool's instance types × zones
 * (starting one further along on every launch, so successive launches spread over them) and calls
 * {@code RunInstances} with {@code MinCount=1, MaxCount=remaining} for each until the count is met;
 * a capacity or price error moves on to the next pair, a limit or any other error stops.
 * CreateFleet ({@code type=instant}, capacity-optimized) would pick the deepest spot pool in one
 * call, but needs a launch template per pool that the connector would have to create, version and
 * clean up, and reports errors per override in a shape we would have to re-map anyway. RunInstances
 * takes the user data and tags inline, its errors are exactly the typed reasons the {@link
 * io.tern.scheduler.server.cloud.FleetScaler} falls back on, and the scaler's cool-downs give the
 * "avoid the shallow pool" effect across launches. Revisit if launches grow past a few dozen nodes
 * a minute.
 *
 * <p>Every instance is tagged {@code tern:node=<cluster>}, {@code tern:pool}, {@code
 * tern:capacity}, plus the request's tags ({@code tern:team} for cost allocation), on the instance
 * and its volumes; {@link #describe} lists by the {@code tern:node} tag. A {@code ClientToken} per
 * call makes SDK retries safe. Thread-safe (the SDK client is).
 */
public final class Ec2CloudConnector implements CloudConnector {
  public static final String NODE_TAG = "tern:node";
  public static final String POOL_TAG = "tern:pool";
  public static final String CAPACITY_TAG = "tern:capacity";

  /** How far back {@link #spotPriceHistory} looks. */
  static final Duration PRICE_HISTORY = Duration.ofHours(6);

  private final Ec2Client ec2;
  private final Map<String, Ec2Pool> pools = new LinkedHashMap<>();
  private final Ec2Settings settings;
  private final Clock clock;
  private final AtomicInteger rotation = new AtomicInteger();

  /**
   * @param ec2 a configured client (see {@link Ec2Clients}); closed by {@link #close}
   */
  public Ec2CloudConnector(Ec2Client ec2, List<Ec2Pool> pools, Ec2Settings settings, Clock clock) {
    this.ec2 = ec2;
    for (Ec2Pool p : pools) {
      this.pools.put(p.id(), p);
    }
    this.settings = settings;
    this.clock = clock;
  }

  @Override
  public LaunchResult launch(LaunchRequest request) {
    Ec2Pool pool = pool(request.poolId());
    if (pool.capacityType() != request.capacityType()) {
      throw new CloudException(
          "pool "
              + pool.id()
              + " is "
              + pool.capacityType().label()
              + ", not "
              + request.capacityType().label());
    }
    String userData =
        Base64.getEncoder()
            .encodeToString(
                settings
                    .userData()
                    .render(
                        Map.of(
                            "SCHEDULER", settings.schedulerAddress(),
                            "CAPACITY", pool.capacityType().label(),
                            "POOL", pool.id(),
                            "PRICE", String.format(Locale.ROOT, "%.4f", pool.pricePerHourUsd())))
                    .getBytes(StandardCharsets.UTF_8));
    List<String[]> overrides = new ArrayList<>();
    for (String type : pool.instanceTypes()) {
      for (Ec2Pool.Placement p : pool.placements()) {
        overrides.add(new String[] {type, p.zone(), p.subnetId()});
      }
    }
    int start = Math.floorMod(rotation.getAndIncrement(), overrides.size());
    List<CloudInstance> launched = new ArrayList<>();
    List<LaunchFailure> failures = new ArrayList<>();
    for (int i = 0; i < overrides.size() && launched.size() < request.count(); i++) {
      String[] o = overrides.get((start + i) % overrides.size());
      try {
        var response =
            ec2.runInstances(
                runRequest(
                    pool, request, o[0], o[1], o[2], request.count() - launched.size(), userData));
        for (Instance instance : response.instances()) {
          launched.add(toCloud(instance, pool.id()));
        }
      } catch (AwsServiceException e) {
        String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
        LaunchFailure.Reason reason = classify(code);
        String message =
            e.awsErrorDetails() == null ? e.getMessage() : e.awsErrorDetails().errorMessage();
        failures.add(new LaunchFailure(pool.id(), o[0], o[1], reason, code, message));
        if (reason != LaunchFailure.Reason.INSUFFICIENT_CAPACITY
            && reason != LaunchFailure.Reason.PRICE_TOO_LOW) {
          break;
        }
      } catch (SdkException e) {
        throw new CloudException("EC2 RunInstances for pool " + pool.id() + " failed", e);
      }
    }
    return new LaunchResult(request, launched, failures);
  }

  @Override
  public List<CloudInstance> describe() {
    List<CloudInstance> out = new ArrayList<>();
    try {
      var pages =
          ec2.describeInstancesPaginator(
              DescribeInstancesRequest.builder()
                  .filters(
                      Filter.builder().name("tag:" + NODE_TAG).values(settings.cluster()).build())
                  .build());
      for (var reservation : pages.reservations()) {
        for (Instance i : reservation.instances()) {
          out.add(toCloud(i, null));
        }
      }
    } catch (SdkException e) {
      throw new CloudException("EC2 DescribeInstances failed", e);
    }
    out.sort(Comparator.comparing(CloudInstance::id));
    return out;
  }

  @Override
  public void terminate(Collection<String> instanceIds) {
    List<String> ids = instanceIds.stream().distinct().sorted().toList();
    for (int from = 0; from < ids.size(); from += 1000) {
      List<String> batch = ids.subList(from, Math.min(ids.size(), from + 1000));
      try {
        ec2.terminateInstances(TerminateInstancesRequest.builder().instanceIds(batch).build());
      } catch (AwsServiceException e) {
        if (!notFound(e)) {
          throw new CloudException("EC2 TerminateInstances failed", e);
        }
        // One unknown id fails the whole call: go one by one, skipping the unknown ones.
        for (String id : batch) {
          try {
            ec2.terminateInstances(TerminateInstancesRequest.builder().instanceIds(id).build());
          } catch (AwsServiceException single) {
            if (!notFound(single)) {
              throw new CloudException("EC2 TerminateInstances " + id + " failed", single);
            }
          }
        }
      } catch (SdkException e) {
        throw new CloudException("EC2 TerminateInstances failed", e);
      }
    }
  }

  @Override
  public List<SpotPrice> spotPriceHistory(String poolId) {
    Ec2Pool pool = pool(poolId);
    if (pool.capacityType() != CapacityType.SPOT) {
      return List.of();
    }
    Set<String> zones = new HashSet<>();
    pool.placements().forEach(p -> zones.add(p.zone()));
    Instant now = clock.instant();
    List<SpotPrice> out = new ArrayList<>();
    try {
      var pages =
          ec2.describeSpotPriceHistoryPaginator(
              DescribeSpotPriceHistoryRequest.builder()
                  .instanceTypesWithStrings(pool.instanceTypes())
                  .productDescriptions("Linux/UNIX")
                  .startTime(now.minus(PRICE_HISTORY))
                  .endTime(now)
                  .build());
      for (var p : pages.spotPriceHistory()) {
        if (zones.contains(p.availabilityZone())) {
          out.add(
              new SpotPrice(
                  p.instanceTypeAsString(),
                  p.availabilityZone(),
                  Double.parseDouble(p.spotPrice()),
                  p.timestamp()));
        }
      }
    } catch (SdkException e) {
      throw new CloudException("EC2 DescribeSpotPriceHistory failed", e);
    }
    out.sort(
        Comparator.comparing(SpotPrice::at)
            .reversed()
            .thenComparing(SpotPrice::instanceType)
            .thenComparing(SpotPrice::zone));
    return out;
  }

  @Override
  public void close() {
    ec2.close();
  }

  /** Maps EC2 error codes to the reasons fallbacks act on. */
  static LaunchFailure.Reason classify(String code) {
    if (code == null) {
      return LaunchFailure.Reason.OTHER;
    }
    return switch (code) {
      case "InsufficientInstanceCapacity",
          "InsufficientHostCapacity",
          "InsufficientCapacity",
          "InsufficientFreeAddressesInSubnet",
          "Unsupported" ->
          LaunchFailure.Reason.INSUFFICIENT_CAPACITY;
      case "SpotMaxPriceTooLow" -> LaunchFailure.Reason.PRICE_TOO_LOW;
      case "InstanceLimitExceeded", "VcpuLimitExceeded", "MaxSpotInstanceCountExceeded" ->
          LaunchFailure.Reason.LIMIT_EXCEEDED;
      default -> LaunchFailure.Reason.OTHER;
    };
  }

  private RunInstancesRequest runRequest(
      Ec2Pool pool,
      LaunchRequest request,
      String instanceType,
      String zone,
      String subnetId,
      int count,
      String userData) {
    Map<String, String> tags = new TreeMap<>(request.tags());
    tags.put(NODE_TAG, settings.cluster());
    tags.put(POOL_TAG, pool.id());
    tags.put(CAPACITY_TAG, pool.capacityType().label());
    tags.put("Name", "tern-" + pool.id());
    List<Tag> tagList =
        tags.entrySet().stream()
            .map(e -> Tag.builder().key(e.getKey()).value(e.getValue()).build())
            .toList();
    RunInstancesRequest.Builder b =
        RunInstancesRequest.builder()
            .imageId(pool.imageId())
            .instanceType(instanceType)
            .minCount(1)
            .maxCount(count)
            .userData(userData)
            .clientToken(UUID.randomUUID().toString())
            .instanceInitiatedShutdownBehavior(ShutdownBehavior.TERMINATE)
            .tagSpecifications(
                TagSpecification.builder()
                    .resourceType(ResourceType.INSTANCE)
                    .tags(tagList)
                    .build(),
                TagSpecification.builder().resourceType(ResourceType.VOLUME).tags(tagList).build());
    b.placement(p -> p.availabilityZone(zone));
    if (subnetId != null) {
      b.subnetId(subnetId);
    }
    if (!settings.securityGroupIds().isEmpty()) {
      b.securityGroupIds(settings.securityGroupIds());
    }
    if (settings.instanceProfile() != null) {
      b.iamInstanceProfile(p -> p.name(settings.instanceProfile()));
    }
    if (settings.keyName() != null) {
      b.keyName(settings.keyName());
    }
    if (pool.capacityType() == CapacityType.SPOT) {
      b.instanceMarketOptions(
          InstanceMarketOptionsRequest.builder()
              .marketType(MarketType.SPOT)
              .spotOptions(
                  s -> {
                    s.spotInstanceType(SpotInstanceType.ONE_TIME)
                        .instanceInterruptionBehavior(InstanceInterruptionBehavior.TERMINATE);
                    if (pool.maxSpotPriceUsd() != null) {
                      s.maxPrice(pool.maxSpotPriceUsd());
                    }
                  })
              .build());
    }
    return b.build();
  }

  private CloudInstance toCloud(Instance i, String poolId) {
    String pool = poolId;
    for (Tag t : i.tags()) {
      if (pool == null && POOL_TAG.equals(t.key())) {
        pool = t.value();
      }
    }
    CapacityType type =
        i.instanceLifecycle() == InstanceLifecycleType.SPOT
            ? CapacityType.SPOT
            : CapacityType.ON_DEMAND;
    String stateName = i.state() == null ? "pending" : i.state().nameAsString();
    CloudInstance.State state =
        switch (stateName) {
          case "pending" -> CloudInstance.State.PENDING;
          case "running" -> CloudInstance.State.RUNNING;
          case "terminated" -> CloudInstance.State.TERMINATED;
          default -> CloudInstance.State.STOPPING; // shutting-down, stopping, stopped
        };
    return new CloudInstance(
        i.instanceId(),
        pool,
        type,
        i.instanceTypeAsString(),
        i.placement() == null ? null : i.placement().availabilityZone(),
        state,
        i.launchTime());
  }

  private Ec2Pool pool(String poolId) {
    Ec2Pool pool = pools.get(poolId);
    if (pool == null) {
      throw new CloudException("no EC2 pool " + poolId);
    }
    return pool;
  }

  private static boolean notFound(AwsServiceException e) {
    return e.awsErrorDetails() != null
        && e.awsErrorDetails().errorCode() != null
        && e.awsErrorDetails().errorCode().startsWith("InvalidInstanceID");
  }
}
