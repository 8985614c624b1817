package dev.jbuild.builder.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jbuild.builder.template.GoValue;
import dev.jbuild.builder.template.GoValue.Field;
import dev.jbuild.builder.template.GoValue.GoMap;
import dev.jbuild.builder.template.GoValue.Nil;
import dev.jbuild.builder.template.GoValue.Struct;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The value {@code inspect -f} templates run on: the JSON of {@code jbuild inspect} shaped as the
 * Go structs docker's templates see ({@code types.ImageInspect} with the image config of the OCI
 * spec and docker's extension), so that {@code {{.Config.Entrypoint}}} prints {@code []} when
 * unset, {@code {{.Config}}} prints a struct, an unknown field is an error and {@code {{json
 * .Config}}} leaves empty fields out, as docker does. Keys the structs do not know are kept as
 * generic values so that nothing in the JSON is unreachable.
 */
final class InspectData {
  private InspectData() {}

  /** The template value of one element of {@code jbuild inspect}'s JSON array. */
  static Struct image(JsonNode n) {
    List<Field> f = new ArrayList<>();
    f.add(string(n, "Id", false));
    f.add(strings(n, "RepoTags", false));
    f.add(strings(n, "RepoDigests", false));
    f.add(string(n, "Parent", false));
    f.add(string(n, "Comment", false));
    f.add(string(n, "Created", true));
    f.add(string(n, "DockerVersion", false));
    f.add(string(n, "Author", false));
    f.add(Field.of("Config", n.hasNonNull("Config") ? config(n.get("Config"))
        : new Nil(Nil.Kind.POINTER), false));
    f.add(string(n, "Architecture", false));
    f.add(string(n, "Variant", true));
    f.add(string(n, "Os", false));
    f.add(string(n, "OsVersion", true));
    f.add(number(n, "Size", false));
    f.add(number(n, "VirtualSize", true));
    JsonNode rootfs = n.path("RootFS");
    f.add(Field.of("RootFS", new Struct("types.RootFS", List.of(string(rootfs, "Type", false),
        strings(rootfs, "Layers", true))), false));
    f.add(Field.of("Metadata", new Struct("types.ImageMetadata",
        List.of(string(n.path("Metadata"), "LastTagTime", true))), false));
    JsonNode d = n.path("Descriptor");
    f.add(new Field("Descriptor", "Descriptor", true, false, d.isObject()
        ? new Struct("v1.Descriptor", List.of(
            new Field("MediaType", "mediaType", false, false, d.path("mediaType").asText("")),
            new Field("Digest", "digest", false, false, d.path("digest").asText("")),
            new Field("Size", "size", false, false, d.path("size").asLong())))
        : new Nil(Nil.Kind.POINTER)));
    extras(n, f);
    return new Struct("types.ImageInspect", f);
  }

  /** The image config: the OCI spec's {@code ImageConfig} with docker's extension embedded. */
  private static Struct config(JsonNode c) {
    List<Field> f = new ArrayList<>();
    f.add(string(c, "User", true));
    f.add(set(c, "ExposedPorts"));
    f.add(strings(c, "Env", true));
    f.add(strings(c, "Entrypoint", true));
    f.add(strings(c, "Cmd", true));
    f.add(set(c, "Volumes"));
    f.add(string(c, "WorkingDir", true));
    f.add(Field.of("Labels", c.path("Labels").isObject()
        ? GoMap.ofStrings(stringMap(c.get("Labels"))) : new Nil(Nil.Kind.MAP), true));
    f.add(string(c, "StopSignal", true));
    f.add(Field.of("ArgsEscaped", c.path("ArgsEscaped").asBoolean(false), true));
    List<Field> ext = new ArrayList<>();
    JsonNode h = c.path("Healthcheck");
    ext.add(Field.of("Healthcheck", h.isObject() ? new Struct("container.HealthConfig", List.of(
        strings(h, "Test", true), number(h, "Interval", true), number(h, "Timeout", true),
        number(h, "StartPeriod", true), number(h, "StartInterval", true),
        number(h, "Retries", true))) : new Nil(Nil.Kind.POINTER), true));
    ext.add(strings(c, "OnBuild", true));
    ext.add(strings(c, "Shell", true));
    Struct extension = new Struct("dockerspec.DockerOCIImageConfigExt", ext);
    List<Field> all = new ArrayList<>();
    all.add(new Field("ImageConfig", "ImageConfig", false, true, new Struct("v1.ImageConfig", f)));
    all.add(new Field("DockerOCIImageConfigExt", "DockerOCIImageConfigExt", false, true,
        extension));
    extras(c, all);
    return new Struct("dockerspec.DockerOCIImageConfig", all);
  }

