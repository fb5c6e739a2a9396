package io.tern.scheduler.core.placement;

import io.tern.scheduler.core.model.CapacityPreference;
import io.tern.scheduler.core.model.CapacityType;
import io.tern.scheduler.core.model.Gpu;
import io.tern.scheduler.core.model.Job;
import io.tern.scheduler.core.model.Node;
import io.tern.scheduler.core.model.Resources;
import io.tern.scheduler.core.policy.PoolOffer;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Whether a job could ever be placed, judged by what the nodes and the cloud's pools are (capacity
 * type, GPU count, model and memory, CPU, host memory), never by what runs on them now: the static
 * vetoes (Aurora's {@code VetoGroup} STATIC). A job that fails here would wait forever, so the
 * scheduler refuses it at submission. Nodes in any state count (a drained or lost node may come
 * back); with no node and no pool nothing is known yet, and every job may fit.
 *
 * <p>Stateless and thread-safe.
 */
public final class NeverFits {
  private NeverFits() {}

  /** The first rule a node or pool breaks, in the order they are checked. */
  private enum Miss {
    CAPACITY,
    GPUS,
    MODEL,
    GPU_MEMORY,
    CPU,
    MEMORY
  }

  /** What one node, or every node of one pool, is. */
  private record Shape(
      CapacityType capacity,
      int gpus,
      String model,
      long gpuMemoryMiB,
      int cpu,
      long memoryMiB,
      int count) {}

  /**
   * Why {@code job} fits no node and no pool, e.g. "fits no node and no pool: needs 16 GPUs per
   * node, the most is 8"; empty if enough of them could hold it, or if none is known.
   */
  public static Optional<String> check(Job job, List<Node> nodes, List<PoolOffer> pools) {
    List<Shape> shapes = new ArrayList<>();
    for (Node n : nodes) {
      long gpuMemory = n.gpus().stream().mapToLong(Gpu::memoryTotalMiB).max().orElse(0);
      shapes.add(
          new Shape(
              n.capacityType(),
              n.gpus().size(),
              n.primaryGpuModel(),
              gpuMemory,
              n.cpu(),
              n.memoryMiB(),
              1));
    }
    for (PoolOffer p : pools) {
      shapes.add(
          new Shape(
              p.capacityType(),
              p.gpusPerNode(),
              p.gpuModel(),
              p.gpuMemoryMiB(),
              p.cpu(),
              p.memoryMiB(),
              p.maxNodes()));
    }
    if (shapes.isEmpty()) {
      return Optional.empty();
    }
    Resources want = job.resources();
    Map<Miss, Integer> misses = new EnumMap<>(Miss.class);
    int fitting = 0;
    for (Shape s : shapes) {
      Optional<Miss> miss = miss(job, want, s);
      if (miss.isEmpty()) {
        fitting += s.count();
      } else {
        misses.merge(miss.get(), s.count(), Integer::sum);
      }
    }
    if (fitting >= want.nodes()) {
      return Optional.empty();
    }
    if (fitting > 0) {
      return Optional.of(
          "fits no node and no pool: a gang of "
              + want.nodes()
              + " nodes, and at most "
              + fitting
              + " can hold one member");
    }
    if (misses.size() > 1) {
      // Nodes of the capacity it needs are known, and the other misses say why none of them fit.
      misses.remove(Miss.CAPACITY);
    }
    List<String> why = new ArrayList<>();
    misses.keySet().forEach(m -> why.add(describe(m, job, want, shapes)));
    return Optional.of("fits no node and no pool: " + String.join("; ", why));
  }

  private static Optional<Miss> miss(Job job, Resources want, Shape s) {
    if (!allows(job.capacity(), s.capacity())) {
      return Optional.of(Miss.CAPACITY);
    }
    if (want.gpusPerNode() > s.gpus()) {
      return Optional.of(Miss.GPUS);
    }
    if (want.gpusPerNode() > 0 && !want.acceptsModel(s.model())) {
      return Optional.of(Miss.MODEL);
    }
    if (want.gpusPerNode() > 0 && want.gpuMemoryMiB() > s.gpuMemoryMiB()) {
      return Optional.of(Miss.GPU_MEMORY);
    }
    if (want.cpu() > s.cpu()) {
      return Optional.of(Miss.CPU);
    }
    if (want.memoryMiB() > s.memoryMiB()) {
      return Optional.of(Miss.MEMORY);
    }
    return Optional.empty();
  }

  private static boolean allows(CapacityPreference preference, CapacityType type) {
    return switch (preference) {
      case SPOT_OK -> true;
      case SPOT_ONLY -> type == CapacityType.SPOT;
      case ON_DEMAND -> type == CapacityType.ON_DEMAND;
    };
  }

  private static String describe(Miss miss, Job job, Resources want, List<Shape> shapes) {
    return switch (miss) {
      case CAPACITY ->
          "needs "
              + (job.capacity() == CapacityPreference.SPOT_ONLY ? "spot" : "on-demand")
              + " capacity, and none is known";
      case GPUS ->
          "needs "
              + want.gpusPerNode()
              + " GPUs per node, the most is "
              + shapes.stream().mapToInt(Shape::gpus).max().orElse(0);
      case MODEL -> {
        TreeSet<String> models = new TreeSet<>();
        shapes.stream().filter(s -> s.gpus() > 0).forEach(s -> models.add(s.model()));
        yield "needs a GPU model in " + want.gpuModels() + ", there are " + models;
      }
      case GPU_MEMORY ->
          "needs "
              + gib(want.gpuMemoryMiB())
              + " GiB per GPU, the most is "
              + gib(shapes.stream().mapToLong(Shape::gpuMemoryMiB).max().orElse(0))
              + " GiB";
      case CPU ->
          "needs "
              + want.cpu()
              + " CPUs, the most is "
              + shapes.stream().mapToInt(Shape::cpu).max().orElse(0);
      case MEMORY ->
          "needs "
              + gib(want.memoryMiB())
              + " GiB of memory, the most is "
              + gib(shapes.stream().mapToLong(Shape::memoryMiB).max().orElse(0))
              + " GiB";
    };
  }

  private static String gib(long mib) {
    return mib % 1024 == 0
        ? Long.toString(mib / 1024)
        : String.format(java.util.Locale.ROOT, "%.1f", mib / 1024.0);
  }
}
