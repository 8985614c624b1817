package dev.jbuild.builder.cli;

import dev.jbuild.layerstore.content.Layer;
import dev.jbuild.layerstore.image.Image;
import dev.jbuild.layerstore.image.LayerSizes;
import dev.jbuild.layerstore.oci.ImageConfig;
import java.io.PrintWriter;
import java.time.Instant;
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
 * intermediate images). A step that made a layer shows the layer's size, others 0B.
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

  @Parameters(index = "0", paramLabel = "IMAGE") String name;

  @Override
  public Integer call() throws Exception {
    Session session = Session.open(main);
    Image image = session.image(name);
    List<ImageConfig.History> history = image.config().history();
    List<Layer> layers = image.layers();
    List<String[]> rows = new ArrayList<>();
    int layer = 0;
    for (ImageConfig.History h : history) {
      long size = 0;
      if (!h.isEmptyLayer() && layer < layers.size()) {
        size = LayerSizes.of(session.store.content(), layers.get(layer++)).contentSize();
      }
      rows.add(new String[] {"<missing>", created(h.created()), createdBy(h.createdBy()),
          human ? ImagesCommand.human(size) : Long.toString(size),
          h.comment() == null ? "" : h.comment()});
    }
    Collections.reverse(rows);
    String id = noTrunc ? image.id().toString() : image.id().shortHex();
    if (!rows.isEmpty()) {
      rows.get(0)[0] = id;
    }
    PrintWriter out = spec.commandLine().getOut();
    if (quiet) {
      rows.forEach(r -> out.println(r[0]));
      out.flush();
      return 0;
    }
    ImagesCommand.print(out, new String[] {"IMAGE", "CREATED", "CREATED BY", "SIZE", "COMMENT"},
        rows);
    return 0;
  }

  private String created(String text) {
    if (text == null || text.isEmpty()) {
      return human ? "N/A" : "";
    }
    if (!human) {
      return text;
    }
    try {
      return ImagesCommand.ago(Instant.parse(text));
    } catch (RuntimeException e) {
      return text;
    }
  }

  private String createdBy(String text) {
    String s = text == null ? "" : text.replace("\t", " ").replace("\n", " ");
    if (!noTrunc && s.codePointCount(0, s.length()) > 45) {
      // docker's stringutils.Ellipsis: 44 characters and an ellipsis.
      return s.substring(0, s.offsetByCodePoints(0, 44)) + "…";
    }
    return s;
  }
}