  private static Field string(JsonNode n, String name, boolean omitEmpty) {
    return Field.of(name, n.path(name).isValueNode() ? n.get(name).asText() : "", omitEmpty);
  }

  private static Field number(JsonNode n, String name, boolean omitEmpty) {
    return Field.of(name, n.path(name).asLong(0), omitEmpty);
  }

  private static Field strings(JsonNode n, String name, boolean omitEmpty) {
    JsonNode a = n.path(name);
    if (!a.isArray()) {
      return Field.of(name, new Nil(Nil.Kind.SLICE), omitEmpty);
    }
    List<Object> items = new ArrayList<>();
    a.forEach(v -> items.add(v.asText()));
    return Field.of(name, GoValue.slice(items), omitEmpty);
  }

  /** A {@code map[string]struct{}} such as ExposedPorts: prints {@code map[80/tcp:{}]}. */
  private static Field set(JsonNode n, String name) {
    JsonNode o = n.path(name);
    if (!o.isObject()) {
      return Field.of(name, new Nil(Nil.Kind.MAP), true);
    }
    Map<String, Object> entries = new LinkedHashMap<>();
    o.fieldNames().forEachRemaining(k -> entries.put(k, new Struct("struct {}", List.of())));
    return Field.of(name, new GoMap(entries, new Struct("struct {}", List.of())), true);
  }

  private static Map<String, String> stringMap(JsonNode o) {
    Map<String, String> m = new LinkedHashMap<>();
    o.fields().forEachRemaining(e -> m.put(e.getKey(), e.getValue().asText()));
    return m;
  }

  /** Appends the keys of {@code n} that no struct field took, as generic values. */
  private static void extras(JsonNode n, List<Field> fields) {
    Set<String> known = new java.util.HashSet<>();
    collect(fields, known);
    for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
      String k = it.next();
      if (!known.contains(k)) {
        fields.add(Field.of(k, generic(n.get(k)), false));
      }
    }
  }

  private static void collect(List<Field> fields, Set<String> names) {
    for (Field f : fields) {
      if (f.embedded() && f.value() instanceof Struct s) {
        collect(s.fields(), names);
      } else {
        names.add(f.jsonName());
      }
    }
  }

  /** Any JSON as Go's {@code encoding/json} decodes it into {@code interface{}}. */
  static Object generic(JsonNode v) {
    if (v == null || v.isNull() || v.isMissingNode()) {
      return null;
    }
    if (v.isObject()) {
      Map<String, Object> m = new LinkedHashMap<>();
      v.fields().forEachRemaining(e -> m.put(e.getKey(), generic(e.getValue())));
      return new GoMap(m, null);
    }
    if (v.isArray()) {
      List<Object> items = new ArrayList<>();
      v.forEach(x -> items.add(generic(x)));
      return GoValue.slice(items);
    }
    if (v.isBoolean()) {
      return v.asBoolean();
    }
    if (v.isIntegralNumber() && v.canConvertToLong()) {
      return v.asLong();
    }
    if (v.isNumber()) {
      return v.asDouble();
    }
    return v.asText();
  }
}
