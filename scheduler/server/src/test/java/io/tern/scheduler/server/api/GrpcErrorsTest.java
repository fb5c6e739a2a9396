package io.tern.scheduler.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.tern.scheduler.server.loop.NotLeaderException;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** How the loop's refusals for want of a leader reach clients. */
class GrpcErrorsTest {

  @Test
  void noLeaderIsAnOutageThatSaysTheCallWasNotTaken() {
    StatusRuntimeException e =
        GrpcErrors.toStatus(new NotLeaderException("electing", Optional.empty()));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(e.getStatus().getDescription()).startsWith("no leader available: ");
    assertThat(e.getTrailers().get(GrpcErrors.NOT_TAKEN)).isEqualTo("no-leader");
    assertThat(e.getTrailers().containsKey(GrpcErrors.LEADER)).isFalse();
  }

  @Test
  void aKnownLeaderIsARedirectNotAnOutage() {
    StatusRuntimeException e =
        GrpcErrors.toStatus(new NotLeaderException("standby", Optional.of("10.0.0.7:50051")));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(e.getTrailers().get(GrpcErrors.LEADER)).isEqualTo("10.0.0.7:50051");
    assertThat(e.getTrailers().containsKey(GrpcErrors.NOT_TAKEN)).isFalse();
  }

  @Test
  void aChangeThatMayHaveBeenStoredIsAnOutageWithoutTheNotTakenTrailer() {
    StatusRuntimeException e =
        GrpcErrors.toStatus(
            new java.util.concurrent.CompletionException(
                new io.tern.scheduler.server.loop.UnknownOutcomeException(
                    "it may be stored", null)));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(e.getStatus().getDescription()).isEqualTo("it may be stored");
    assertThat(e.getTrailers() == null || !e.getTrailers().containsKey(GrpcErrors.NOT_TAKEN))
        .as("a client must not take it as not taken")
        .isTrue();
  }
}
