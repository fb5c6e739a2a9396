package io.tern.agent;

import java.lang.management.ManagementFactory;

/** What this host offers besides GPUs, as the JVM sees it (container limits included). */
final class NodeResources {
  private NodeResources() {}

  static double cpus() {
    return Runtime.getRuntime().availableProcessors();
  }

  static double memoryGib() {
    if (ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getTotalMemorySize() / (1024.0 * 1024.0 * 1024.0);
    }
    return 0;
  }

  static String agentVersion() {
    String version = NodeAgent.class.getPackage().getImplementationVersion();
    return version == null ? "dev" : version;
  }
}
