/*
 * Tern job shim, native: the same contract as job-shim.sh (read its header for the protocol), in
 * one small process instead of setsid, bash, a subshell and setpriv. The agent prefers it
 * where the build made it for the agent's architecture and it answers --version; job-shim.sh is the
 * fallback, and both are run by the same tests.
 *
 * Usage: job-shim ATTEMPT_DIR LEASE_FILE FENCE_SIGNAL SUCCESS_FILE SETPRIV -- PROGRAM [ARGS...]
 *        job-shim --version
 *
 * Differences from job-shim.sh, none visible to the agent or the job:
 * - the shim starts its own session (setsid(2)) rather than running under setsid(1);
 * - the job's parent-death signal (SIGKILL) is set with prctl(2) whatever SETPRIV says;
 * - the job's exit is awaited with poll(2) on the pipe and waitid(2) with WNOWAIT, not /proc;
 * - the shim is a child subreaper (prctl(2)): a process the job started that left the job's group
 *   (setsid, setpgid, a double fork) stays the shim's descendant, and gets the fence signal, and
 *   SIGKILL when the job is killed or ends, as the group does. job-shim.sh reaches the group only.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SHIM_VERSION "tern-job-shim 1"
/* The lease is checked this often while the job runs, in milliseconds. */
#define LEASE_CHECK_MS 200

static const char *dir;
static char path_buf[PATH_MAX];

/* ATTEMPT_DIR/NAME, in a static buffer. */
static const char *in_dir(const char *name) {
  snprintf(path_buf, sizeof path_buf, "%s/%s", dir, name);
  return path_buf;
}

static int signal_number(const char *name) {
  static const struct {
    const char *name;
    int number;
  } names[] = {{"HUP", SIGHUP},   {"INT", SIGINT},   {"QUIT", SIGQUIT}, {"USR1", SIGUSR1},
               {"USR2", SIGUSR2}, {"TERM", SIGTERM}, {"ALRM", SIGALRM}, {"WINCH", SIGWINCH},
               {"PWR", SIGPWR},   {"KILL", SIGKILL}};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
    if (strcmp(names[i].name, name) == 0) {
      return names[i].number;
    }
  }
  return -1;
}

/* Reads the first line of PATH into BUF (NUL-terminated, newline kept); -1 when unreadable. */
static ssize_t read_file(const char *path, char *buf, size_t size) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return -1;
  }
  ssize_t n;
  do {
    n = read(fd, buf, size - 1);
  } while (n < 0 && errno == EINTR);
  close(fd);
  if (n < 0) {
    return -1;
  }
  buf[n] = '\0';
  return n;
}

/* Writes TEXT to PATH in one write(2), as the shell's printf > PATH does; FLAGS add O_EXCL. */
static int write_file(const char *path, const char *text, int flags) {
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | flags, 0666);
  if (fd < 0) {
    return -1;
  }
  size_t len = strlen(text);
  ssize_t n;
  do {
    n = write(fd, text, len);
  } while (n < 0 && errno == EINTR);
  int closed = close(fd);
  return n == (ssize_t)len && closed == 0 ? 0 : -1;
}

/* /proc/uptime in centiseconds: the clock the agent writes the lease in. */
static long long uptime_centis(void) {
  char buf[64];
  if (read_file("/proc/uptime", buf, sizeof buf) <= 0) {
    return 0;
  }
  long long seconds = 0;
  long long centis = 0;
  char *p = buf;
  while (*p >= '0' && *p <= '9') {
    seconds = seconds * 10 + (*p++ - '0');
  }
  if (*p == '.') {
    p++;
    for (int i = 0; i < 2; i++) {
      centis = centis * 10 + (*p >= '0' && *p <= '9' ? *p++ - '0' : 0);
    }
  }
  return seconds * 100 + centis;
}

/* Parses a non-negative decimal at *P, moving past it; 0 when there is none. */
static long long parse_number(const char **p) {
  long long value = 0;
  while (**p == ' ' || **p == '\t') {
    (*p)++;
  }
  while (**p >= '0' && **p <= '9') {
    value = value * 10 + (*(*p)++ - '0');
  }
  return value;
}

