package dev.jbuild.builder.cli;

import dev.jbuild.builder.template.GoValue.Field;
import dev.jbuild.builder.template.GoValue.Struct;
import dev.jbuild.layerstore.content.Layer;
import dev.jbuild.layerstore.image.Image;
import dev.jbuild.layerstore.image.LayerSizes;
import dev.jbuild.layerstore.oci.ImageConfig;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code jbuild history IMAGE}: IMAGE CREATED CREATED BY SIZE COMMENT, newest first, like {@code
 * docker history}; the top row shows the image ID, older ones {@code <missing>} (jbuild keeps no
 * intermediate images). A step that made a layer shows the layer's size, others 0B. {@code
 * --format} takes docker's history template fields (docker/cli {@code formatter/history.go}):
 * ID, CreatedSince, CreatedAt, CreatedBy, Size, Comment.
 */
@Command(name = "history", mixinStandardHelpOptions = true,
    description = "Show the history of an image.")
final class HistoryCommand implements Callable<Integer> {
  @ParentCommand Main main;

  @Spec CommandSpec spec;

  @Option(names = "--no-trunc", description = "Don't truncate output.")
  boolean noTrunc;

  @Option(names = {"-q", "--quiet"}, description = "Only show image IDs.")
  boolean quiet;

  @Option(names = {"-H", "--human"}, arity = "1", defaultValue = "true",
      description = "Print sizes and dates in human readable format (default true).")
  boolean human;

  @Option(names = "--format", paramLabel = "TEMPLATE",
      description = "Format the output with a Go template: 'table {{.ID}}\\t{{.CreatedBy}}',"
          + " '{{json .}}', json. Fields: ID, CreatedSince, CreatedAt, CreatedBy, Size, Comment.")
  String format;

  @Parameters(index = "0", paramLabel = "IMAGE") String name;

  /** One history entry as docker's history formatter reads it. */
  private record Row(String id, Instant created, String createdBy, long size, String comment) {}

  /** The column titles of {@code --format table}, in the fields' order below. */
  private static final Struct HEADER =
      columns("COMMENT", "CREATED AT", "CREATED BY", "CREATED", "IMAGE", "SIZE");

  /** docker's {@code CreatedAt}: Go's {@code time.RFC3339}, to the second (UTC here). */
  private static final DateTimeFormatter RFC3339 =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssXXX").withZone(java.time.ZoneOffset.UTC);

  @Override
  public Integer call() throws Exception {
    Session session = Session.open(main);
    Image image = session.image(name);
    List<ImageConfig.History> history = image.config().history();
    List<Layer> layers = image.layers();
    List<Row> rows = new ArrayList<>();
    int layer = 0;
    for (ImageConfig.History h : history) {
      long size = 0;
      if (!h.isEmptyLayer() && layer < layers.size()) {
        size = LayerSizes.of(session.store.content(), layers.get(layer++)).contentSize();
      }
      rows.add(new Row("<missing>", instant(h.created()), h.createdBy() == null ? ""
          : h.createdBy(), size, h.comment() == null ? "" : h.comment()));
    }
    Collections.reverse(rows);
    if (!rows.isEmpty()) {
      Row top = rows.get(0);
      rows.set(0, new Row(noTrunc ? image.id().toString() : image.id().shortHex(),
          top.created(), top.createdBy(), top.size(), top.comment()));
    }
    PrintWriter out = spec.commandLine().getOut();
    if (quiet) {
      rows.forEach(r -> out.println(r.id()));
      out.flush();
      return 0;
    }
    if (format != null) {
      List<Struct> structs = new ArrayList<>();
      rows.forEach(r -> structs.add(columns(r.comment(), createdAt(r.created()), createdBy(r),
          createdSince(r.created()), r.id(), size(r.size()))));
      try {
        Formats.print(out, format, HEADER, structs, true);
      } catch (Formats.FormatException e) {
        return Formats.fail(spec.commandLine().getErr(), e);
      }
      return 0;
    }
    List<String[]> table = new ArrayList<>();
    for (Row r : rows) {
      table.add(new String[] {r.id(), createdSince(r.created()), createdBy(r), size(r.size()),
          r.comment()});
    }
    ImagesCommand.print(out, new String[] {"IMAGE", "CREATED", "CREATED BY", "SIZE", "COMMENT"},
        table);
    return 0;
  }

  private static Struct columns(String... values) {
    String[] names = {"Comment", "CreatedAt", "CreatedBy", "CreatedSince", "ID", "Size"};
    List<Field> fields = new ArrayList<>();
    for (int i = 0; i < names.length; i++) {
      fields.add(Field.of(names[i], values[i], false));
    }
    return new Struct("*formatter.historyContext", fields);
  }

  /** The entry's time, or null when it has none or it does not parse. */
  private static Instant instant(String text) {
    try {
      return text == null || text.isEmpty() ? null : Instant.parse(text);
    } catch (RuntimeException e) {
      return null;
    }
  }

  /** An entry without a time is 0 seconds to docker (1970); jbuild says N/A in human form. */
  private String createdSince(Instant t) {
    return human ? (t == null ? "N/A" : ImagesCommand.ago(t)) : createdAt(t);
  }

  private static String createdAt(Instant t) {
    return t == null ? "1970-01-01T00:00:00Z" : RFC3339.format(t.truncatedTo(ChronoUnit.SECONDS));
  }

  private String size(long bytes) {
    return human ? ImagesCommand.human(bytes) : Long.toString(bytes);
  }

  private String createdBy(Row r) {
    // docker replaces tabs only; a newline stays one in --format, but would break the table.
    String s = r.createdBy().replace("\t", " ");
    if (format == null) {
      s = s.replace("\n", " ");
    }
    if (!noTrunc && s.codePointCount(0, s.length()) > 45) {
      // docker's stringutils.Ellipsis: 44 characters and an ellipsis.
      return s.substring(0, s.offsetByCodePoints(0, 44)) + "…";
    }
    return s;
  }
}
