package io.tern.agent.job;

/** A job attempt could not be started; the message becomes the START_FAILED status's message. */
public class LaunchException extends Exception {
  private static final long serialVersionUID = 1L;

  public LaunchException(String message) {
    super(message);
  }

  /**
   * The node could not prepare the attempt in its work dir (a full disk, an unwritable directory):
   * reported as NODE_FAULT, so the job is placed again without counting a retry.
   */
  public static final class NodeFault extends LaunchException {
    private static final long serialVersionUID = 1L;

    public NodeFault(String message) {
      super(message);
    }
  }

  /**
   * The checkpoint store failed the start (it could not record the attempt or restore its
   * checkpoint: full, unwritable, unreachable): reported as STORE_FAULT, so the job waits and is
   * placed again without counting a retry, and without blaming the node.
   */
  public static final class StoreFault extends LaunchException {
    private static final long serialVersionUID = 1L;

    public StoreFault(String message) {
      super(message);
    }
  }

  /**
   * The attempt was not started because an earlier attempt of the job already succeeded (the
   * checkpoint store records its exit 0): reported as SUCCEEDED_EARLIER, not as a failure.
   */
  public static final class SucceededEarlier extends LaunchException {
    private static final long serialVersionUID = 1L;

    private final int succeededAttempt;

    public SucceededEarlier(int succeededAttempt, String message) {
      super(message);
      this.succeededAttempt = succeededAttempt;
    }

    /** The attempt that exited 0. */
    public int succeededAttempt() {
      return succeededAttempt;
    }
  }
}
