package io.tern.agent.perf;

import io.tern.agent.AgentConfig;
import io.tern.agent.NodeAgent;
import io.tern.agent.gpu.GpuProbeSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A node agent as {@code tern agent} builds it, for measuring memory and CPU (not a test). Args:
 * SCHEDULER GPUS WORK_DIR, e.g. {@code localhost:50099 sim:8xH100 /tmp/agent}.
 */
public final class AgentMain {
  private AgentMain() {}

  public static void main(String[] args) throws Exception {
    GpuProbeSpec gpus = GpuProbeSpec.parse(args[1]);
    AgentConfig config =
        AgentConfig.builder("perf-node", List.of(args[0]), Path.of(args[2])).build();
    NodeAgent agent = NodeAgent.create(config, gpus.open(config.nodeId(), Optional.empty()));
    Runtime.getRuntime().addShutdownHook(new Thread(agent::close));
    agent.start();
    Thread.currentThread().join();
  }
}
