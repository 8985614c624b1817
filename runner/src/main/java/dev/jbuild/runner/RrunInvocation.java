package dev.jbuild.runner;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Starts rrun once and waits for it: {@code rrun - STATUS_PATH} with the spec written to its
 * stdin (which rrun then replaces with /dev/null), so the spec, which may hold secrets, is never
 * a file; only when this JVM's stdin is attached is it {@code rrun SPEC_PATH STATUS_PATH}.
 * stdout/stderr are copied to the caller's streams. Interruption or
 * timeout SIGKILLs rrun; its PR_SET_PDEATHSIG then takes the whole container down.
 *
 * <p>PR_SET_PDEATHSIG fires when the <em>thread</em> that started rrun exits, so rrun must be
 * started from the thread that waits for it, as {@link #run} does; never hand the Process to
 * another thread and let the starting one finish.
 */
final class RrunInvocation {
  /**
   * How the container's standard streams are connected: copied to the given streams (stdin from
   * /dev/null), or attached to this JVM's own (stdin only if {@code interactive}).
   */
  record Io(OutputStream stdout, OutputStream stderr, boolean attached, boolean interactive) {
    Io(OutputStream stdout, OutputStream stderr, boolean attached) {
      this(stdout, stderr, attached, attached);
    }
  }

  /** The helper's report plus whether we had to kill it for taking too long. */
  record Outcome(HelperStatus status, int helperExitCode, boolean timedOut) {}

  private RrunInvocation() {}

  /**
   * Runs rrun.
   *
   * @param spec the JSON spec; written to {@code specFile} (mode 0600) only when {@code io} is
   *     interactive, else to rrun's stdin
   * @param specFile where an interactive run's spec goes
   */
  static Outcome run(Path rrun, byte[] spec, Path specFile, Path statusFile, Io io,
      Duration timeout) throws IOException, InterruptedException {
    boolean viaFile = io.attached() && io.interactive();
    if (viaFile) {
      Files.write(specFile, spec);
      Files.setPosixFilePermissions(specFile,
          java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    }
    ProcessBuilder pb = new ProcessBuilder(rrun.toString(), viaFile ? specFile.toString() : "-",
        statusFile.toString());
    pb.environment().clear();
    if (io.attached()) {
      pb.inheritIO();
    }
    if (!viaFile) {
      pb.redirectInput(ProcessBuilder.Redirect.PIPE);
    }
    Process process = pb.start();
    if (!viaFile) {
      try (OutputStream stdin = process.getOutputStream()) {
        stdin.write(spec);
      } catch (IOException e) {
        // rrun ended before reading it all; the status file says why.
      }
    }
    Thread outPump = null;
    Thread errPump = null;
    if (!io.attached()) {
      outPump = pump(process.getInputStream(), io.stdout(), "rrun-stdout");
      errPump = pump(process.getErrorStream(), io.stderr(), "rrun-stderr");
    }
    boolean timedOut = false;
    try {
      if (timeout == null) {
        process.waitFor();
      } else if (!process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
        timedOut = true;
        process.destroyForcibly();
        waitUninterruptibly(process);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      waitUninterruptibly(process);
      joinUninterruptibly(outPump);
      joinUninterruptibly(errPump);
      throw e;
    }
    // PID 1's exit killed every process of the container, so the pipes reach EOF promptly.
    joinUninterruptibly(outPump);
    joinUninterruptibly(errPump);
    List<String> lines = Files.exists(statusFile)
        ? Files.readAllLines(statusFile, StandardCharsets.UTF_8) : List.of();
    return new Outcome(HelperStatus.parse(lines), process.exitValue(), timedOut);
  }

  private static Thread pump(InputStream in, OutputStream out, String name) {
    Thread t = new Thread(() -> {
      byte[] buf = new byte[16384];
      boolean sinkBroken = false;
      try (in) {
        int n;
        while ((n = in.read(buf)) >= 0) {
          // Keep draining even if the caller's stream fails, or the container would block.
          if (!sinkBroken) {
            try {
              out.write(buf, 0, n);
              out.flush();
            } catch (IOException e) {
              sinkBroken = true;
            }
          }
        }
      } catch (IOException e) {
        // The pipe closed under us: the process is gone.
      }
    }, name);
    t.setDaemon(true);
    t.start();
    return t;
  }

  private static void waitUninterruptibly(Process process) {
    boolean interrupted = false;
    while (true) {
      try {
        process.waitFor();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  private static void joinUninterruptibly(Thread t) {
    if (t == null) {
      return;
    }
    boolean interrupted = Thread.interrupted();
    while (true) {
      try {
        t.join();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
