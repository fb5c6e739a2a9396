package io.tern.scheduler.server.loop;

import io.tern.api.v1.Job;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Clients following jobs (WatchJob). Each client hears each version of the job once: a watch that
 * starts while a change is on its way to ZooKeeper is shown the job at once, and the commit of that
 * same change is not sent again. Confined to the scheduler loop thread.
 */
public final class Watchers {
  /** A client following one job. */
  public interface Watcher {
    /** Delivers the job; returns false once the client has gone, to be forgotten. */
    boolean onJob(Job job);

    /** The job finished, or this replica stopped leading. */
    void onEnd();
  }

  /** A watcher and the version of the job it was last sent. */
  private static final class Following {
    final Watcher watcher;
    Job sent;

    Following(Watcher watcher, Job sent) {
      this.watcher = watcher;
      this.sent = sent;
    }
  }

  private final Map<String, List<Following>> byJob = new HashMap<>();
  private final UnaryOperator<Job> present;

  /**
   * @param present what a client is sent for a stored job (its cost so far filled in)
   */
  Watchers(UnaryOperator<Job> present) {
    this.present = present;
  }

  /** Sends {@code job} unless it is what this watcher saw last; false once the client left. */
  private boolean send(Following f, Job job) {
    if (job.equals(f.sent)) {
      return true;
    }
    f.sent = job;
    return f.watcher.onJob(present.apply(job));
  }

  void add(Job job, Watcher watcher) {
    if (watcher.onJob(present.apply(job))) {
      byJob.computeIfAbsent(job.getId(), k -> new ArrayList<>()).add(new Following(watcher, job));
    }
  }

  void changed(Job job) {
    List<Following> list = byJob.get(job.getId());
    if (list == null) {
      return;
    }
    list.removeIf(f -> !send(f, job));
    boolean finished =
        switch (job.getState()) {
          case JOB_STATE_SUCCEEDED, JOB_STATE_FAILED, JOB_STATE_CANCELLED -> true;
          default -> false;
        };
    if (finished || list.isEmpty()) {
      byJob.remove(job.getId());
      if (finished) {
        list.forEach(f -> f.watcher.onEnd());
      }
    }
  }

  void closeAll() {
    byJob.values().forEach(list -> list.forEach(f -> f.watcher.onEnd()));
    byJob.clear();
  }
}
