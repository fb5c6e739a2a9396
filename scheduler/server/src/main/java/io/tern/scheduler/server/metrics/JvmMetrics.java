package io.tern.scheduler.server.metrics;

import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * JVM and process figures under the names the Prometheus Java client's JVM instrumentation uses (so
 * its dashboards work): memory, threads, garbage collection, CPU, open files, resident memory and
 * start time, read from the platform MXBeans and {@code /proc/self} when it exists.
 */
public final class JvmMetrics {
  private JvmMetrics() {}

  public static void register(PrometheusRegistry registry) {
    var memory = ManagementFactory.getMemoryMXBean();
    GaugeWithCallback.builder()
        .name("jvm_memory_used_bytes")
        .help("JVM memory in use, by area (heap, nonheap)")
        .labelNames("area")
        .callback(
            cb -> {
              cb.call(memory.getHeapMemoryUsage().getUsed(), "heap");
              cb.call(memory.getNonHeapMemoryUsage().getUsed(), "nonheap");
            })
        .register(registry);
    GaugeWithCallback.builder()
        .name("jvm_memory_max_bytes")
        .help("The most memory the JVM may use, by area (-1: no limit)")
        .labelNames("area")
        .callback(
            cb -> {
              cb.call(max(memory.getHeapMemoryUsage()), "heap");
              cb.call(max(memory.getNonHeapMemoryUsage()), "nonheap");
            })
        .register(registry);
    var threads = ManagementFactory.getThreadMXBean();
    GaugeWithCallback.builder()
        .name("jvm_threads_current")
        .help("Live JVM threads")
        .callback(cb -> cb.call(threads.getThreadCount()))
        .register(registry);
    CounterWithCallback.builder()
        .name("jvm_gc_collection_seconds")
        .help("Time spent in garbage collection, by collector")
        .labelNames("gc")
        .callback(
            cb -> {
              for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
                cb.call(Math.max(0, gc.getCollectionTime()) / 1e3, gc.getName());
              }
            })
        .register(registry);
    var os = ManagementFactory.getOperatingSystemMXBean();
    if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
      CounterWithCallback.builder()
          .name("process_cpu_seconds")
          .help("CPU time this process used, user and system")
          .callback(cb -> cb.call(Math.max(0, sun.getProcessCpuTime()) / 1e9))
          .register(registry);
    }
    if (os instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
      GaugeWithCallback.builder()
          .name("process_open_fds")
          .help("Open file descriptors")
          .callback(cb -> cb.call(unix.getOpenFileDescriptorCount()))
          .register(registry);
      GaugeWithCallback.builder()
          .name("process_max_fds")
          .help("The most file descriptors this process may open")
          .callback(cb -> cb.call(unix.getMaxFileDescriptorCount()))
          .register(registry);
    }
    GaugeWithCallback.builder()
        .name("process_start_time_seconds")
        .help("When this process started, in seconds since the Unix epoch")
        .callback(cb -> cb.call(ManagementFactory.getRuntimeMXBean().getStartTime() / 1e3))
        .register(registry);
    Path status = Path.of("/proc/self/status");
    if (Files.isReadable(status)) {
      GaugeWithCallback.builder()
          .name("process_resident_memory_bytes")
          .help("Resident memory of this process (VmRSS)")
          .callback(cb -> cb.call(residentBytes(status)))
          .register(registry);
    }
  }

  private static long max(MemoryUsage usage) {
    return usage.getMax();
  }

  private static double residentBytes(Path status) {
    try {
      for (String line : Files.readAllLines(status)) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024.0;
        }
      }
    } catch (IOException | NumberFormatException e) {
      // fall through: unknown
    }
    return Double.NaN;
  }
}
