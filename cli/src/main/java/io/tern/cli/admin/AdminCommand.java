package io.tern.cli.admin;

import picocli.CommandLine.Command;

/** {@code tern admin}: certificates, tokens, and initialising a checkpoint store. */
@Command(
    name = "admin",
    description = {
      "Set up who may do what: a local CA and certificates, and users' tokens; and initialise a"
          + " file checkpoint store that no scheduler initialises.",
      "Typical first steps:",
      "  tern admin certs init --dir tls --hosts sched1.example.com",
      "  tern scheduler --zk ... --tls-dir tls",
      "  tern admin token create --zk ... --user root --role admin   (the first token)",
      "  tern admin token create --user alice --team vision          (with an admin token)",
      "  tern admin init-store /mnt/ckpt                              (a new store, if need be)"
    },
    subcommands = {CertsCommand.class, TokenCommand.class, InitStoreCommand.class})
public final class AdminCommand {}
