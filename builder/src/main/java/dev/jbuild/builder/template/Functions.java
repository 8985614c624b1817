package dev.jbuild.builder.template;

import dev.jbuild.builder.template.GoValue.GoMap;
import dev.jbuild.builder.template.GoValue.Nil;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The functions a template may call: Go's built-ins ({@code index}, {@code len}, {@code slice},
 * {@code print}, {@code printf}, {@code println}, {@code not}, {@code eq}, {@code ne}, {@code
 * lt}, {@code le}, {@code gt}, {@code ge}; {@code and} and {@code or} are evaluated lazily by the
 * executor) and docker's ({@code json}, {@code join}, {@code split}, {@code lower}, {@code upper},
 * {@code title}, {@code pad}, {@code truncate}), from docker/cli {@code templates/templates.go}.
 */
final class Functions {
  /** A function's failure; the executor adds "error calling NAME:" and the position. */
  static final class Failure extends Exception {
    private static final long serialVersionUID = 1L;
    final boolean arity;

    Failure(String message, boolean arity) {
      super(message, null, false, false);
      this.arity = arity;
    }
  }

  /** One function. */
  interface Fn {
    Object call(List<Object> args) throws Failure;
  }

  private static final Map<String, Fn> ALL = new TreeMap<>();

  static {
    ALL.put("index", Functions::index);
    ALL.put("len", a -> len(args(a, "len", 1).get(0)));
    ALL.put("slice", Functions::slice);
    ALL.put("print", Functions::print);
    ALL.put("println", a -> {
      List<String> parts = new ArrayList<>();
      a.forEach(v -> parts.add(GoFormat.value(v)));
      return String.join(" ", parts) + "\n";
    });
    ALL.put("printf", a -> {
      if (a.isEmpty() || !(a.get(0) instanceof String f)) {
        throw new Failure("printf needs a format string", false);
      }
      return Printf.format(f, a.subList(1, a.size()));
    });
    ALL.put("not", a -> !GoFormat.truth(args(a, "not", 1).get(0)));
    ALL.put("eq", a -> {
      if (a.size() < 2) {
        throw new Failure("missing argument for comparison", false);
      }
      for (Object other : a.subList(1, a.size())) {
        if (compare(a.get(0), other) == 0) {
          return true;
        }
      }
      return false;
    });
    ALL.put("ne", a -> compare(args(a, "ne", 2).get(0), a.get(1)) != 0);
    ALL.put("lt", a -> compare(args(a, "lt", 2).get(0), a.get(1)) < 0);
    ALL.put("le", a -> compare(args(a, "le", 2).get(0), a.get(1)) <= 0);
    ALL.put("gt", a -> compare(args(a, "gt", 2).get(0), a.get(1)) > 0);
    ALL.put("ge", a -> compare(args(a, "ge", 2).get(0), a.get(1)) >= 0);
    ALL.put("and", a -> null);
    ALL.put("or", a -> null);
    ALL.put("json", a -> GoFormat.json(args(a, "json", 1).get(0)));
    ALL.put("join", a -> {
      args(a, "join", 2);
      List<String> parts = new ArrayList<>();
      for (Object v : list(a.get(0), "join")) {
        parts.add(string(v, "join"));
      }
      return String.join(string(a.get(1), "join"), parts);
    });
    ALL.put("split", a -> {
      args(a, "split", 2);
      String s = string(a.get(0), "split");
      String sep = string(a.get(1), "split");
      List<Object> parts = new ArrayList<>();
      if (sep.isEmpty()) {
        s.codePoints().forEach(cp -> parts.add(new String(Character.toChars(cp))));
      } else {
        int from = 0;
        int at;
        while ((at = s.indexOf(sep, from)) >= 0) {
          parts.add(s.substring(from, at));
          from = at + sep.length();
        }
        parts.add(s.substring(from));
      }
      return GoValue.slice(parts);
    });
    ALL.put("lower", a -> string(args(a, "lower", 1).get(0), "lower").toLowerCase(Locale.ROOT));
    ALL.put("upper", a -> string(args(a, "upper", 1).get(0), "upper").toUpperCase(Locale.ROOT));
    ALL.put("title", a -> title(string(args(a, "title", 1).get(0), "title")));
    ALL.put("pad", a -> {
      args(a, "pad", 3);
      return " ".repeat((int) Math.max(0, integer(a.get(1))))
          + string(a.get(0), "pad") + " ".repeat((int) Math.max(0, integer(a.get(2))));
    });
    ALL.put("truncate", a -> {
      args(a, "truncate", 2);
      String s = string(a.get(0), "truncate");
      long n = integer(a.get(1));
      return s.length() <= n ? s : s.substring(0, (int) Math.max(0, n));
    });
  }

  private Functions() {}

  /** The names templates may call. */
  static Set<String> names() {
    return ALL.keySet();
  }

