package io.tern.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Every command's {@code --help} renders without picocli complaining about its text. */
class HelpTextTest {

  private static void collect(CommandLine cl, List<CommandLine> out) {
    out.add(cl);
    for (CommandLine sub : cl.getSubcommands().values()) {
      if (!out.contains(sub)) {
        collect(sub, out);
      }
    }
  }

  @Test
  void everyHelpRendersCleanly() {
    List<CommandLine> commands = new ArrayList<>();
    collect(TernCommand.commandLine(), commands);
    PrintStream original = System.err;
    ByteArrayOutputStream warnings = new ByteArrayOutputStream();
    List<String> broken = new ArrayList<>();
    try {
      System.setErr(new PrintStream(warnings, true, StandardCharsets.UTF_8));
      for (CommandLine cl : commands) {
        warnings.reset();
        String usage = cl.getUsageMessage(CommandLine.Help.Ansi.OFF);
        String complaints = warnings.toString(StandardCharsets.UTF_8);
        if (usage.isBlank() || complaints.contains("[picocli WARN]")) {
          broken.add(cl.getCommandSpec().qualifiedName() + ": " + complaints.strip());
        }
      }
    } finally {
      System.setErr(original);
    }

    assertThat(commands).hasSizeGreaterThan(20);
    assertThat(broken).isEmpty();
  }

  /**
   * Each line of a description is printed as a line of its own: a line of prose that stops
   * mid-sentence (no full stop, colon or the like at its end) with the sentence going on in the
   * next is a stray line break in the help. Examples (indented, or a command line) are not prose.
   */
  @Test
  void noDescriptionLineBreaksMidSentence() {
    List<CommandLine> commands = new ArrayList<>();
    collect(TernCommand.commandLine(), commands);
    List<String> broken = new ArrayList<>();
    for (CommandLine cl : commands) {
      String[] lines = cl.getCommandSpec().usageMessage().description();
      for (int i = 0; i + 1 < lines.length; i++) {
        if (lines[i].matches("\\p{Upper}.*[\\p{Alnum},(]")
            && lines[i + 1].matches("\\p{Lower}.*")) {
          broken.add(cl.getCommandSpec().qualifiedName() + ": '" + lines[i] + "'");
        }
      }
    }

    assertThat(broken).isEmpty();
  }
}