/*
 * True when ATTEMPT_DIR/fenced holds a kill time, whole with its newline (sets *CLAIMED): whoever
 * wrote it signalled the job. Empty (its writer failed), partial or unreadable is no claim.
 */
static int claimed_kill_at(long long *claimed) {
  char buf[64];
  ssize_t n = read_file(in_dir("fenced"), buf, sizeof buf);
  if (n < 2 || buf[n - 1] != '\n') {
    return 0;
  }
  for (ssize_t i = 0; i < n - 1; i++) {
    if (buf[i] < '0' || buf[i] > '9') {
      return 0;
    }
  }
  const char *p = buf;
  *claimed = parse_number(&p);
  return 1;
}

/* True once the job has exited; it is not reaped, so its pid (and group id) stays its own. */
static int gone(pid_t job) {
  siginfo_t info;
  memset(&info, 0, sizeof info);
  if (waitid(P_PID, (id_t)job, &info, WEXITED | WNOHANG | WNOWAIT) < 0) {
    return errno != EINTR;
  }
  return info.si_pid == job;
}

static void say(const char *format, ...) {
  char buf[1024];
  va_list args;
  va_start(args, format);
  int n = vsnprintf(buf, sizeof buf, format, args);
  va_end(args);
  if (n > 0) {
    ssize_t ignored = write(STDERR_FILENO, buf, n < (int)sizeof buf ? (size_t)n : sizeof buf - 1);
    (void)ignored;
  }
}

static void sleep_ms(int ms) {
  struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {
  }
}

/*
 * Sends SIG to every descendant of the shim outside the job's process group JOB (the group itself
 * is signalled as a group): with the shim a subreaper, those are the processes the job started
 * that left its group. Returns how many it signalled. Reads every /proc/PID/stat.
 */
static int signal_escaped(pid_t job, int sig) {
  struct process {
    pid_t pid;
    pid_t parent;
    pid_t group;
  };
  size_t count = 0;
  size_t capacity = 512;
  struct process *all = malloc(capacity * sizeof *all);
  DIR *proc = opendir("/proc");
  if (all == NULL || proc == NULL) {
    free(all);
    if (proc != NULL) {
      closedir(proc);
    }
    return 0;
  }
  struct dirent *entry;
  while ((entry = readdir(proc)) != NULL) {
    if (entry->d_name[0] < '1' || entry->d_name[0] > '9') {
      continue;
    }
    char path[300];
    char stat[512];
    snprintf(path, sizeof path, "/proc/%s/stat", entry->d_name);
    if (read_file(path, stat, sizeof stat) <= 0) {
      continue;
    }
    /* "PID (COMM) STATE PPID PGRP ...": COMM may hold anything, so read from its last ')'. */
    const char *p = strrchr(stat, ')');
    if (p == NULL || p[1] != ' ' || p[2] == '\0' || p[3] != ' ') {
      continue;
    }
    p += 4;
    long long parent = parse_number(&p);
    long long group = parse_number(&p);
    if (count == capacity) {
      struct process *more = realloc(all, 2 * capacity * sizeof *all);
      if (more == NULL) {
        break;
      }
      all = more;
      capacity *= 2;
    }
    all[count].pid = (pid_t)atoll(entry->d_name);
    all[count].parent = (pid_t)parent;
    all[count].group = (pid_t)group;
    count++;
  }
  closedir(proc);
  /* Breadth-first from the shim; a process found to descend is marked with parent 0. */
  int signalled = 0;
  pid_t *queue = malloc((count + 1) * sizeof *queue);
  if (queue != NULL) {
    size_t head = 0;
    size_t tail = 0;
    queue[tail++] = getpid();
    while (head < tail) {
      pid_t parent = queue[head++];
      for (size_t i = 0; i < count; i++) {
        if (all[i].parent == parent && all[i].pid != parent) {
          all[i].parent = 0;
          queue[tail++] = all[i].pid;
          if (all[i].group != job && kill(all[i].pid, sig) == 0) {
            signalled++;
          }
        }
      }
    }
    free(queue);
  }
  free(all);
  return signalled;
}

