package dev.jbuild.samples.oracle;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * Compares what BuildKit built with what jbuild built and describes each difference in one line:
 * where (layer, export, config field, history entry), what attribute, BuildKit's value, jbuild's.
 *
 * <p>Deliberately not compared (each is a legitimate difference, not a jbuild bug):
 * <ul>
 *   <li>layer digests and diff IDs: the two engines' tar streams differ in header encoding and
 *       entry order; the entries themselves are compared instead;</li>
 *   <li>tar user/group <em>names</em>: extraction uses the numeric ids;</li>
 *   <li>mtimes that BuildKit set during a build (RUN outputs, created directories, directories
 *       whose entries changed): they are wall-clock times of two different builds. An mtime is
 *       compared only when BuildKit's is before {@link #WALL_CLOCK_SINCE} (2023-11-14), i.e. a
 *       fixed stamp preserved from the base image (1970), the context (2020, see
 *       {@link OracleCase#CONTEXT_MTIME}) or a {@code touch -d} in a RUN, at whole-second
 *       precision. (A threshold at the build's start does not work: dockerd's BuildKit reuses
 *       some file-op results even with {@code --no-cache}, with an earlier build's times);</li>
 *   <li>the attributes of whiteout and opaque-marker entries (mode, owner, mtime): only their
 *       names mean something to an extractor. (dockerd's BuildKit writes {@code .wh..wh..opq}
 *       with its directory's mode, jbuild with 0600; both are valid markers.)</li>
 *   <li>config {@code created}, history {@code created}, {@code container_config},
 *       {@code docker_version}, and {@code config.ArgsEscaped}: BuildKit 0.8 sets ArgsEscaped on
 *       Linux images, where runtimes ignore it (it only matters for Windows command lines);</li>
 *   <li>the base image's own history entries: the base is imported separately into each engine
 *       ({@code docker import} says "Imported from -", {@code jbuild import} names the tar), so
 *       the leading entries before the first {@code buildkit.dockerfile.v0} one are skipped;</li>
 *   <li>in the exported filesystem, the files {@code docker create} itself adds: their content
 *       names the container ({@code etc/hostname}, {@code etc/hosts}).</li>
 *   <li>a directory entry with nothing below it in the layer that changes nothing but the
 *       mtime of the directory as the layers below already have it (same type, mode, owner,
 *       xattrs): BuildKit 0.8's differ emits {@code etc/} in every RUN layer because the
 *       {@code /etc/hosts} mount stub touched it. A layer with nothing else is treated as empty.
 *       Parents of changed entries are <em>not</em> excluded: docker's extractor creates a parent
 *       missing from a layer tar as 0755 root:root with the current time in that layer, which in
 *       the overlay view masks the lower directory's mode, owner and mtime.</li>
 * </ul>
 * A JSON {@code null} and a missing field compare equal (Go omits or nulls them arbitrarily);
 * an empty array does not equal null (for {@code Cmd} that is a real difference).
 */
final class Comparison {
  static final List<String> CONFIG_FIELDS = List.of("Env", "Cmd", "Entrypoint", "WorkingDir",
      "User", "ExposedPorts", "Volumes", "Labels", "StopSignal", "Healthcheck", "OnBuild",
      "Shell");
  static final List<String> EXPORT_IGNORED = List.of("etc/hostname", "etc/hosts",
      "etc/resolv.conf", ".dockerenv");
  /** Mtimes at or after this instant are wall-clock times of some build and never compared. */
  static final long WALL_CLOCK_SINCE = 1_700_000_000L;
  private static final int MAX_LINES_PER_SECTION = 60;

  private Comparison() {}

  static List<String> images(SavedImage bk, SavedImage jb) {
    List<String> out = new ArrayList<>();
    out.addAll(config(bk.config(), jb.config()));
    out.addAll(history(bk.config(), jb.config()));
    out.addAll(layers(bk, jb));
    return out;
  }

  static List<String> config(JsonNode bk, JsonNode jb) {
    List<String> out = new ArrayList<>();
    for (String top : List.of("architecture", "os", "variant", "author")) {
      diffJson("config " + top, bk.get(top), jb.get(top), out);
    }
    for (String field : CONFIG_FIELDS) {
      diffJson("config.config." + field, bk.path("config").get(field),
          jb.path("config").get(field), out);
    }
    return out;
  }

  private static void diffJson(String what, JsonNode bk, JsonNode jb, List<String> out) {
    JsonNode b = bk == null || bk.isNull() ? null : bk;
    JsonNode j = jb == null || jb.isNull() ? null : jb;
    if (!Objects.equals(b, j)) {
      out.add(what + ": buildkit=" + b + " jbuild=" + j);
    }
  }

  static List<String> history(JsonNode bk, JsonNode jb) {
    List<JsonNode> b = ownHistory(bk);
    List<JsonNode> j = ownHistory(jb);
    List<String> out = new ArrayList<>();
    for (int i = 0; i < Math.max(b.size(), j.size()); i++) {
      String bs = i < b.size() ? describe(b.get(i)) : "(none)";
      String js = i < j.size() ? describe(j.get(i)) : "(none)";
      if (!bs.equals(js)) {
        out.add("history[" + i + "]: buildkit=" + bs + " jbuild=" + js);
      }
    }
    return out;
  }

  /** History after the base image's own entries (see the class comment). */
  private static List<JsonNode> ownHistory(JsonNode config) {
    List<JsonNode> all = new ArrayList<>();
    config.path("history").forEach(all::add);
    int first = 0;
    while (first < all.size()
        && !"buildkit.dockerfile.v0".equals(all.get(first).path("comment").asText())) {
      first++;
    }
    // FROM scratch stages whose only history is ours, or a base we could not tell apart.
    return first == all.size() ? all : all.subList(first, all.size());
  }

  private static String describe(JsonNode h) {
    return "{created_by=" + h.path("created_by").asText("")
        + (h.path("empty_layer").asBoolean(false) ? ", empty_layer" : "")
        + ", comment=" + h.path("comment").asText("") + "}";
  }

  /**
   * Layer by layer. Layers that are empty once no-op directories are dropped (BuildKit keeps an
   * empty layer for a WORKDIR that exists; jbuild may mark such steps {@code empty_layer}) are
   * set aside so the remaining layers pair up; the history comparison reports the difference.
   */
  static List<String> layers(SavedImage bk, SavedImage jb) {
    List<String> out = new ArrayList<>();
    List<Named> bkLayers = effectiveLayers(bk);
    List<Named> jbLayers = effectiveLayers(jb);
    if (bk.layers().size() != jb.layers().size()) {
      out.add("layer count: buildkit=" + bk.layers().size() + " jbuild=" + jb.layers().size()
          + " (non-empty: buildkit=" + bkLayers.size() + " jbuild=" + jbLayers.size() + ")");
    }
    if (bkLayers.size() != jbLayers.size()) {
      out.add("  buildkit layers: " + summary(bkLayers));
      out.add("  jbuild layers:   " + summary(jbLayers));
      return out;
    }
    for (int i = 0; i < bkLayers.size(); i++) {
      Named b = bkLayers.get(i);
      out.addAll(trees("layer " + b.index() + " (" + b.name() + ")", b.entries(),
          jbLayers.get(i).entries(), List.of()));
    }
    return out;
  }

  /** A layer with its rootfs index and the history entry that made it. */
  private record Named(int index, String name, Map<String, TarTree.Entry> entries) {}

  private static List<Named> effectiveLayers(SavedImage img) {
    List<String> names = img.layerCreators();
    Map<String, TarTree.Entry> below = new HashMap<>();
    List<Named> out = new ArrayList<>();
    for (int i = 0; i < img.layers().size(); i++) {
      Map<String, TarTree.Entry> layer = withoutNoOpDirs(img.layers().get(i), below);
      if (!layer.isEmpty()) {
        out.add(new Named(i, i < names.size() ? names.get(i) : "?", layer));
      }
      apply(below, img.layers().get(i));
    }
    return out;
  }

  private static String summary(List<Named> layers) {
    StringBuilder sb = new StringBuilder();
    for (Named l : layers) {
      List<String> paths = new ArrayList<>(l.entries().keySet());
      String shown = paths.size() > 8 ? paths.subList(0, 8) + "+" + (paths.size() - 8) : "" + paths;
      sb.append("\n      ").append(l.index()).append(' ').append(l.name()).append(' ')
          .append(shown);
    }
    return sb.toString();
  }

  /**
   * The layer without childless directory entries that equal (but for mtime) the directory
   * below; deepest first, so a chain of such directories goes entirely.
   */
  private static Map<String, TarTree.Entry> withoutNoOpDirs(Map<String, TarTree.Entry> layer,
      Map<String, TarTree.Entry> below) {
    Map<String, TarTree.Entry> out = new LinkedHashMap<>(layer);
    List<String> paths = new ArrayList<>(layer.keySet());
    paths.sort((a, b) -> Integer.compare(b.length(), a.length()));
    for (String p : paths) {
      TarTree.Entry e = layer.get(p);
      TarTree.Entry old = below.get(p);
      boolean noOp = e.type() == 'd' && old != null && old.type() == 'd'
          && old.mode() == e.mode() && old.uid() == e.uid() && old.gid() == e.gid()
          && old.xattrs().equals(e.xattrs()) && !hasChildIn(out, p);
      if (noOp) {
        out.remove(p);
      }
    }
    return out;
  }

  static boolean hasChildIn(Map<String, TarTree.Entry> layer, String dir) {
    String prefix = dir.equals("/") ? "" : dir + "/";
    for (String p : layer.keySet()) {
      if (!p.equals(dir) && p.startsWith(prefix)) {
        return true;
      }
    }
    return false;
  }

  /** Applies a layer (with OCI whiteouts and opaque markers) onto the merged view below it. */
  static void apply(Map<String, TarTree.Entry> merged, Map<String, TarTree.Entry> layer) {
    for (TarTree.Entry e : layer.values()) {
      String p = e.path();
      int slash = p.lastIndexOf('/');
      String dir = slash < 0 ? "" : p.substring(0, slash + 1);
      String name = p.substring(slash + 1);
      if (name.equals(".wh..wh..opq")) {
        merged.keySet().removeIf(k -> k.startsWith(dir) && !k.equals(dir));
      } else if (name.startsWith(".wh.")) {
        String gone = dir + name.substring(4);
        merged.keySet().removeIf(k -> k.equals(gone) || k.startsWith(gone + "/"));
      } else {
        merged.put(p, e);
      }
    }
  }

  private static String summary(SavedImage img, List<String> names) {
    List<String> parts = new ArrayList<>();
    for (int i = 0; i < img.layers().size(); i++) {
      List<String> paths = new ArrayList<>(img.layers().get(i).keySet());
      String shown = paths.size() > 8 ? paths.subList(0, 8) + "+" + (paths.size() - 8) : "" + paths;
      parts.add("\n      " + i + " " + (i < names.size() ? names.get(i) : "?") + " " + shown);
    }
    return String.join("", parts);
  }

  /** Entry-by-entry differences of two trees; lines are prefixed with {@code where}. */
  static List<String> trees(String where, Map<String, TarTree.Entry> bk,
      Map<String, TarTree.Entry> jb, List<String> ignored) {
    List<String> lines = new ArrayList<>();
    TreeSet<String> paths = new TreeSet<>(bk.keySet());
    paths.addAll(jb.keySet());
    for (String p : paths) {
      if (ignored.contains(p)) {
        continue;
      }
      TarTree.Entry b = bk.get(p);
      TarTree.Entry j = jb.get(p);
      if (b == null) {
        lines.add("only in jbuild: " + p + " " + brief(j) + parentNote(j, jb, bk));
      } else if (j == null) {
        lines.add("only in buildkit: " + p + " " + brief(b) + parentNote(b, bk, jb));
      } else if (!b.isWhiteout() || !j.isWhiteout()) {
        List<String> attrs = new ArrayList<>();
        attr(attrs, "type", b.type(), j.type());
        attr(attrs, "mode", String.format("%04o", b.mode()), String.format("%04o", j.mode()));
        attr(attrs, "uid", b.uid(), j.uid());
        attr(attrs, "gid", b.gid(), j.gid());
        attr(attrs, "size", b.size(), j.size());
        attr(attrs, "link", b.link(), j.link());
        if (!Objects.equals(b.sha256(), j.sha256())) {
          attrs.add("content buildkit=" + b.preview() + " jbuild=" + j.preview());
        }
        attr(attrs, "xattrs", b.xattrs(), j.xattrs());
        attr(attrs, "dev", b.devMajor() + "," + b.devMinor(), j.devMajor() + "," + j.devMinor());
        if (b.mtimeSeconds() < WALL_CLOCK_SINCE) {
          attr(attrs, "mtime", b.mtimeSeconds(), j.mtimeSeconds());
        }
        if (!attrs.isEmpty()) {
          lines.add(p + ": " + String.join(", ", attrs));
        }
      }
    }
    List<String> out = new ArrayList<>();
    int shown = Math.min(lines.size(), MAX_LINES_PER_SECTION);
    for (int i = 0; i < shown; i++) {
      out.add(where + ": " + lines.get(i));
    }
    if (lines.size() > shown) {
      out.add(where + ": ... and " + (lines.size() - shown) + " more differences");
    }
    return out;
  }

  /** Explains a parent directory that one engine's layer has and the other's lacks. */
  private static String parentNote(TarTree.Entry e, Map<String, TarTree.Entry> own,
      Map<String, TarTree.Entry> other) {
    if (e.type() != 'd' || !hasChildIn(own, e.path()) || !hasChildIn(other, e.path())) {
      return "";
    }
    return " (parent of changed entries; without it docker's extractor creates the directory"
        + " 0755 0:0 with the current mtime, masking the lower one)";
  }

  private static String brief(TarTree.Entry e) {
    return "[" + e.type() + String.format("%04o", e.mode()) + " " + e.uid() + ":" + e.gid()
        + (e.type() == '-' ? " " + e.size() + "B" : "")
        + (e.link() != null ? " -> " + e.link() : "") + "]";
  }

  private static void attr(List<String> attrs, String name, Object b, Object j) {
    if (!Objects.equals(b, j)) {
      attrs.add(name + " buildkit=" + b + " jbuild=" + j);
    }
  }
}
