package dev.jbuild.builder.cli;

import dev.jbuild.builder.container.ContainerStore;
import dev.jbuild.builder.template.GoValue.Field;
import dev.jbuild.builder.template.GoValue.Struct;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

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

  @Option(names = "--format", paramLabel = "TEMPLATE",
      description = "Format the output with a Go template: 'table {{.ID}}\\t{{.Status}}',"
          + " '{{json .}}'. Fields: ID, Image, Command, CreatedAt, RunningFor, State, Status,"
          + " Names, Ports, Labels, Mounts, Networks, Size, LocalVolumes.")
  String format;

  @Spec CommandSpec spec;

  /** Column titles of {@code --format table}, as docker names them. */
  private static final Struct HEADER = columns("COMMAND", "CREATED AT", "CONTAINER ID", "IMAGE",
      "LABELS", "LOCAL VOLUMES", "MOUNTS", "NAMES", "NETWORKS", "PORTS", "CREATED", "SIZE",
      "STATE", "STATUS");

  @Override
  public Integer call() throws Exception {
    Session session = Session.open(main);
    PrintWriter out = spec.commandLine().getOut();
    List<String[]> rows = new ArrayList<>();
    List<Struct> structs = new ArrayList<>();
    for (ContainerStore.Record c : new ContainerStore(session.root).list()) {
      boolean running = c.running();
      if (!all && !running) {
        continue;
      }
      if (quiet) {
        out.println(c.shortId());
        continue;
      }
      String command = quote(String.join(" ", c.command()));
      rows.add(new String[] {c.shortId(), c.image(), command, ago(c.created()) + " ago",
          status(c, running)});
      structs.add(columns(command, createdAt(c.created()), c.shortId(), c.image(), "", "0", "",
          "", "", "", ago(c.created()) + " ago", "0B", running ? "running" : "exited",
          status(c, running)));
    }
    if (quiet) {
      out.flush();
    } else if (format != null) {
      try {
        Formats.print(out, format, HEADER, structs);
      } catch (Formats.FormatException e) {
        return Formats.fail(spec.commandLine().getErr(), e);
      }
    } else {
      ImagesCommand.print(out, new String[] {"CONTAINER ID", "IMAGE", "COMMAND", "CREATED",
          "STATUS"}, rows);
    }
    return 0;
  }

  private static Struct columns(String... values) {
    String[] names = {"Command", "CreatedAt", "ID", "Image", "Labels", "LocalVolumes", "Mounts",
        "Names", "Networks", "Ports", "RunningFor", "Size", "State", "Status"};
    List<Field> fields = new ArrayList<>();
    for (int i = 0; i < names.length; i++) {
      fields.add(Field.of(names[i], values[i], false));
    }
    return new Struct("*formatter.ContainerContext", fields);
  }

  private static String createdAt(String instant) {
    try {
      return ImagesCommand.CREATED_AT.format(Instant.parse(instant));
    } catch (RuntimeException e) {
      return "";
    }
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
}
