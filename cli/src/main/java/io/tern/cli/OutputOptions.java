package io.tern.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.UncheckedIOException;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.representer.Representer;
import picocli.CommandLine.Model.CommandSpec;

/** The {@code -o/--output} option every verb takes, and the JSON and YAML writers behind it. */
public final class OutputOptions implements CommandModels.OptionGroup {
  /** Made on first use: Jackson loads hundreds of classes, which a table never needs. */
  private static final class Json {
    static final ObjectMapper MAPPER =
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  }

  private OutputFormat format = OutputFormat.table;

  /** Adds {@code -o/--output} to {@code spec}. */
  @Override
  public void declare(CommandSpec spec) {
    spec.addOption(
        CommandModels.option(OutputFormat.class, () -> format, v -> format = v, "-o", "--output")
            .paramLabel("FORMAT")
            .defaultValue("table")
            .description("Output format: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
            .build());
  }

  public OutputFormat format() {
    return format;
  }

  /** Whether the answer is printed for a program to read ({@code -o json} or {@code -o yaml}). */
  public boolean structured() {
    return format != OutputFormat.table;
  }

  /**
   * {@code json} (a JSON document) in the format asked for: as it is for {@code -o json}, as a YAML
   * block document with the same keys and values for {@code -o yaml}; without a final newline.
   */
  public String render(String json) {
    if (format != OutputFormat.yaml) {
      return json;
    }
    // Read by SnakeYAML itself (a JSON document is YAML), not Jackson: SnakeYAML is in the client's
    // AOT cache (spec files), Jackson is not, and reading through it cost -o yaml 0.2 CPU-s.
    LoaderOptions limits = new LoaderOptions();
    limits.setCodePointLimit(Integer.MAX_VALUE); // the default 3 MB would refuse a long job list
    DumperOptions options = new DumperOptions();
    options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
    Yaml yaml = new Yaml(new SafeConstructor(limits), new Representer(options), options, limits);
    return yaml.dump(yaml.load(json)).stripTrailing();
  }

  /** {@code value} (maps, lists, records, plain values) as indented JSON. */
  public static String toJson(Object value) {
    try {
      return Json.MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
