package io.tern.checkpoint;

/**
 * Which attempt of a job is writing to the store: its number and the leader epoch the scheduler
 * placed it under. Attempts of one job are ordered by number, then epoch; the store accepts commits
 * only from the newest attempt it has recorded for the job ({@link CheckpointStore#beginAttempt}).
 *
 * @param attempt the attempt number, 1 or more
 * @param epoch the leader epoch of the placement; 0 when unknown (an older scheduler)
 */
public record AttemptFence(int attempt, long epoch) implements Comparable<AttemptFence> {

  public AttemptFence {
    if (attempt < 1 || epoch < 0) {
      throw new IllegalArgumentException(
          "attempt must be 1 or more and epoch 0 or more, got " + attempt + "/" + epoch);
    }
  }

  @Override
  public int compareTo(AttemptFence other) {
    int byAttempt = Integer.compare(attempt, other.attempt);
    return byAttempt != 0 ? byAttempt : Long.compare(epoch, other.epoch);
  }

  @Override
  public String toString() {
    return "attempt " + attempt + (epoch > 0 ? " (epoch " + epoch + ")" : "");
  }
}
