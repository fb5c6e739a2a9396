package io.tern.agent.perf;

import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.stub.StreamObserver;
import io.tern.api.v1.AgentMessage;
import io.tern.api.v1.AgentServiceGrpc;
import io.tern.api.v1.Registered;
import io.tern.api.v1.SchedulerMessage;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A stub leader for measuring the agent (not a test): answers Register with epoch 1 and a telemetry
 * interval, counts telemetry samples, prints the count every 10 s. Args: PORT [INTERVAL_MS].
 */
public final class StubSchedulerMain {
  private StubSchedulerMain() {}

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    int intervalMs = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
    AtomicLong samples = new AtomicLong();
    Server server =
        Grpc.newServerBuilderForPort(port, InsecureServerCredentials.create())
            .addService(
                new AgentServiceGrpc.AgentServiceImplBase() {
                  @Override
                  public StreamObserver<AgentMessage> connect(
                      StreamObserver<SchedulerMessage> agent) {
                    return new StreamObserver<>() {
                      @Override
                      public void onNext(AgentMessage message) {
                        if (message.hasRegister()) {
                          System.out.println(
                              "registered "
                                  + message.getRegister().getNodeId()
                                  + " with "
                                  + message.getRegister().getGpusCount()
                                  + " GPUs");
                          agent.onNext(
                              SchedulerMessage.newBuilder()
                                  .setEpoch(1)
                                  .setRegistered(
                                      Registered.newBuilder()
                                          .setEpoch(1)
                                          .setTelemetryIntervalMs(intervalMs))
                                  .build());
                        } else if (message.hasTelemetry()) {
                          samples.incrementAndGet();
                        }
                      }

                      @Override
                      public void onError(Throwable t) {}

                      @Override
                      public void onCompleted() {
                        agent.onCompleted();
                      }
                    };
                  }
                })
            .build()
            .start();
    System.out.println("stub scheduler on :" + server.getPort());
    while (!server.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS)) {
      System.out.println("telemetry samples: " + samples.get());
    }
  }
}
