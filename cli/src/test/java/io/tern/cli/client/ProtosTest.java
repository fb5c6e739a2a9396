package io.tern.cli.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.util.JsonFormat;
import io.tern.api.v1.JobSpec;
import org.junit.jupiter.api.Test;

class ProtosTest {
  @Test
  void jsonWritesTheTextAsItIsAndReadsBackTheSame() throws Exception {
    JobSpec spec =
        JobSpec.newBuilder()
            .addCommand("echo")
            .addCommand("a=b <c> & 'd'")
            .addCommand("\\u003d is six characters, \"quoted\"")
            .putEnv("A", "B=C")
            .build();

    String json = Protos.json(spec);
    JobSpec.Builder back = JobSpec.newBuilder();
    JsonFormat.parser().merge(json, back);

    assertThat(json)
        .contains("\"a=b <c> & 'd'\"")
        .contains("\"A\": \"B=C\"")
        .contains("\"\\\\u003d is six characters, \\\"quoted\\\"\"");
    assertThat(back.build()).isEqualTo(spec);
  }
}
