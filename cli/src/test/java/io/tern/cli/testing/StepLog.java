package io.tern.cli.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A job that logs every step with its pid and attempt to one shared file ({@link #SCRIPT}), and
 * what that file says about exactly-once: runs of the same job that overlapped in time, steps
 * redone (work lost), steps never done, and jobs that ran again after they had finished.
 *
 * <p>Each line is {@code MICROS JOB ATTEMPT PID KIND VALUE}: {@code start R} (resumed after step R,
 * 0 when fresh), {@code step N}, {@code checkpoint N}, {@code checkpointed N} (wrote a checkpoint
 * on the signal and exits 0), {@code end N} (all steps done; exits 0).
 */
public final class StepLog {
  /** steps.sh LOG TOTAL PACE EVERY. */
  public static final String SCRIPT =
      """
      #!/usr/bin/env bash
      # steps.sh LOG TOTAL PACE EVERY: logs every step with its pid and attempt, checkpoints every
      # EVERY steps and on SIGUSR1/SIGTERM (then exits 0), resumes from TERN_RESUME_DIR.
      set -u
      log=$1 total=$2 pace=$3 every=$4
      say() {
        printf '%s %s %s %s %s\\n' "${EPOCHREALTIME/./}" "$TERN_JOB_ID" "$TERN_ATTEMPT" "$$" "$*" >> "$log"
      }
      step=0
      if [[ -n ${TERN_RESUME_DIR:-} ]]; then read -r step < "$TERN_RESUME_DIR/step"; fi
      say start "$step"
      requested=0
      trap 'requested=1' USR1 TERM
      checkpoint() {
        local name
        printf -v name 'ck-%06d' "$step"
        mkdir -p "$TERN_CHECKPOINT_DIR/$name"
        echo "$step" > "$TERN_CHECKPOINT_DIR/$name/step"
        : > "$TERN_CHECKPOINT_DIR/$name.done"
        say checkpoint "$step"
      }
      while ((step < total)); do
        sleep "$pace" &
        wait $! 2> /dev/null
        if ((requested)); then
          checkpoint
          say checkpointed "$step"
          exit 0
        fi
        step=$((step + 1))
        say step "$step"
        if ((step % every == 0)); then checkpoint; fi
      done
      say end "$step"
      """;

  /** One line of the log. */
  public record Line(long micros, String job, int attempt, long pid, String kind, int value) {}

  /** One process of one attempt: the lines it logged. */
  public record Run(String job, int attempt, long pid, List<Line> lines) {
    long first() {
      return lines.getFirst().micros();
    }

    long last() {
      return lines.getLast().micros();
    }

    int resumedAfter() {
      return lines.getFirst().kind().equals("start") ? lines.getFirst().value() : -1;
    }

    int lastStep() {
      return lines.stream()
          .filter(l -> l.kind().equals("step"))
          .mapToInt(Line::value)
          .max()
          .orElse(resumedAfter());
    }
  }

  /**
   * What the log says about one job; {@code firstEndMicros} is when it first logged {@code end}
   * (epoch microseconds, {@code Long.MAX_VALUE} if never).
   */
  public record Verdict(
      String job,
      int runs,
      long overlapMillis,
      int overlappingPairs,
      int stepsRedone,
      int worstLoss,
      Set<Integer> missing,
      int ends,
      int runsAfterEnd,
      long firstEndMicros) {
    @Override
    public String toString() {
      return String.format(
          "%s: %d runs, overlap %d ms (%d pairs), %d steps redone (worst %d at once), %d missing,"
              + " %d ends, %d runs after the end",
          job,
          runs,
          overlapMillis,
          overlappingPairs,
          stepsRedone,
          worstLoss,
          missing.size(),
          ends,
          runsAfterEnd);
    }
  }

  private final List<Line> lines;

  private StepLog(List<Line> lines) {
    this.lines = lines;
  }

  public static StepLog read(Path file) {
    List<Line> lines = new ArrayList<>();
    try {
      if (Files.exists(file)) {
        for (String text : Files.readAllLines(file)) {
          String[] f = text.trim().split(" ");
          if (f.length == 6) {
            lines.add(
                new Line(
                    Long.parseLong(f[0]),
                    f[1],
                    Integer.parseInt(f[2]),
                    Long.parseLong(f[3]),
                    f[4],
                    Integer.parseInt(f[5])));
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    lines.sort(Comparator.comparingLong(Line::micros));
    return new StepLog(lines);
  }

  /** Every pid that ever logged, for clean-up. */
  public Set<Long> pids() {
    Set<Long> pids = new HashSet<>();
    lines.forEach(l -> pids.add(l.pid()));
    return pids;
  }

  /** The highest step {@code job} has logged (0 before any). */
  public int reached(String job) {
    return lines.stream()
        .filter(l -> l.job().equals(job) && l.kind().equals("step"))
        .mapToInt(Line::value)
        .max()
        .orElse(0);
  }

  public boolean ended(String job) {
    return lines.stream().anyMatch(l -> l.job().equals(job) && l.kind().equals("end"));
  }

  /** The verdict on {@code job}, which was to run {@code total} steps. */
  public Verdict verdict(String job, int total) {
    Map<Long, List<Line>> byPid = new LinkedHashMap<>();
    for (Line l : lines) {
      if (l.job().equals(job)) {
        byPid.computeIfAbsent(l.pid(), k -> new ArrayList<>()).add(l);
      }
    }
    List<Run> runs = new ArrayList<>();
    byPid.forEach((pid, ls) -> runs.add(new Run(job, ls.getFirst().attempt(), pid, ls)));
    runs.sort(Comparator.comparingLong(Run::first));
    long overlap = 0;
    int pairs = 0;
    for (int i = 0; i < runs.size(); i++) {
      for (int j = i + 1; j < runs.size(); j++) {
        long o =
            Math.min(runs.get(i).last(), runs.get(j).last())
                - Math.max(runs.get(i).first(), runs.get(j).first());
        if (o >= 0) {
          overlap += o / 1000;
          pairs++;
        }
      }
    }
    int redone = 0;
    int worst = 0;
    int reached = 0;
    for (Run run : runs) {
      int loss = Math.max(0, reached - run.resumedAfter());
      redone += loss;
      worst = Math.max(worst, loss);
      reached = Math.max(reached, run.lastStep());
    }
    Set<Integer> done = new TreeSet<>();
    lines.stream()
        .filter(l -> l.job().equals(job) && l.kind().equals("step"))
        .forEach(l -> done.add(l.value()));
    Set<Integer> missing = new TreeSet<>();
    for (int s = 1; s <= total; s++) {
      if (!done.contains(s)) {
        missing.add(s);
      }
    }
    long firstEnd = Long.MAX_VALUE;
    int ends = 0;
    for (Line l : lines) {
      if (l.job().equals(job) && l.kind().equals("end")) {
        ends++;
        firstEnd = Math.min(firstEnd, l.micros());
      }
    }
    long end = firstEnd;
    int after = (int) runs.stream().filter(r -> r.first() > end).count();
    return new Verdict(
        job, runs.size(), overlap, pairs, redone, worst, missing, ends, after, firstEnd);
  }

  /** Runs per job, for messages. */
  public Map<String, Integer> runsPerJob() {
    Map<String, Set<Long>> pids = new TreeMap<>();
    lines.forEach(l -> pids.computeIfAbsent(l.job(), k -> new HashSet<>()).add(l.pid()));
    Map<String, Integer> runs = new TreeMap<>();
    pids.forEach((job, p) -> runs.put(job, p.size()));
    return runs;
  }
}
