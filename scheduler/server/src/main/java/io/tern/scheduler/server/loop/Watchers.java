package io.tern.scheduler.server.loop;

import io.tern.api.v1.Job;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Clients following jobs (WatchJob). Confined to the scheduler loop thread. */
public final class Watchers {
  /** A client following one job. */
  public interface Watcher {
    /** Delivers the job; returns false once the client has gone, to be forgotten. */
    boolean onJob(Job job);

    /** The job finished, or this replica stopped leading. */
    void onEnd();
  }

  private final Map<String, List<Watcher>> byJob = new HashMap<>();

  void add(Job job, Watcher watcher) {
    if (watcher.onJob(job)) {
      byJob.computeIfAbsent(job.getId(), k -> new ArrayList<>()).add(watcher);
    }
  }

  void changed(Job job) {
    List<Watcher> list = byJob.get(job.getId());
    if (list == null) {
      return;
    }
    list.removeIf(w -> !w.onJob(job));
    boolean finished =
        switch (job.getState()) {
          case JOB_STATE_SUCCEEDED, JOB_STATE_FAILED, JOB_STATE_CANCELLED -> true;
          default -> false;
        };
    if (finished || list.isEmpty()) {
      byJob.remove(job.getId());
      if (finished) {
        list.forEach(Watcher::onEnd);
      }
    }
  }

  void closeAll() {
    byJob.values().forEach(list -> list.forEach(Watcher::onEnd));
    byJob.clear();
  }
}
