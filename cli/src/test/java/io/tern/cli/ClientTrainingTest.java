package io.tern.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The training run behind the client jar's AOT cache: its calls reach the stand-in scheduler (a
 * real child JVM serving gRPC on loopback) and succeed, so the cache holds the classes of a whole
 * call and its answer; and a call that fails fails the build instead of leaving a cache trained on
 * errors alone.
 */
class ClientTrainingTest {
  @Test
  void everyTrainingCallSucceedsAgainstTheStandInScheduler() {
    assertThatCode(() -> ClientTraining.main(new String[0])).doesNotThrowAnyException();
  }

  @Test
  void aTrainingCallThatFailsStopsTheTraining() {
    List<List<String>> unanswered =
        List.of(List.of("status", "job-000001", "--scheduler", "127.0.0.1:1", "--wait", "0"));

    assertThatThrownBy(() -> ClientTraining.run(unanswered, true))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("'tern status job-000001")
        .hasMessageContaining("exited 1");
  }

  @Test
  void eachVerbWithACacheOfItsOwnTrainsOnItsOwnCalls() {
    for (String verb : ClientTraining.OWN_CACHE_VERBS) {
      List<List<String>> calls =
          ClientTraining.only(verb, ClientTraining.trainingCalls("127.0.0.1:1", "spec.yaml"));

      assertThat(calls).as(verb).isNotEmpty().allMatch(call -> call.getFirst().equals(verb));
    }
    assertThat(ClientTraining.only(null, ClientTraining.trainingCalls("127.0.0.1:1", "spec.yaml")))
        .hasSameSizeAs(ClientTraining.trainingCalls("127.0.0.1:1", "spec.yaml"));
  }

  @Test
  void aVerbsOwnTrainingSucceedsAgainstTheStandInScheduler() {
    assertThatCode(() -> ClientTraining.main(new String[] {"status"})).doesNotThrowAnyException();
    assertThatCode(() -> ClientTraining.main(new String[] {"--version"}))
        .doesNotThrowAnyException();
  }

  @Test
  void aVerbWithoutACacheOfItsOwnIsRefused() {
    assertThatThrownBy(() -> ClientTraining.main(new String[] {"cancel"}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no training for 'cancel'");
  }
}
