package dev.jbuild.builder.template;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The values a template sees, shaped like the Go values docker's templates run on, so that they
 * print as Go prints them. Plain Java values stand for Go's basic types: {@link String}, {@link
 * Long} (integers), {@link Double}, {@link Boolean} and {@link List} (a slice); the records here
 * stand for the rest.
 */
public sealed interface GoValue {

  /** The value a missing map key gives ("{@code <no value>}" when printed). */
  GoValue NO_VALUE = new NoValue();

  /** A struct: named fields in declaration order. Unknown field names are errors. */
  record Struct(String type, List<Field> fields) implements GoValue {
    /** A struct of {@code fields}, in the order given. */
    public Struct {
      Objects.requireNonNull(type);
      fields = List.copyOf(fields);
    }

    /**
     * The field called {@code name}, searching embedded structs as Go's field promotion does.
     */
    public Optional<Object> get(String name) {
      for (Field f : fields) {
        if (!f.embedded() && f.name().equals(name)) {
          return Optional.ofNullable(f.value()).or(() -> Optional.of(new Nil(Nil.Kind.POINTER)));
        }
      }
      for (Field f : fields) {
        if (f.embedded() && f.value() instanceof Struct s) {
          Optional<Object> v = s.get(name);
          if (v.isPresent()) {
            return v;
          }
        }
      }
      return Optional.empty();
    }
  }

  /**
   * A struct field.
   *
   * @param name the Go field name templates use
   * @param jsonName the name {@code json} writes
   * @param omitEmpty whether {@code json} leaves the field out when it is empty
   * @param embedded whether the field is an embedded struct (printed nested, fields promoted)
   * @param value the value
   */
  record Field(String name, String jsonName, boolean omitEmpty, boolean embedded, Object value) {
    /** An ordinary field whose JSON name is its name. */
    public static Field of(String name, Object value, boolean omitEmpty) {
      return new Field(name, name, omitEmpty, false, value);
    }
  }

  /**
   * A map with string keys, kept sorted as Go prints them.
   *
   * @param entries the entries
   * @param zero what {@code index} gives for a missing key (the element type's zero value)
   */
  record GoMap(SortedMap<String, Object> entries, Object zero) implements GoValue {
    /** A map of {@code entries}; missing keys give {@code zero} through {@code index}. */
    public GoMap(Map<String, ?> entries, Object zero) {
      this(Collections.unmodifiableSortedMap(new TreeMap<>(entries)), zero);
    }

    /** A map whose values are strings. */
    public static GoMap ofStrings(Map<String, String> entries) {
      return new GoMap(entries, "");
    }
  }

  /** A nil slice, map or pointer: prints as {@code []}, {@code map[]} or {@code <nil>}. */
  record Nil(Kind kind) implements GoValue {
    /** What kind of nil. */
    public enum Kind { SLICE, MAP, POINTER }
  }

  /** The absence of a value. */
  final class NoValue implements GoValue {
    private NoValue() {}

    @Override
    public String toString() {
      return "<no value>";
    }
  }

  /** A list (slice) of {@code items}; null items stay as nil. */
  static List<Object> slice(List<?> items) {
    return Collections.unmodifiableList(new ArrayList<>(items));
  }
}
