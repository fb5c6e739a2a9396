package io.tern.cli.history;

import picocli.CommandLine.Command;

/** {@code tern history}: the cluster's own past, for replaying it. */
@Command(
    name = "history",
    description = {
      "The jobs the cluster ran, as a trace the simulator replays.",
      "  tern history export --since 7d -o week.csv",
      "  tern simulate --jobs week.csv --spot ../shared/traces/cant-be-late-spot"
    },
    subcommands = {HistoryExportCommand.class})
public final class HistoryCommand {}
