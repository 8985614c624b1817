package dev.jbuild.builder.cli;

import dev.jbuild.layerstore.image.Image;
import dev.jbuild.layerstore.image.TaggedImage;
import dev.jbuild.layerstore.oci.Descriptor;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code jbuild images}: REPOSITORY TAG IMAGE ID CREATED SIZE, newest first. */
@Command(name = "images", mixinStandardHelpOptions = true, description = "List images.")
final class ImagesCommand implements Callable<Integer> {
  @ParentCommand Main main;

  @Option(names = {"-q", "--quiet"}, description = "Only show image IDs.")
  boolean quiet;

  @Override
  public Integer call() throws Exception {
    Session session = Session.open(main);
    List<String[]> rows = new ArrayList<>();
    List<TaggedImage> tagged = new ArrayList<>(session.store.images().list());
    List<Object[]> sortable = new ArrayList<>();
    for (TaggedImage t : tagged) {
      Image image = session.store.images().load(t.manifest().digest());
      sortable.add(new Object[] {t, image});
    }
    sortable.sort(Comparator.comparing((Object[] o) -> created((Image) o[1])).reversed());
    Set<String> ids = new LinkedHashSet<>();
    for (Object[] o : sortable) {
      TaggedImage t = (TaggedImage) o[0];
      Image image = (Image) o[1];
      String id = image.id().shortHex();
      ids.add(id);
      long size = image.configDescriptor().size();
      for (Descriptor layer : image.manifest().layers()) {
        size += layer.size();
      }
      rows.add(new String[] {t.reference().familiarName(), t.reference().tagOptional()
          .orElse("<none>"), id, ago(created(image)), human(size)});
    }
    if (quiet) {
      ids.forEach(System.out::println);
      return 0;
    }
    print(new String[] {"REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE"}, rows);
    return 0;
  }

  private static Instant created(Image image) {
    String c = image.config().created();
    try {
      return c == null ? Instant.EPOCH : Instant.parse(c);
    } catch (RuntimeException e) {
      return Instant.EPOCH;
    }
  }

  static String ago(Instant t) {
    if (t.equals(Instant.EPOCH)) {
      return "N/A";
    }
    Duration d = Duration.between(t, Instant.now());
    if (d.toSeconds() < 60) {
      return "Less than a minute ago";
    } else if (d.toMinutes() < 60) {
      return plural(d.toMinutes(), "minute");
    } else if (d.toHours() < 48) {
      return plural(d.toHours(), "hour");
    } else if (d.toDays() < 14) {
      return plural(d.toDays(), "day");
    }
    return plural(d.toDays() / 7, "week");
  }

  private static String plural(long n, String unit) {
    return n + " " + unit + (n == 1 ? "" : "s") + " ago";
  }

  /** Docker's decimal sizes: {@code 1.98MB}. */
  static String human(long bytes) {
    String[] units = {"B", "kB", "MB", "GB", "TB"};
    double v = bytes;
    int u = 0;
    while (v >= 1000 && u < units.length - 1) {
      v /= 1000;
      u++;
    }
    return u == 0 ? bytes + "B" : String.format(Locale.ROOT, "%.3g%s", v, units[u]);
  }

  private static void print(String[] header, List<String[]> rows) {
    int[] widths = new int[header.length];
    for (int i = 0; i < header.length; i++) {
      widths[i] = header[i].length();
      for (String[] r : rows) {
        widths[i] = Math.max(widths[i], r[i].length());
      }
    }
    List<String[]> all = new ArrayList<>();
    all.add(header);
    all.addAll(rows);
    for (String[] r : all) {
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < r.length; i++) {
        sb.append(r[i]);
        if (i < r.length - 1) {
          sb.append(" ".repeat(widths[i] - r[i].length() + 3));
        }
      }
      System.out.println(sb.toString().stripTrailing());
    }
  }
}
