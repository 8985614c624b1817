package dev.jbuild.samples;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Throwaway local users for the tests that run jbuild as a non-root user or attack the store as
 * another user. Root only.
 */
public final class TestUsers {
  private TestUsers() {}

  /**
   * Adds {@code name} with its own group, {@code /bin/sh} and no home directory made, plus
   * {@code options} (e.g. {@code --home-dir DIR}, {@code -K SUB_UID_COUNT=N}); useradd's
   * defaults give it {@code /etc/subuid} and {@code /etc/subgid} ranges. Retried, because
   * useradd fails while another process (a parallel test) holds the lock on {@code /etc/passwd}.
   *
   * @throws AssertionError when useradd still fails after five attempts, with its output
   */
  public static void add(String name, String... options) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("useradd", "--no-create-home", "--user-group",
        "--shell", "/bin/sh"));
    cmd.addAll(List.of(options));
    cmd.add(name);
    for (int attempt = 1; ; attempt++) {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (p.waitFor() == 0) {
        return;
      }
      if (attempt == 5) {
        throw new AssertionError("useradd " + name + " failed: " + output);
      }
      Thread.sleep(200L * attempt);
    }
  }

  /**
   * Removes {@code name}; userdel also drops its {@code /etc/subuid} and {@code /etc/subgid}
   * lines. A user that was never made is no error (cleanup after a setup that stopped early).
   * Retried while the user still exists, as {@link #add} is: userdel fails too while another
   * process (a test class running beside this one) holds the lock on {@code /etc/passwd}.
   */
  public static void remove(String name) throws Exception {
    for (int attempt = 1; ; attempt++) {
      Process p = new ProcessBuilder("userdel", name).redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      if (p.waitFor() == 0 || attempt == 5 || !exists(name)) {
        return;
      }
      Thread.sleep(200L * attempt);
    }
  }

  private static boolean exists(String name) throws Exception {
    Process id = new ProcessBuilder("id", "-u", name).redirectErrorStream(true).start();
    id.getInputStream().readAllBytes();
    return id.waitFor() == 0;
  }
}
