package dev.jbuild.builder.template;

import java.util.List;

/**
 * Go's {@code fmt.Sprintf} for the verbs templates use: {@code %v %s %d %q %x %X %t %f %g %e
 * %%}, with the {@code -}, {@code +}, {@code 0} and space flags, width and precision. A missing
 * argument prints as {@code %!v(MISSING)}, as Go does.
 */
final class Printf {
  private Printf() {}

  static String format(String format, List<Object> args) {
    StringBuilder out = new StringBuilder();
    int a = 0;
    int k = 0;
    while (k < format.length()) {
      char c = format.charAt(k++);
      if (c != '%') {
        out.append(c);
        continue;
      }
      boolean minus = false;
      boolean zero = false;
      boolean plus = false;
      boolean space = false;
      while (k < format.length() && "-0+ #".indexOf(format.charAt(k)) >= 0) {
        char f = format.charAt(k++);
        minus |= f == '-';
        zero |= f == '0';
        plus |= f == '+';
        space |= f == ' ';
      }
      int width = -1;
      while (k < format.length() && Character.isDigit(format.charAt(k))) {
        width = Math.max(width, 0) * 10 + format.charAt(k++) - '0';
      }
      int prec = -1;
      if (k < format.length() && format.charAt(k) == '.') {
        k++;
        prec = 0;
        while (k < format.length() && Character.isDigit(format.charAt(k))) {
          prec = prec * 10 + format.charAt(k++) - '0';
        }
      }
      if (k >= format.length()) {
        out.append("%!(NOVERB)");
        break;
      }
      char verb = format.charAt(k++);
      if (verb == '%') {
        out.append('%');
        continue;
      }
      if (a >= args.size()) {
        out.append("%!").append(verb).append("(MISSING)");
        continue;
      }
      String s = verb(verb, args.get(a++), prec, plus, space);
      if (width > s.length()) {
        String pad = (zero && !minus && verb != 's' && verb != 'v' && verb != 'q' ? "0" : " ")
            .repeat(width - s.length());
        if (minus) {
          s = s + pad;
        } else if (pad.startsWith("0") && (s.startsWith("-") || s.startsWith("+"))) {
          s = s.charAt(0) + pad + s.substring(1);
        } else {
          s = pad + s;
        }
      }
      out.append(s);
    }
    if (a < args.size()) {
      out.append("%!(EXTRA ");
      for (int e = a; e < args.size(); e++) {
        Object v = args.get(e);
        out.append(e == a ? "" : ", ").append(GoFormat.typeName(v)).append('=')
            .append(GoFormat.value(v));
      }
      out.append(')');
    }
    return out.toString();
  }

  private static String verb(char verb, Object v, int prec, boolean plus, boolean space) {
    switch (verb) {
      case 'v', 's' -> {
        String s = GoFormat.value(v);
        return prec >= 0 && s.length() > prec ? s.substring(0, prec) : s;
      }
      case 'q' -> {
        return v instanceof String s ? GoFormat.quote(s) : bad(verb, v);
      }
      case 'd' -> {
        if (v instanceof Long l) {
          return (plus && l >= 0 ? "+" : space && l >= 0 ? " " : "") + l;
        }
        return bad(verb, v);
      }
      case 'x', 'X' -> {
        String s;
        if (v instanceof Long l) {
          s = Long.toHexString(l);
        } else if (v instanceof String str) {
          StringBuilder sb = new StringBuilder();
          for (byte b : str.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            sb.append(String.format("%02x", b & 0xff));
          }
          s = sb.toString();
        } else {
          return bad(verb, v);
        }
        return verb == 'X' ? s.toUpperCase(java.util.Locale.ROOT) : s;
      }
      case 't' -> {
        return v instanceof Boolean b ? b.toString() : bad(verb, v);
      }
      case 'f', 'e', 'g' -> {
        double d;
        if (v instanceof Double x) {
          d = x;
        } else {
          return bad(verb, v);
        }
        if (verb == 'g' && prec < 0) {
          return GoFormat.goFloat(d);
        }
        String f = String.format(java.util.Locale.ROOT, "%" + (prec >= 0 ? "." + prec : "")
            + verb, d);
        return (plus && d >= 0 ? "+" : "") + f;
      }
      default -> {
        return bad(verb, v);
      }
    }
  }

  private static String bad(char verb, Object v) {
    return "%!" + verb + "(" + GoFormat.typeName(v) + "=" + GoFormat.value(v) + ")";
  }
}
