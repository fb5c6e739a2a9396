package io.tern.cli.admin;

import picocli.CommandLine.Command;

/** {@code tern admin}: certificates and tokens. */
@Command(
    name = "admin",
    description = {
      "Set up who may do what: a local CA and certificates, and users' tokens.",
      "Typical first steps:",
      "  tern admin certs init --dir tls --hosts sched1.example.com",
      "  tern scheduler --zk ... --tls-dir tls",
      "  tern admin token create --zk ... --user root --role admin   (the first token)",
      "  tern admin token create --user alice --team vision          (with an admin token)"
    },
    subcommands = {CertsCommand.class, TokenCommand.class})
public final class AdminCommand {}
