package io.tern.scheduler.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ShortStatusDescriptionsTest {
  @Test
  void aShortDescriptionIsSentAsItIs() {
    Status status = Status.INVALID_ARGUMENT.withDescription("job_id: expected an id");

    assertThat(ShortStatusDescriptions.shortened(status)).isSameAs(status);
    assertThat(ShortStatusDescriptions.shortened(Status.OK)).isSameAs(Status.OK);
  }

  @Test
  void aLongOneIsCutAtACharacterWithinTheLimitAndSaysHowLongItWas() {
    // Two bytes each in UTF-8: a cut at an odd byte would split one.
    String text = "name: " + "é".repeat(5_000);
    Status cut = ShortStatusDescriptions.shortened(Status.NOT_FOUND.withDescription(text));

    String description = cut.getDescription();
    assertThat(cut.getCode()).isEqualTo(Status.Code.NOT_FOUND);
    assertThat(description).startsWith("name: éé").endsWith("... (10006 bytes in all)");
    assertThat(description.getBytes(StandardCharsets.UTF_8).length)
        .isLessThanOrEqualTo(ShortStatusDescriptions.MAX_BYTES + 30);
    assertThat(description).doesNotContain("\uFFFD");
  }
}
