package io.tern.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * picocli as cli/pom.xml compiles it: its converters for JDK types found by reflection (java.time,
 * Path) are registered when an option of such a type is first converted, not when a CommandLine is
 * made, and never over a converter the program registered.
 */
class PicocliConvertersTest {
  private static CommandLine withOptions() {
    CommandSpec spec = CommandSpec.create();
    spec.addOption(OptionSpec.builder("--after").type(Duration.class).build());
    spec.addOption(OptionSpec.builder("--at").type(Instant.class).build());
    spec.addOption(OptionSpec.builder("--dir").type(Path.class).build());
    return new CommandLine(spec);
  }

  @Test
  void reflectiveConvertersStillConvert() {
    CommandLine cli = withOptions();

    var parsed = cli.parseArgs("--after", "PT90S", "--at", "2026-12-24T08:00:00Z", "--dir", "a/b");

    assertThat((Duration) parsed.matchedOptionValue("--after", null))
        .isEqualTo(Duration.ofSeconds(90));
    assertThat((Instant) parsed.matchedOptionValue("--at", null))
        .isEqualTo(Instant.parse("2026-12-24T08:00:00Z"));
    assertThat((Path) parsed.matchedOptionValue("--dir", null)).isEqualTo(Path.of("a/b"));
  }

  @Test
  void aRegisteredConverterWinsOverAReflectiveOne() {
    CommandLine cli = withOptions();
    cli.registerConverter(Duration.class, value -> Duration.ofMinutes(Long.parseLong(value)));

    var parsed = cli.parseArgs("--after", "3", "--dir", "x");

    assertThat((Duration) parsed.matchedOptionValue("--after", null))
        .isEqualTo(Duration.ofMinutes(3));
    assertThat((Path) parsed.matchedOptionValue("--dir", null)).isEqualTo(Path.of("x"));
  }
}
