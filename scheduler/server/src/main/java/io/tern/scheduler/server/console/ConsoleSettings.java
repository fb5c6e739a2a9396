package io.tern.scheduler.server.console;

/**
 * Where a replica serves the web console.
 *
 * @param port the HTTP(S) port; 0 picks a free one, -1 serves no console
 * @param optional when the port is taken, serve no console (with a warning) rather than fail: how
 *     {@code tern scheduler}'s default port behaves, so a second replica on one host still starts
 * @param simulations what the Simulations page runs, or null: the page then says this replica runs
 *     none
 */
public record ConsoleSettings(int port, boolean optional, ConsoleSimulations simulations) {
  /** The port {@code tern scheduler} serves the console on unless told otherwise. */
  public static final int DEFAULT_PORT = 9470;

  public static final ConsoleSettings OFF = new ConsoleSettings(-1, false, null);

  public ConsoleSettings {
    if (port < -1 || port > 65535) {
      throw new IllegalArgumentException("console port: must be 0..65535, or -1 for none");
    }
  }

  /** A console without simulations. */
  public ConsoleSettings(int port, boolean optional) {
    this(port, optional, null);
  }

  /** A console on {@code port} that must come up. */
  public static ConsoleSettings on(int port) {
    return new ConsoleSettings(port, false, null);
  }

  /** The same console, running simulations with {@code newSimulations}. */
  public ConsoleSettings withSimulations(ConsoleSimulations newSimulations) {
    return new ConsoleSettings(port, optional, newSimulations);
  }

  public boolean enabled() {
    return port >= 0;
  }
}
