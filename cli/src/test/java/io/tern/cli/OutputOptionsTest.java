package io.tern.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParseResult;

class OutputOptionsTest {
  private static OutputOptions yaml() {
    OutputOptions output = new OutputOptions();
    CommandSpec spec = CommandSpec.create();
    output.declare(spec);
    ParseResult parsed = new picocli.CommandLine(spec).parseArgs("-o", "yaml");
    assertThat(parsed.hasMatchedOption("-o")).isTrue();
    return output;
  }

  @Test
  void yamlHoldsWhatTheJsonHeldValueForValue() throws Exception {
    String json =
        """
        {
          "id": "job-000001",
          "attempt": 3,
          "negative": -2,
          "ratio": 1.5E-4,
          "bytes": "12345678901234567890",
          "ok": true,
          "none": null,
          "looksLikeABoolean": "yes",
          "looksLikeADate": "2026-12-06T06:00:00Z",
          "text": "line one\\nline \\"two\\" \\\\ caf\\u00e9 \\ud83d\\ude80 a=b",
          "empty": {},
          "list": [1, "two", {"three": [3]}],
          "spec": {"command": ["bash", "-c", "echo $HOME: #not a comment"]}
        }
        """;
    String yaml = yaml().render(json);

    Object fromYaml = new Yaml().load(yaml);
    Object fromJson = new ObjectMapper().readValue(json, Object.class);
    assertThat(fromYaml).isEqualTo(fromJson);
    assertThat(yaml).startsWith("id: job-000001\n").doesNotContain("{\"");
  }

  @Test
  void aLongListIsRenderedWhole() throws Exception {
    // Beyond SnakeYAML's default 3 MB limit on what it reads.
    String name = "x".repeat(1000);
    StringBuilder json = new StringBuilder("{\"jobs\": [");
    for (int i = 0; i < 4000; i++) {
      json.append(i == 0 ? "" : ",").append("{\"name\": \"").append(name).append("\"}");
    }
    json.append("]}");

    LoaderOptions limits = new LoaderOptions();
    limits.setCodePointLimit(Integer.MAX_VALUE);
    Map<?, ?> back = new Yaml(limits).load(yaml().render(json.toString()));

    assertThat((List<?>) back.get("jobs")).hasSize(4000);
  }
}
