package io.tern.scheduler.server.testing;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.tern.api.v1.AgentMessage;
import io.tern.api.v1.CapacityType;
import io.tern.api.v1.Gpu;
import io.tern.api.v1.GpuHealth;
import io.tern.api.v1.JobStatus;
import io.tern.api.v1.Register;
import io.tern.api.v1.RunningAttempt;
import io.tern.api.v1.SchedulerMessage;
import io.tern.api.v1.Telemetry;
import java.util.List;

/**
 * A protocol-level stand-in for a node agent: it speaks AgentService over real gRPC and records the
 * commands it gets, and the test says what its "jobs" do. The real agent is tested against the real
 * scheduler in the cli module's end-to-end tests.
 */
public final class FakeAgent implements AutoCloseable {
  public final String nodeId;
  private final ManagedChannel channel;
  private final int gpus;
  private final CapacityType capacity;
  private final String pool;
  private final double price;
  private volatile AgentStream stream;
  private volatile String instance = ""; // Register.agent_instance: none, as older agents send

  /** Registers from now on as agent process {@code id} (Register.agent_instance). */
  public FakeAgent instance(String id) {
    instance = id;
    return this;
  }

  public FakeAgent(String target, String nodeId, int gpus, CapacityType capacity) {
    this(
        target,
        nodeId,
        gpus,
        capacity,
        capacity == CapacityType.CAPACITY_TYPE_SPOT ? "p4d/us-east-1a" : "p4d-od/us-east-1a",
        capacity == CapacityType.CAPACITY_TYPE_SPOT ? 10 : 32);
  }

  /** An agent of a given pool and price (as a launched cloud instance would be). */
  public FakeAgent(
      String target, String nodeId, int gpus, CapacityType capacity, String pool, double price) {
    this(
        NettyChannelBuilder.forTarget(target).usePlaintext().build(),
        nodeId,
        gpus,
        capacity,
        pool,
        price);
  }

  /** An agent speaking over {@code channel} (e.g. TLS with a client certificate); closes it. */
  public FakeAgent(
      ManagedChannel channel,
      String nodeId,
      int gpus,
      CapacityType capacity,
      String pool,
      double price) {
    this.nodeId = nodeId;
    this.gpus = gpus;
    this.capacity = capacity;
    this.pool = pool;
    this.price = price;
    this.channel = channel;
  }

  /** Opens the stream and registers, reporting {@code running} attempts. */
  public FakeAgent connect(List<RunningAttempt> running) {
    stream = new AgentStream(channel);
    Register.Builder register =
        Register.newBuilder()
            .setNodeId(nodeId)
            .setCapacityType(capacity)
            .setPool(pool)
            .setPricePerHourUsd(price)
            .setCpu(96)
            .setMemoryGib(1024)
            .setAgentInstance(instance)
            .addAllRunning(running);
    for (int i = 0; i < gpus; i++) {
      register.addGpus(gpu(i, 0));
    }
    send(AgentMessage.newBuilder().setRegister(register).build());
    return this;
  }

  public FakeAgent connect() {
    return connect(List.of());
  }

  private Gpu gpu(int index, int utilization) {
    return Gpu.newBuilder()
        .setIndex(index)
        .setUuid(nodeId + "-gpu" + index)
        .setModel("A100")
        .setMemoryTotalMib(81920)
        .setUtilizationPercent(utilization)
        .setHealth(GpuHealth.GPU_HEALTH_OK)
        .build();
  }

  public void heartbeat() {
    heartbeat(0);
  }

  /** A heartbeat numbered {@code seq} (0: asks for no Ack). */
  public void heartbeat(long seq) {
    Telemetry.Builder t = Telemetry.newBuilder();
    for (int i = 0; i < gpus; i++) {
      t.addGpus(gpu(i, 0));
    }
    send(AgentMessage.newBuilder().setTelemetry(t).setSeq(seq).build());
  }

  public void status(String jobId, int attempt, JobStatus.Phase phase, int exitCode) {
    send(
        AgentMessage.newBuilder()
            .setJobStatus(
                JobStatus.newBuilder()
                    .setJobId(jobId)
                    .setAttempt(attempt)
                    .setPhase(phase)
                    .setExitCode(exitCode))
            .build());
  }

  public void send(AgentMessage message) {
    stream.send(message);
  }

  /** How the scheduler ended the current stream, or null while it is open. */
  public Status closedWith() {
    return stream.closedWith();
  }

  /** The next command of the given kind, skipping others; fails after {@code seconds}. */
  public SchedulerMessage next(SchedulerMessage.KindCase kind, int seconds)
      throws InterruptedException {
    return stream.next(kind, seconds);
  }

  /** Ends the stream as a crashed agent would (no goodbye). */
  public void drop() {
    stream.cancel();
  }

  @Override
  public void close() {
    channel.shutdownNow();
  }
}
