package dev.jbuild.samples.oracle;

import com.fasterxml.jackson.databind.JsonNode;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * A strict comparison of two images that jbuild built (in two isolation modes): unlike {@link
 * Comparison}, which forgives what legitimately differs between BuildKit and jbuild, nothing is
 * excluded here, because the two images should have the same ID. Every config field, every tar
 * entry attribute (mtime included) and the entry order count; each difference is one line naming
 * the config path, or the layer, entry and attribute, with both values.
 */
final class ImageDiff {
  private static final int MAX_LINES = 40;

  private ImageDiff() {}

  /** The differences between {@code a} (named {@code aName}) and {@code b}; empty if none. */
  static List<String> describe(String aName, SavedImage a, String bName, SavedImage b) {
    List<String> out = new ArrayList<>();
    Map<String, String> ca = flatten(a.config());
    Map<String, String> cb = flatten(b.config());
    Set<String> keys = new LinkedHashSet<>(ca.keySet());
    keys.addAll(cb.keySet());
    for (String k : keys) {
      if (!Objects.equals(ca.get(k), cb.get(k))) {
        out.add("config " + k + ": " + aName + "=" + ca.get(k) + " " + bName + "=" + cb.get(k));
      }
    }
    int n = Math.max(a.layers().size(), b.layers().size());
    for (int i = 0; i < n; i++) {
      if (i >= a.layers().size() || i >= b.layers().size()) {
        out.add("layer " + i + " exists only in " + (i >= a.layers().size() ? bName : aName));
        continue;
      }
      out.addAll(layer(i, aName, a.layers().get(i), bName, b.layers().get(i)));
    }
    return out.size() <= MAX_LINES ? out : withMore(out);
  }

  private static List<String> withMore(List<String> out) {
    List<String> cut = new ArrayList<>(out.subList(0, MAX_LINES));
    cut.add("... and " + (out.size() - MAX_LINES) + " more");
    return cut;
  }

  private static List<String> layer(int i, String aName, Map<String, TarTree.Entry> a,
      String bName, Map<String, TarTree.Entry> b) {
    List<String> out = new ArrayList<>();
    String where = "layer " + i + " ";
    for (var e : a.entrySet()) {
      TarTree.Entry other = b.get(e.getKey());
      if (other == null) {
        out.add(where + e.getKey() + ": only in " + aName + " " + brief(e.getValue()));
      } else if (!e.getValue().equals(other)) {
        out.add(where + e.getKey() + ": " + attributes(aName, e.getValue(), bName, other));
      }
    }
    for (var e : b.entrySet()) {
      if (!a.containsKey(e.getKey())) {
        out.add(where + e.getKey() + ": only in " + bName + " " + brief(e.getValue()));
      }
    }
    if (out.isEmpty() && !List.copyOf(a.keySet()).equals(List.copyOf(b.keySet()))) {
      out.add(where + "has the same entries in another order: " + aName + " " + a.keySet()
          + " " + bName + " " + b.keySet());
    }
    return out;
  }

  /** The record components that differ, as {@code name a→b}. */
  private static String attributes(String aName, TarTree.Entry a, String bName, TarTree.Entry b) {
    List<String> parts = new ArrayList<>();
    for (RecordComponent rc : TarTree.Entry.class.getRecordComponents()) {
      try {
        Object va = rc.getAccessor().invoke(a);
        Object vb = rc.getAccessor().invoke(b);
        if (!Objects.equals(va, vb)) {
          parts.add(rc.getName() + " " + aName + "=" + va + " " + bName + "=" + vb);
        }
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException(e);
      }
    }
    return String.join(", ", parts);
  }

  private static String brief(TarTree.Entry e) {
    return "(" + e.type() + " " + Integer.toOctalString(e.mode()) + " " + e.uid() + ":" + e.gid()
        + (e.link() == null ? "" : " -> " + e.link()) + ")";
  }

  /** JSON as sorted path → scalar text, e.g. {@code config.Env[1] → "A=b"}. */
  static Map<String, String> flatten(JsonNode node) {
    Map<String, String> out = new TreeMap<>();
    flatten("", node, out);
    return out;
  }

  private static void flatten(String path, JsonNode node, Map<String, String> out) {
    if (node.isObject()) {
      node.fields().forEachRemaining(f ->
          flatten(path.isEmpty() ? f.getKey() : path + "." + f.getKey(), f.getValue(), out));
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        flatten(path + "[" + i + "]", node.get(i), out);
      }
      if (node.isEmpty()) {
        out.put(path, "[]");
      }
    } else {
      out.put(path, node.toString());
    }
  }
}
