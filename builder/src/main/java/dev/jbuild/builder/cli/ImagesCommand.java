package dev.jbuild.builder.cli;

import dev.jbuild.builder.template.GoValue.Field;
import dev.jbuild.builder.template.GoValue.Struct;
import dev.jbuild.layerstore.image.Image;
import dev.jbuild.layerstore.image.LayerSizes;
import dev.jbuild.layerstore.image.RepoDigests;
import dev.jbuild.layerstore.image.TaggedImage;
import dev.jbuild.layerstore.oci.Descriptor;
import dev.jbuild.layerstore.oci.Digest;
import dev.jbuild.layerstore.oci.MediaTypes;
import dev.jbuild.layerstore.oci.ImageReference;
import java.io.IOException;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.math.MathContext;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code jbuild images}: REPOSITORY TAG [DIGEST] IMAGE ID CREATED SIZE, newest first, like {@code
 * docker images}. SIZE is the uncompressed size (the sum of the layers' file sizes), as Docker
 * shows it. Untagged images are listed as {@code <none>}.
 */
@Command(name = "images", mixinStandardHelpOptions = true, description = "List images.")
final class ImagesCommand implements Callable<Integer> {
  @ParentCommand Main main;

  @Spec CommandSpec spec;

  @Option(names = {"-q", "--quiet"}, description = "Only show image IDs.")
  boolean quiet;

  @Option(names = {"-a", "--all"},
      description = "Show all images (jbuild keeps no intermediate images: same as without).")
  boolean all;

  @Option(names = "--digests", description = "Show digests.")
  boolean digests;

  @Option(names = "--no-trunc", description = "Don't truncate output.")
  boolean noTrunc;

  @Option(names = "--format", paramLabel = "TEMPLATE",
      description = "Format the output with a Go template: 'table {{.Repository}}\\t{{.Tag}}',"
          + " '{{json .}}'. Fields: ID, Repository, Tag, Digest, CreatedSince, CreatedAt, Size,"
          + " VirtualSize, Containers, SharedSize, UniqueSize.")
  String format;

  @Option(names = {"-f", "--filter"}, paramLabel = "FILTER",
      description = "Filter output: dangling=true|false, reference=PATTERN.")
  List<String> filters = new ArrayList<>();

  @Parameters(arity = "0..1", paramLabel = "REPOSITORY[:TAG]") String repository;

  /**
   * One line of the listing; for a tagged index (a multi-platform build), {@code image} is its
   * newest platform image and {@code platforms} has them all (else it is empty).
   */
  private record Row(ImageReference ref, Descriptor manifest, Image image,
      List<Map.Entry<String, Image>> platforms) {
    Row(ImageReference ref, Descriptor manifest, Image image) {
      this(ref, manifest, image, List.of());
    }

    /** The ID shown: an index's own digest (as docker's containerd store shows it). */
    Digest id() {
      return platforms.isEmpty() ? image.id() : manifest.digest();
    }
  }

  /** A tagged index's row: its platforms' images, or null when none can be read. */
  private static Row indexRow(Session session, TaggedImage t, Map<String, Image> loaded) {
    List<Map.Entry<String, Image>> platforms = new ArrayList<>();
    try {
      for (Descriptor d : PlatformImages.entries(session.store, t.manifest())) {
        Image image = load(session, d, loaded);
        if (image != null) {
          platforms.add(Map.entry(String.valueOf(d.platform()), image));
        }
      }
    } catch (IOException e) {
      return null; // a broken index: jbuild verify reports it
    }
    Image newest = platforms.stream().map(Map.Entry::getValue)
        .max(Comparator.comparing(ImagesCommand::created)).orElse(null);
    return newest == null ? null : new Row(t.reference(), t.manifest(), newest, platforms);
  }

  private static long size(Session session, Row r) throws IOException {
    if (r.platforms().isEmpty()) {
      return LayerSizes.imageSize(session.store.content(), r.image());
    }
    long sum = 0;
    for (Map.Entry<String, Image> p : r.platforms()) {
      sum += LayerSizes.imageSize(session.store.content(), p.getValue());
    }
    return sum;
  }

  @Override
  public Integer call() throws Exception {
    Session session = Session.open(main);
    Boolean dangling = null;
    List<Pattern> references = new ArrayList<>();
    for (String f : filters) {
      String[] kv = f.split("=", 2);
      if (kv.length == 2 && kv[0].equals("dangling")) {
        dangling = Boolean.parseBoolean(kv[1]);
      } else if (kv.length == 2 && kv[0].equals("reference")) {
        references.add(glob(kv[1]));
      } else {
        throw new IllegalArgumentException("invalid filter '" + f + "' (jbuild supports dangling="
            + " and reference=)");
      }
    }
    if (repository != null) {
      references.add(glob(repository.contains(":") ? repository : repository + ":*"));
    }
    List<Row> rows = new ArrayList<>();
    Set<String> tagged = new HashSet<>();
    Map<String, Image> loaded = new HashMap<>();
    for (TaggedImage t : session.store.images().list()) {
      tagged.add(t.manifest().digest().hex());
      if (MediaTypes.isIndex(t.manifest().mediaType())) {
        // An index's images are named by its tag: not dangling.
        try {
          PlatformImages.entries(session.store, t.manifest())
              .forEach(d -> tagged.add(d.digest().hex()));
        } catch (IOException e) {
          // a broken index: verify reports it
        }
      }
      if (Boolean.TRUE.equals(dangling) || !matches(references, t.reference())) {
        continue;
      }
      if (MediaTypes.isIndex(t.manifest().mediaType())) {
        Row index = indexRow(session, t, loaded);
        if (index != null) {
          rows.add(index);
        }
        continue;
      }
      Image image = load(session, t.manifest(), loaded);
      if (image != null) {
        rows.add(new Row(t.reference(), t.manifest(), image));
      }
    }
    if (!Boolean.FALSE.equals(dangling) && references.isEmpty()) {
      for (Descriptor d : session.store.images().listAll()) {
        if (!tagged.contains(d.digest().hex())) {
          Image image = load(session, d, loaded);
          if (image != null) {
            rows.add(new Row(null, d, image));
          }
        }
      }
    }
    rows.sort(Comparator.comparing((Row r) -> created(r.image())).reversed()
        .thenComparing(r -> r.ref() == null ? "~" : r.ref().familiar()));
    PrintWriter out = spec.commandLine().getOut();
    if (quiet) {
      Set<String> ids = new LinkedHashSet<>();
      for (Row r : rows) {
        ids.add(noTrunc ? r.id().toString() : r.id().shortHex());
      }
      ids.forEach(out::println);
      out.flush();
      return 0;
    }
    if (format != null) {
      List<Struct> structs = new ArrayList<>();
      for (Row r : rows) {
        structs.add(row(session, r));
      }
      try {
        Formats.print(out, format, HEADER, structs);
      } catch (Formats.FormatException e) {
        return Formats.fail(spec.commandLine().getErr(), e);
      }
      return 0;
    }
    List<String> header = new ArrayList<>(List.of("REPOSITORY", "TAG"));
    if (digests) {
      header.add("DIGEST");
    }
    header.addAll(List.of("IMAGE ID", "CREATED", "SIZE"));
    List<String[]> table = new ArrayList<>();
    for (Row r : rows) {
      List<String> cells = new ArrayList<>();
      cells.add(r.ref() == null ? "<none>" : r.ref().familiarName());
      cells.add(r.ref() == null ? "<none>" : r.ref().tagOptional().orElse("<none>"));
      if (digests) {
        cells.add(repoDigest(session, r));
      }
      cells.add(noTrunc ? r.id().toString() : r.id().shortHex());
      cells.add(ago(created(r.image())));
      cells.add(human(size(session, r)));
      table.add(cells.toArray(new String[0]));
      // An index lists its platforms below it, as docker image ls --tree does.
      for (int i = 0; i < r.platforms().size(); i++) {
        Image p = r.platforms().get(i).getValue();
        List<String> sub = new ArrayList<>();
        sub.add((i == r.platforms().size() - 1 ? "└─ " : "├─ ") + r.platforms().get(i).getKey());
        sub.add("");
        if (digests) {
          sub.add("");
        }
        sub.add(noTrunc ? p.id().toString() : p.id().shortHex());
        sub.add(ago(created(p)));
        sub.add(human(LayerSizes.imageSize(session.store.content(), p)));
        table.add(sub.toArray(new String[0]));
      }
    }
    print(out, header.toArray(new String[0]), table);
    return 0;
  }

  /** The column titles of {@code --format table}, as docker names them. */
  private static final Struct HEADER = columns("CONTAINERS", "CREATED AT", "CREATED", "DIGEST",
      "IMAGE ID", "REPOSITORY", "SHARED SIZE", "SIZE", "TAG", "UNIQUE SIZE", "SIZE");

  /** One image as docker's {@code images --format} sees it (fields in its JSON's order). */
  private Struct row(Session session, Row r) throws IOException {
    long size = size(session, r);
    Instant created = created(r.image());
    return columns("N/A",
        created.equals(Instant.EPOCH) ? "N/A" : CREATED_AT.format(created),
        ago(created),
        repoDigest(session, r),
        noTrunc ? r.id().toString() : r.id().shortHex(),
        r.ref() == null ? "<none>" : r.ref().familiarName(),
        "N/A",
        human(size),
        r.ref() == null ? "<none>" : r.ref().tagOptional().orElse("<none>"),
        "N/A",
        human(size));
  }

  /**
   * The digest a registry gave this row's repository (docker's DIGEST column), or {@code <none>}
   * when the image was never pushed there or pulled from there.
   */
  private static String repoDigest(Session session, Row r) throws IOException {
    if (r.ref() != null) {
      for (String d : new RepoDigests(session.store.root()).of(r.platforms().isEmpty()
          ? r.image().manifestDigest() : r.manifest().digest())) {
        if (d.startsWith(r.ref().familiarName() + "@")) {
          return d.substring(d.indexOf('@') + 1);
        }
      }
    }
    return "<none>";
  }

  private static Struct columns(String... values) {
    String[] names = {"Containers", "CreatedAt", "CreatedSince", "Digest", "ID", "Repository",
        "SharedSize", "Size", "Tag", "UniqueSize", "VirtualSize"};
    List<Field> fields = new ArrayList<>();
    for (int i = 0; i < names.length; i++) {
      fields.add(Field.of(names[i], values[i], false));
    }
    return new Struct("*formatter.imageContext", fields);
  }

  /** Docker's {@code CreatedAt}: Go's {@code time.Time.String()} to the second. */
  static final DateTimeFormatter CREATED_AT =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss Z 'UTC'").withZone(ZoneOffset.UTC);

  private static Image load(Session session, Descriptor manifest, Map<String, Image> cache) {
    String key = manifest.digest().hex();
    if (cache.containsKey(key)) {
      return cache.get(key);
    }
    Image image = null;
    try {
      image = session.store.images().load(manifest.digest());
    } catch (IOException e) {
      // An index (multi-platform tag) or a broken image: not listed; jbuild verify reports it.
    }
    cache.put(key, image);
    return image;
  }

  private static boolean matches(List<Pattern> patterns, ImageReference ref) {
    if (patterns.isEmpty()) {
      return true;
    }
    String familiar = ref.familiarName() + ":" + ref.tagOptional().orElse("");
    String full = ref.name() + ":" + ref.tagOptional().orElse("");
    for (Pattern p : patterns) {
      if (p.matcher(familiar).matches() || p.matcher(full).matches()) {
        return true;
      }
    }
    return false;
  }

  private static Pattern glob(String glob) {
    StringBuilder re = new StringBuilder();
    for (char c : glob.toCharArray()) {
      if (c == '*') {
        re.append("[^/]*");
      } else if (c == '?') {
        re.append("[^/]");
      } else {
        re.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return Pattern.compile(re.toString());
  }

  static Instant created(Image image) {
    String c = image.config().created();
    try {
      return c == null ? Instant.EPOCH : Instant.parse(c);
    } catch (RuntimeException e) {
      return Instant.EPOCH;
    }
  }

  /** Docker's relative times ({@code go-units HumanDuration}): "2 weeks ago". */
  static String ago(Instant t) {
    if (t.equals(Instant.EPOCH)) {
      return "N/A";
    }
    Duration d = Duration.between(t, Instant.now());
    long seconds = d.toSeconds();
    if (seconds < 1) {
      return "Less than a second ago";
    } else if (seconds == 1) {
      return "1 second ago";
    } else if (seconds < 60) {
      return seconds + " seconds ago";
    } else if (d.toMinutes() == 1) {
      return "About a minute ago";
    } else if (d.toMinutes() < 60) {
      return d.toMinutes() + " minutes ago";
    } else if (Math.round(d.toMinutes() / 60.0) == 1) {
      return "About an hour ago";
    } else if (d.toHours() < 48) {
      return Math.round(d.toMinutes() / 60.0) + " hours ago";
    } else if (d.toHours() < 24 * 7 * 2) {
      return d.toHours() / 24 + " days ago";
    } else if (d.toHours() < 24 * 30 * 2) {
      return d.toHours() / 24 / 7 + " weeks ago";
    } else if (d.toHours() < 24 * 365 * 2) {
      return d.toHours() / 24 / 30 + " months ago";
    }
    return d.toHours() / 24 / 365 + " years ago";
  }

  /** Docker's decimal sizes with 3 significant digits ({@code HumanSizeWithPrecision}): 1.2MB. */
  static String human(long bytes) {
    String[] units = {"B", "kB", "MB", "GB", "TB", "PB"};
    double v = bytes;
    int u = 0;
    while (v >= 1000 && u < units.length - 1) {
      v /= 1000;
      u++;
    }
    BigDecimal rounded = new BigDecimal(v).round(new MathContext(3)).stripTrailingZeros();
    return rounded.toPlainString() + units[u];
  }

  /** Prints an aligned table with three spaces between columns, like docker's tabwriter. */
  static void print(PrintWriter out, String[] header, List<String[]> rows) {
    print(out, header, rows, false);
  }

  /**
   * Prints an aligned table; with {@code goTabwriter} as docker's formatter does it ({@code
   * tabwriter.NewWriter(out, 10, 1, 3, ' ', 0)}): a column is at least 10 wide and a line keeps
   * the padding of its last padded cell.
   */
  static void print(PrintWriter out, String[] header, List<String[]> rows, boolean goTabwriter) {
    int columns = header.length;
    for (String[] r : rows) {
      columns = Math.max(columns, r.length);
    }
    int[] widths = new int[columns];
    for (String[] r : concat(header, rows)) {
      for (int i = 0; i < r.length; i++) {
        widths[i] = Math.max(widths[i], r[i].length());
      }
    }
    for (String[] r : concat(header, rows)) {
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < r.length; i++) {
        sb.append(r[i]);
        if (i < r.length - 1) {
          int width = goTabwriter ? Math.max(10, widths[i] + 3) : widths[i] + 3;
          sb.append(" ".repeat(width - r[i].length()));
        }
      }
      out.println(goTabwriter ? sb.toString() : sb.toString().stripTrailing());
    }
    out.flush();
  }

  private static List<String[]> concat(String[] header, List<String[]> rows) {
    List<String[]> all = new ArrayList<>();
    all.add(header);
    all.addAll(rows);
    return all;
  }
}
