package io.tern.cli;

import picocli.CommandLine;

/** {@code tern --version}: the version Maven stamped into the jar's manifest. */
final class TernVersion implements CommandLine.IVersionProvider {
  @Override
  public String[] getVersion() {
    String version = TernCommand.class.getPackage().getImplementationVersion();
    return new String[] {
      "tern " + (version == null ? "(development build)" : version),
      "Java " + Runtime.version() + " (" + System.getProperty("java.vendor") + ")"
    };
  }
}
