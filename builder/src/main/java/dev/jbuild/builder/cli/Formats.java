package dev.jbuild.builder.cli;

import dev.jbuild.builder.template.GoValue.Struct;
import dev.jbuild.builder.template.Template;
import dev.jbuild.builder.template.TemplateException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code --format} flag of {@code images} and {@code ps} as docker's formatter reads it:
 * {@code \t} and {@code \n} written as two characters become a tab and a newline; {@code table
 * TEMPLATE} prints a header (the same template run on the column titles) and aligns the
 * tab-separated cells; {@code json} is {@code {{json .}}}.
 */
final class Formats {
  private Formats() {}

  /** A template that does not parse (exit 2) or fails on a row (exit 1). */
  static final class FormatException extends Exception {
    private static final long serialVersionUID = 1L;
    final int exitCode;

    FormatException(TemplateException e) {
      super((e.isParseError() ? "template parsing error: " : "") + e.getMessage(), e);
      this.exitCode = e.isParseError() ? 2 : 1;
    }
  }

  /**
   * Prints {@code rows} with {@code format}.
   *
   * @param header the column titles, a struct with the rows' field names
   */
  static void print(PrintWriter out, String format, Struct header, List<Struct> rows)
      throws FormatException {
    print(out, format, header, rows, false);
  }

  /** As above; {@code goTabwriter}: see {@link ImagesCommand#print(PrintWriter, String[], List, boolean)}. */
  static void print(PrintWriter out, String format, Struct header, List<Struct> rows,
      boolean goTabwriter) throws FormatException {
    boolean table = format.startsWith("table");
    String body = table ? format.substring("table".length()) : format;
    body = body.strip().replace("\\t", "\t").replace("\\n", "\n");
    if (body.equals("json")) {
      body = "{{json .}}";
    }
    try {
      Template template = Template.parse(body);
      List<String> lines = new ArrayList<>();
      for (Struct row : rows) {
        lines.add(template.execute(row));
      }
      if (!table) {
        lines.forEach(out::println);
      } else {
        List<String[]> cells = new ArrayList<>();
        for (String line : lines) {
          cells.add(line.split("\t", -1));
        }
        String[] titles = template.execute(header).split("\t", -1);
        ImagesCommand.print(out, titles, cells, goTabwriter);
      }
      out.flush();
    } catch (TemplateException e) {
      throw new FormatException(e);
    }
  }

  /** Prints a format error as one line and returns the exit code. */
  static int fail(PrintWriter err, FormatException e) {
    err.println("error: " + ErrorHandler.printable(e.getMessage()));
    err.flush();
    return e.exitCode;
  }
}
