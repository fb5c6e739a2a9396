package io.tern.cli;

import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code tern completion bash}: a shell completion script for every verb and flag. */
@Command(
    name = "completion",
    description = {
      "Print a completion script for bash (zsh too, through bashcompinit).",
      "  source <(tern completion bash)                       # this shell",
      "  tern completion bash > /etc/bash_completion.d/tern   # every shell"
    })
public final class CompletionCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(
      paramLabel = "SHELL",
      defaultValue = "bash",
      description = "bash or zsh (default ${DEFAULT-VALUE}).")
  String shell;

  @Override
  public Integer call() {
    if (!shell.equals("bash") && !shell.equals("zsh")) {
      throw new UserInputException("SHELL: expected bash or zsh, got " + shell);
    }
    spec.commandLine().getOut().print(AutoComplete.bash("tern", spec.root().commandLine()));
    spec.commandLine().getOut().flush();
    return 0;
  }
}
