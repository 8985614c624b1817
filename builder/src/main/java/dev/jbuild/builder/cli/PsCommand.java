package dev.jbuild.builder.cli;

import dev.jbuild.builder.container.ContainerStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code jbuild ps}: containers kept by {@code jbuild run} (without {@code --rm}), newest first,
 * as {@code docker ps} prints them: running ones, or all with {@code -a}.
 */
@Command(name = "ps", mixinStandardHelpOptions = true, description = "List containers.")
final class PsCommand implements Callable<Integer> {
  @ParentCommand Main main;

  @Option(names = {"-a", "--all"}, description = "Show all containers (default: running only).")
  boolean all;

  @Option(names = {"-q", "--quiet"}, description = "Only show container IDs.")
  boolean quiet;

  @Override
  public Integer call() throws Exception {
    Session session = Session.open(main);
    List<String[]> rows = new ArrayList<>();
    for (ContainerStore.Record c : new ContainerStore(session.root).list()) {
      boolean running = c.running();
      if (!all && !running) {
        continue;
      }
      if (quiet) {
        System.out.println(c.shortId());
        continue;
      }
      rows.add(new String[] {c.shortId(), c.image(), quote(String.join(" ", c.command())),
          ago(c.created()) + " ago", status(c, running)});
    }
    if (!quiet) {
      print(new String[] {"CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS"}, rows);
    }
    return 0;
  }

  private static String quote(String command) {
    return "\"" + (command.length() > 20 ? command.substring(0, 19) + "…" : command) + "\"";
  }

  private static String status(ContainerStore.Record c, boolean running) {
    if (running) {
      return "Up " + ago(c.created());
    }
    if (c.exitCode() == null) {
      // The jbuild process that ran it died without recording how the container ended.
      return "Exited (unknown)";
    }
    return "Exited (" + c.exitCode() + ") " + ago(c.finished()) + " ago";
  }

  /** Docker's rough durations: "5 seconds", "3 minutes", "2 hours", "4 days". */
  static String ago(String instant) {
    Duration d;
    try {
      d = Duration.between(Instant.parse(instant), Instant.now());
    } catch (RuntimeException e) {
      return "?";
    }
    long s = Math.max(0, d.toSeconds());
    if (s < 60) {
      return s <= 1 ? "1 second" : s + " seconds";
    } else if (s < 3600) {
      return plural(s / 60, "minute");
    } else if (s < 48 * 3600) {
      return plural(s / 3600, "hour");
    }
    return plural(s / 86400, "day");
  }

  private static String plural(long n, String unit) {
    return n + " " + unit + (n == 1 ? "" : "s");
  }

  static void print(String[] header, List<String[]> rows) {
    int[] widths = new int[header.length];
    for (int i = 0; i < header.length; i++) {
      widths[i] = header[i].length();
      for (String[] row : rows) {
        widths[i] = Math.max(widths[i], row[i].length());
      }
    }
    List<String[]> all = new ArrayList<>();
    all.add(header);
    all.addAll(rows);
    for (String[] row : all) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < row.length; i++) {
        line.append(row[i]);
        if (i < row.length - 1) {
          line.append(" ".repeat(widths[i] - row[i].length() + 3));
        }
      }
      System.out.println(line.toString().stripTrailing());
    }
  }
}