  static Fn get(String name) {
    return ALL.get(name);
  }

  private static List<Object> args(List<Object> a, String name, int want) throws Failure {
    if (a.size() != want) {
      throw new Failure("wrong number of args for " + name + ": want " + want + " got "
          + a.size(), true);
    }
    return a;
  }

  private static Object index(List<Object> a) throws Failure {
    if (a.isEmpty()) {
      throw new Failure("wrong number of args for index: want at least 1 got 0", true);
    }
    Object v = a.get(0);
    for (Object key : a.subList(1, a.size())) {
      if (v instanceof List<?> list) {
        long k = integer(key);
        if (k < 0 || k >= list.size()) {
          throw new Failure("index out of range: " + k, false);
        }
        v = list.get((int) k);
      } else if (v instanceof String s) {
        long k = integer(key);
        if (k < 0 || k >= s.length()) {
          throw new Failure("index out of range: " + k, false);
        }
        v = (long) s.charAt((int) k);
      } else if (v instanceof GoMap m) {
        Object got = m.entries().get(string(key, "index"));
        v = got != null || m.entries().containsKey(string(key, "index")) ? got : m.zero();
      } else if (v instanceof Nil n && n.kind() == Nil.Kind.MAP) {
        v = "";
      } else if (v instanceof Nil) {
        throw new Failure("index out of range: " + integer(key), false);
      } else {
        throw new Failure("can't index item of type " + GoFormat.typeName(v), false);
      }
    }
    return v;
  }

  private static Object slice(List<Object> a) throws Failure {
    if (a.isEmpty() || a.size() > 3) {
      throw new Failure("wrong number of args for slice: want 1 to 3 got " + a.size(), true);
    }
    Object v = a.get(0);
    int size = v instanceof String s ? s.length() : v instanceof List<?> l ? l.size() : -1;
    if (size < 0) {
      throw new Failure("can't slice item of type " + GoFormat.typeName(v), false);
    }
    int from = a.size() > 1 ? (int) integer(a.get(1)) : 0;
    int to = a.size() > 2 ? (int) integer(a.get(2)) : size;
    if (from < 0 || to > size || from > to) {
      throw new Failure("index out of range: " + from + ":" + to, false);
    }
    return v instanceof String s ? s.substring(from, to)
        : GoValue.slice(((List<?>) v).subList(from, to));
  }

  private static Object print(List<Object> a) {
    StringBuilder sb = new StringBuilder();
    for (int k = 0; k < a.size(); k++) {
      // fmt.Sprint adds a space between operands when neither is a string.
      if (k > 0 && !(a.get(k) instanceof String) && !(a.get(k - 1) instanceof String)) {
        sb.append(' ');
      }
      sb.append(GoFormat.value(a.get(k)));
    }
    return sb.toString();
  }

  private static Object len(Object v) throws Failure {
    if (v instanceof String s) {
      return (long) s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    }
    if (v instanceof List<?> l) {
      return (long) l.size();
    }
    if (v instanceof GoMap m) {
      return (long) m.entries().size();
    }
    if (v instanceof Nil n && n.kind() != Nil.Kind.POINTER) {
      return 0L;
    }
    throw new Failure("len of type " + GoFormat.typeName(v), false);
  }

  private static int compare(Object x, Object y) throws Failure {
    if (x instanceof Number a && y instanceof Number b) {
      return Double.compare(a.doubleValue(), b.doubleValue());
    }
    if (x instanceof String a && y instanceof String b) {
      return a.compareTo(b);
    }
    if (x instanceof Boolean a && y instanceof Boolean b) {
      return a.equals(b) ? 0 : 1;
    }
    if (x == null && y == null) {
      return 0;
    }
    throw new Failure("incompatible types for comparison", false);
  }

  private static List<?> list(Object v, String fn) throws Failure {
    if (v instanceof List<?> l) {
      return l;
    }
    if (v instanceof Nil n && n.kind() == Nil.Kind.SLICE) {
      return List.of();
    }
    throw new Failure("wrong type for value; expected []string; got " + GoFormat.typeName(v),
        false);
  }

  private static String string(Object v, String fn) throws Failure {
    if (v instanceof String s) {
      return s;
    }
    throw new Failure("wrong type for value; expected string; got " + GoFormat.typeName(v),
        false);
  }

  private static long integer(Object v) throws Failure {
    if (v instanceof Long l) {
      return l;
    }
    throw new Failure("cannot index slice/array with type " + GoFormat.typeName(v), false);
  }

  private static String title(String s) {
    StringBuilder sb = new StringBuilder();
    boolean start = true;
    for (char c : s.toCharArray()) {
      sb.append(start ? Character.toTitleCase(c) : c);
      start = !Character.isLetterOrDigit(c) && c != '_' && c != '\'';
    }
    return sb.toString();
  }
}