/* SIGKILL to the job's group and every process it started outside it. */
static void kill_job(pid_t job) {
  kill(-job, SIGKILL);
  signal_escaped(job, SIGKILL);
}

/* Reaps children that have exited, other than the job (still to be waited for). */
static void reap_others(pid_t job) {
  for (;;) {
    siginfo_t info;
    memset(&info, 0, sizeof info);
    if (waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT) < 0 || info.si_pid == 0 ||
        info.si_pid == job) {
      return;
    }
    waitpid(info.si_pid, NULL, WNOHANG);
  }
}

/* The child: the job, in its own process group, dying with the shim. Does not return. */
static void run_job(pid_t shim, int ended, char **program) {
  close(ended);
  setpgid(0, 0);
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != shim) {
    _exit(137);
  }
  sigset_t none;
  sigemptyset(&none);
  for (int s = 1; s < NSIG; s++) {
    if (s != SIGKILL && s != SIGSTOP) {
      signal(s, SIG_DFL);
    }
  }
  sigprocmask(SIG_SETMASK, &none, NULL);
  execvp(program[0], program);
  int code = errno == ENOENT ? 127 : 126;
  say("tern: %s: %s\n", program[0], strerror(errno));
  _exit(code);
}

int main(int argc, char **argv) {
  if (argc == 2 && strcmp(argv[1], "--version") == 0) {
    puts(SHIM_VERSION);
    return 0;
  }
  if (argc < 8 || strcmp(argv[6], "--") != 0) {
    say("usage: job-shim ATTEMPT_DIR LEASE_FILE FENCE_SIGNAL SUCCESS_FILE SETPRIV -- PROGRAM "
        "[ARGS...]\n");
    return 2;
  }
  dir = argv[1];
  const char *lease = argv[2];
  const char *fence_name = argv[3];
  const char *success_file = argv[4];
  int fence_signal = signal_number(fence_name);
  if (fence_signal < 0) {
    say("tern: job-shim: %s is not a signal name\n", fence_name);
    return 2;
  }
  /* Away from the agent's terminal and process group, as setsid(1) put job-shim.sh. */
  setsid();
  /* The job's exit must wait to be reaped here: an inherited SIG_IGN would have the kernel reap it. */
  signal(SIGCHLD, SIG_DFL);
  /* Orphans of the job's processes become the shim's children, not init's: none leaves its reach. */
  prctl(PR_SET_CHILD_SUBREAPER, 1);

  /* A pipe whose only writer is the job: EOF on it means the job has gone. */
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) < 0) {
    say("tern: job-shim: pipe: %s\n", strerror(errno));
    return 126;
  }
  int ended = pipe_fds[0];
  int running = pipe_fds[1];
  pid_t shim = getpid();
  pid_t job = fork();
  if (job < 0) {
    say("tern: job-shim: fork: %s\n", strerror(errno));
    return 126;
  }
  if (job == 0) {
    /* The write end stays open across exec: the job holds it until it (and its children) end. */
    fcntl(running, F_SETFD, 0);
    run_job(shim, ended, argv + 7);
  }
  setpgid(job, job);
  close(running);

  /* "PID STARTTIME": STARTTIME, field 22 of /proc/PID/stat, guards against pid reuse. */
  long long start = 0;
  char proc_stat[1024];
  char proc[64];
  snprintf(proc, sizeof proc, "/proc/%d/stat", (int)job);
  if (read_file(proc, proc_stat, sizeof proc_stat) > 0) {
    const char *p = strrchr(proc_stat, ')');
    if (p != NULL) {
      p += 2;
      for (int field = 3; field < 22 && *p; p++) {
        if (*p == ' ') {
          field++;
        }
      }
      start = parse_number(&p);
    }
  }
  char line[128];
  snprintf(line, sizeof line, "%d %lld\n", (int)job, start);
  write_file(in_dir("job.pid"), line, 0);

  int fenced = 0;
  long long kill_at = 0;
  long long claimed = 0;
  int watching = 1;
  /* Waits after the pipe's EOF, while the job's exit completes: short at first, then 0.2 s. */
  static const int polls[] = {1, 2, 5, 10, 20, 50, 100};
  size_t next_poll = 0;
  while (!gone(job)) {
    long long now = uptime_centis();
    if (!fenced) {
      struct stat st;
      if (stat(in_dir("fenced"), &st) == 0 && st.st_size > 0 && claimed_kill_at(&claimed)) {
        /* The agent fenced the job itself (and sent the signal); it wrote the kill time. */
        kill_at = claimed;
        fenced = 1;
      } else {
        long long fence_at = 0;
        long long next_kill = 0;
        char buf[128];
        if (read_file(lease, buf, sizeof buf) > 0) {
          const char *p = buf;
          fence_at = parse_number(&p);
          next_kill = parse_number(&p);
        }
        if (now >= fence_at) {
          /* Fenced, whether or not the record below can be written. */
          fenced = 1;
          kill_at = next_kill;
          char record[32];
          snprintf(record, sizeof record, "%lld\n", kill_at);
          /* Whoever creates ATTEMPT_DIR/fenced first (O_EXCL) signals: the shim or the agent. */
          if (write_file(in_dir("fenced"), record, O_EXCL) == 0) {
            say("tern: no lease from the agent since uptime %lld; SIG%s to group %d\n", fence_at,
                fence_name, (int)job);
            kill(-job, fence_signal);
            signal_escaped(job, fence_signal);
          } else if (claimed_kill_at(&claimed)) {
            /* The agent fenced first, since the look above; it signalled and set the kill time. */
            kill_at = claimed;
          } else {
            /* No record (a full disk, or a writer that failed left it empty): the shim signals. */
            say("tern: no lease from the agent since uptime %lld, and no record of the fence in "
                "%s/fenced; SIG%s to group %d\n",
                fence_at, dir, fence_name, (int)job);
            kill(-job, fence_signal);
            signal_escaped(job, fence_signal);
          }
        }
      }
    }
    if (fenced && now >= kill_at) {
      kill_job(job);
    }
    reap_others(job);
    if (watching) {
      /* Returns after 0.2 s, or at once when the job has gone (EOF). */
      struct pollfd pfd = {ended, POLLIN, 0};
      if (poll(&pfd, 1, LEASE_CHECK_MS) > 0) {
        char drain[512];
        ssize_t n = read(ended, drain, sizeof drain);
        if (n == 0) {
          watching = 0;
          close(ended);
        } else if (n < 0 && errno != EINTR && errno != EAGAIN) {
          watching = 0;
          close(ended);
        }
      }
    } else if (!gone(job)) {
      /* The job is exiting, or it closed the pipe and runs on: poll. */
      sleep_ms(next_poll < sizeof polls / sizeof polls[0] ? polls[next_poll++] : LEASE_CHECK_MS);
    }
  }
  int status = 0;
  pid_t reaped;
  while ((reaped = waitpid(job, &status, 0)) < 0 && errno == EINTR) {
  }
  /* Not reaped here (cannot happen with SIGCHLD at its default): unknown, as the shell's wait. */
  int code = reaped != job          ? 127
             : WIFEXITED(status)    ? WEXITSTATUS(status)
                                    : 128 + WTERMSIG(status);
  /* What is left of the job's processes, in its group or not, until none is left to reap. */
  kill(-job, SIGKILL);
  for (int round = 0; round < 500; round++) {
    while (waitpid(-1, NULL, WNOHANG) > 0) {
    }
    siginfo_t info;
    memset(&info, 0, sizeof info);
    if (waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT) < 0 && errno == ECHILD) {
      break;
    }
    kill_job(job);
    sleep_ms(2);
  }
  /* The agent may have fenced (and signalled) the job after the last look above. */
  if (access(in_dir("fenced"), F_OK) == 0) {
    fenced = 1;
  }
  if (code == 0 && !fenced && strcmp(success_file, "-") != 0 &&
      access(in_dir("signalled"), F_OK) != 0) {
    int fd = open(success_file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0666);
    if (fd < 0 || close(fd) != 0) {
      say("tern: cannot record the job's success in %s\n", success_file);
    }
  }
  snprintf(line, sizeof line, "%d %d\n", code, fenced);
  write_file(in_dir("exit"), line, 0);
  return code;
}
