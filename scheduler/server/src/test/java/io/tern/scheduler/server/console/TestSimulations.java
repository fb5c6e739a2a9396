package io.tern.scheduler.server.console;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The console's simulation port for the server's tests (the real simulator is the {@code tern}
 * command's, tested there): a run counts the jobs of its trace (the lines of an upload, or the
 * number in a picked trace's id), "costs" $10 a job on on-demand and $4 under tern, and reports two
 * phases of progress. {@link #hold} keeps runs from finishing until {@link #release}.
 */
final class TestSimulations implements ConsoleSimulations {
  private volatile CountDownLatch gate = new CountDownLatch(0);
  volatile Request last;

  @Override
  public Catalog catalog() {
    return new Catalog(
        List.of(new Choice("jobs-3", "three jobs"), new Choice("jobs-40", "forty jobs")),
        List.of(new Choice("dir:spot-a", "spot-a/"), new Choice("synthetic", "synthetic")),
        List.of(new Choice("tern", "tern: the scheduler's core"), new Choice("spot-greedy", "g")));
  }

  @Override
  public Report run(Request request, Progress progress) {
    last = request;
    progress.update("replay tern", 1, 2);
    try {
      if (!gate.await(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException("held for 30 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    int jobs;
    if (request.uploaded() != null) {
      try {
        List<String> lines = Files.readAllLines(request.uploaded());
        if (lines.isEmpty() || !lines.get(0).startsWith("job_id")) {
          throw new IllegalArgumentException(
              "trace: " + request.uploaded() + ": line 1: expected the header job_id,...");
        }
        jobs = lines.size() - 1;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    } else {
      jobs = Integer.parseInt(request.trace().substring("jobs-".length()));
    }
    progress.update("replay tern", 2, 2);
    String summary =
        "{\"jobs\":"
            + jobs
            + ",\"nodes\":2,\"gpus\":16,\"traceSpanHours\":5,\"seed\":"
            + request.seed()
            + ",\"policies\":["
            + policy("on-demand", 10 * jobs, 0)
            + ","
            + policy("tern", 4 * jobs, 60)
            + "]}";
    return new Report(summary, "<!doctype html><h1 id=\"report\">report of " + jobs + " jobs</h1>");
  }

  private static String policy(String name, double cost, double saved) {
    return "{\"policy\":\""
        + name
        + "\",\"description\":\"d\",\"costUsd\":"
        + cost
        + ",\"spotCostUsd\":0,\"onDemandCostUsd\":"
        + cost
        + ",\"spotShareOfGpuHours\":0,\"savingsVsOnDemandPercent\":"
        + saved
        + ",\"deadlineJobs\":0,\"deadlineMisses\":0,\"jobsUnfinished\":0,"
        + "\"gpuHoursLostToPreemption\":0,\"series\":{\"at\":[1,2]}}";
  }

  void hold() {
    gate = new CountDownLatch(1);
  }

  void release() {
    gate.countDown();
  }
}
