package dev.jbuild.builder.template;

import dev.jbuild.builder.template.GoValue.Field;
import dev.jbuild.builder.template.GoValue.GoMap;
import dev.jbuild.builder.template.GoValue.Nil;
import dev.jbuild.builder.template.GoValue.Struct;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Go's ways of turning values into text, as templates use them: {@code fmt}'s {@code %v}
 * ({@code [a b]}, {@code map[k:v]}, {@code {f1 f2}}), {@code encoding/json} (struct field order,
 * {@code omitempty}, sorted map keys, no HTML escaping, as docker's {@code json} function), and
 * Go's notion of truth and emptiness.
 */
final class GoFormat {
  private GoFormat() {}

  /** {@code fmt.Sprint(v)}: the {@code %v} form. */
  static String value(Object v) {
    StringBuilder sb = new StringBuilder();
    value(sb, v, 0);
    return sb.toString();
  }

  private static void value(StringBuilder sb, Object v, int depth) {
    if (v == null) {
      sb.append("<nil>");
    } else if (v == GoValue.NO_VALUE) {
      sb.append(depth == 0 ? "<no value>" : "<nil>");
    } else if (v instanceof Double d) {
      sb.append(goFloat(d));
    } else if (v instanceof List<?> list) {
      sb.append('[');
      for (int k = 0; k < list.size(); k++) {
        sb.append(k == 0 ? "" : " ");
        value(sb, list.get(k), depth + 1);
      }
      sb.append(']');
    } else if (v instanceof GoMap m) {
      sb.append("map[");
      boolean first = true;
      for (Map.Entry<String, Object> e : m.entries().entrySet()) {
        sb.append(first ? "" : " ").append(e.getKey()).append(':');
        value(sb, e.getValue(), depth + 1);
        first = false;
      }
      sb.append(']');
    } else if (v instanceof Struct s) {
      sb.append("{");
      for (int k = 0; k < s.fields().size(); k++) {
        sb.append(k == 0 ? "" : " ");
        Object f = s.fields().get(k).value();
        value(sb, f == null ? new Nil(Nil.Kind.POINTER) : f, depth + 1);
      }
      sb.append('}');
    } else if (v instanceof Nil n) {
      sb.append(switch (n.kind()) {
        case SLICE -> "[]";
        case MAP -> "map[]";
        case POINTER -> "<nil>";
      });
    } else {
      sb.append(v);
    }
  }

  /** Go's shortest {@code %v} of a float64 (strconv's %g): exponent form from 1e6 and below 1e-4. */
  static String goFloat(double d) {
    if (Double.isNaN(d)) {
      return "NaN";
    }
    if (Double.isInfinite(d)) {
      return d > 0 ? "+Inf" : "-Inf";
    }
    if (d == 0) {
      return (1 / d < 0) ? "-0" : "0";
    }
    BigDecimal b = new BigDecimal(Double.toString(d)).stripTrailingZeros();
    int exp = b.precision() - b.scale() - 1;
    if (exp < -4 || exp >= 6) {
      String digits = b.unscaledValue().abs().toString();
      String mant = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
      return (d < 0 ? "-" : "") + mant + "e" + (exp < 0 ? "-" : "+")
          + (Math.abs(exp) < 10 ? "0" : "") + Math.abs(exp);
    }
    return b.toPlainString();
  }

  /** Go's truth: false, 0, "", nil and empty slices and maps are false; structs are true. */
  static boolean truth(Object v) {
    if (v == null || v == GoValue.NO_VALUE || v instanceof Nil) {
      return false;
    }
    if (v instanceof Boolean b) {
      return b;
    }
    if (v instanceof String s) {
      return !s.isEmpty();
    }
    if (v instanceof Long l) {
      return l != 0;
    }
    if (v instanceof Double d) {
      return d != 0;
    }
    if (v instanceof List<?> l) {
      return !l.isEmpty();
    }
    if (v instanceof GoMap m) {
      return !m.entries().isEmpty();
    }
    return true;
  }

  /** Go's type name of {@code v}, for error messages. */
  static String typeName(Object v) {
    if (v == null || v == GoValue.NO_VALUE) {
      return "interface {}";
    }
    if (v instanceof String) {
      return "string";
    }
    if (v instanceof Long) {
      return "int";
    }
    if (v instanceof Double) {
      return "float64";
    }
    if (v instanceof Boolean) {
      return "bool";
    }
    if (v instanceof List<?>) {
      return "[]interface {}";
    }
    if (v instanceof GoMap) {
      return "map[string]interface {}";
    }
    if (v instanceof Struct s) {
      return s.type();
    }
    return "<nil>";
  }

  /** {@code encoding/json} of {@code v}, without HTML escaping (docker's {@code json}). */
  static String json(Object v) {
    StringBuilder sb = new StringBuilder();
    json(sb, v);
    return sb.toString();
  }

  /** Set while a formatter context is marshalled (escaped once, at its end). */
  private static final ThreadLocal<Boolean> HTML = ThreadLocal.withInitial(() -> false);

  private static void json(StringBuilder sb, Object v) {
    if (v == null || v == GoValue.NO_VALUE || v instanceof Nil) {
      sb.append("null");
    } else if (v instanceof String s) {
      jsonString(sb, s);
    } else if (v instanceof Double d) {
      double a = Math.abs(d);
      sb.append(a != 0 && (a < 1e-6 || a >= 1e21) ? goFloat(d) : new BigDecimal(
          Double.toString(d)).stripTrailingZeros().toPlainString());
    } else if (v instanceof List<?> list) {
      sb.append('[');
      for (int k = 0; k < list.size(); k++) {
        sb.append(k == 0 ? "" : ",");
        json(sb, list.get(k));
      }
      sb.append(']');
    } else if (v instanceof GoMap m) {
      sb.append('{');
      boolean first = true;
      for (Map.Entry<String, Object> e : m.entries().entrySet()) {
        sb.append(first ? "" : ",");
        jsonString(sb, e.getKey());
        sb.append(':');
        json(sb, e.getValue());
        first = false;
      }
      sb.append('}');
    } else if (v instanceof Struct s && s.type().startsWith("*formatter.") && !HTML.get()) {
      // docker's formatter contexts (history, images rows) marshal themselves with
      // json.Marshal, which escapes <, > and & even under the json function's encoder.
      StringBuilder inner = new StringBuilder();
      HTML.set(true);
      try {
        json(inner, v);
      } finally {
        HTML.set(false);
      }
      sb.append(inner.toString().replace("<", "\\u003c").replace(">", "\\u003e")
          .replace("&", "\\u0026"));
    } else if (v instanceof Struct s) {
      sb.append('{');
      List<Field> fields = new ArrayList<>();
      flatten(s, fields);
      boolean first = true;
      for (Field f : fields) {
        if (f.omitEmpty() && empty(f.value())) {
          continue;
        }
        sb.append(first ? "" : ",");
        jsonString(sb, f.jsonName());
        sb.append(':');
        json(sb, f.value());
        first = false;
      }
      sb.append('}');
    } else {
      sb.append(v);
    }
  }

  private static void flatten(Struct s, List<Field> out) {
    for (Field f : s.fields()) {
      if (f.embedded() && f.value() instanceof Struct inner) {
        flatten(inner, out);
      } else {
        out.add(f);
      }
    }
  }

  /** {@code omitempty}'s notion of empty. */
  private static boolean empty(Object v) {
    return v instanceof Struct ? false : !truth(v);
  }

  private static void jsonString(StringBuilder sb, String s) {
    sb.append('"');
    for (int k = 0; k < s.length(); k++) {
      char c = s.charAt(k);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c < 0x20 || c == '\u2028' || c == '\u2029') {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    sb.append('"');
  }

  /** Go's {@code strconv.Quote}, close enough for template output. */
  static String quote(String s) {
    StringBuilder sb = new StringBuilder();
    jsonString(sb, s);
    return sb.toString();
  }
}
