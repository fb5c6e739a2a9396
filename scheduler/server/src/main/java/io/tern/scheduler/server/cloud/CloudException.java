package io.tern.scheduler.server.cloud;

/** The cloud provider could not be asked (network, credentials, configuration). */
public final class CloudException extends RuntimeException {
  public CloudException(String message) {
    super(message);
  }

  public CloudException(String message, Throwable cause) {
    super(message, cause);
  }
}
