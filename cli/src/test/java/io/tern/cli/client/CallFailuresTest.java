package io.tern.cli.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.tern.cli.UserInputException;
import org.junit.jupiter.api.Test;

class CallFailuresTest {
  @Test
  void aRefusalIsTheSchedulersWordsWithoutTheStatusCode() {
    for (Status status :
        new Status[] {
          Status.FAILED_PRECONDITION,
          Status.NOT_FOUND,
          Status.PERMISSION_DENIED,
          Status.ALREADY_EXISTS,
          Status.RESOURCE_EXHAUSTED,
          Status.UNAUTHENTICATED
        }) {
      assertThat(CallFailures.describe(status.withDescription("what").asRuntimeException()))
          .isEqualTo("what");
    }
    assertThat(CallFailures.describe(Status.PERMISSION_DENIED.asRuntimeException()))
        .isEqualTo("permission denied");
    assertThat(CallFailures.describe(Status.INTERNAL.withDescription("boom").asRuntimeException()))
        .isEqualTo("the scheduler failed: boom");
    assertThat(CallFailures.describe(Status.DEADLINE_EXCEEDED.asRuntimeException()))
        .as("a change may have been made: the user must not take it as refused")
        .startsWith("the scheduler did not answer in time (a change it was asked for may have");
  }

  @Test
  void invalidArgumentIsBadInputAndTheRestFailures() {
    RuntimeException bad =
        CallFailures.failure(
            "refused: ", Status.INVALID_ARGUMENT.withDescription("x: wrong").asRuntimeException());
    RuntimeException failed =
        CallFailures.failure(Status.FAILED_PRECONDITION.withDescription("no").asRuntimeException());

    assertThat(bad).isInstanceOf(UserInputException.class).hasMessage("refused: x: wrong");
    assertThat(failed).isInstanceOf(IllegalStateException.class).hasMessage("no");
  }
}
