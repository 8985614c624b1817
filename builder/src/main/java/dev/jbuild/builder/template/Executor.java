package dev.jbuild.builder.template;

import dev.jbuild.builder.template.GoValue.GoMap;
import dev.jbuild.builder.template.GoValue.Nil;
import dev.jbuild.builder.template.GoValue.Struct;
import dev.jbuild.builder.template.Node.Arg;
import dev.jbuild.builder.template.Node.Chain;
import dev.jbuild.builder.template.Node.Command;
import dev.jbuild.builder.template.Node.Control;
import dev.jbuild.builder.template.Node.Identifier;
import dev.jbuild.builder.template.Node.Literal;
import dev.jbuild.builder.template.Node.Pipeline;
import dev.jbuild.builder.template.Node.Variable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Runs a parsed template on one value, as Go's {@code text/template} executor does. */
final class Executor {
  /** Unwinds a {@code range} body for {@code {{break}}}/{@code {{continue}}}. */
  private static final class Jump extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final boolean isBreak;

    Jump(boolean isBreak) {
      super(null, null, false, false);
      this.isBreak = isBreak;
    }
  }

  private final String src;
  private final StringBuilder out = new StringBuilder();
  private final List<Map<String, Object>> scopes = new ArrayList<>();

  private Executor(String src, Object root) {
    this.src = src;
    Map<String, Object> top = new HashMap<>();
    top.put("$", root);
    scopes.add(top);
  }

  static String run(String src, List<Node> nodes, Object root) throws TemplateException {
    Executor e = new Executor(src, root);
    e.walk(root, nodes);
    return e.out.toString();
  }

  private void walk(Object dot, List<Node> nodes) throws TemplateException {
    for (Node n : nodes) {
      if (n instanceof Node.Text t) {
        out.append(t.text());
      } else if (n instanceof Node.Action a) {
        Object v = pipeline(dot, a.pipe());
        if (a.pipe().variables().isEmpty()) {
          out.append(GoFormat.value(v instanceof Nil nil && nil.kind() == Nil.Kind.POINTER
              ? null : v));
        }
      } else if (n instanceof Control c) {
        control(dot, c);
      } else if (n instanceof Node.LoopJump j) {
        throw new Jump(j.isBreak());
      }
    }
  }

  private void control(Object dot, Control c) throws TemplateException {
    scopes.add(new HashMap<>());
    try {
      switch (c.keyword()) {
        case IF -> {
          Object v = pipeline(dot, c.pipe());
          if (GoFormat.truth(v)) {
            walk(dot, c.body());
          } else if (c.otherwise() != null) {
            walk(dot, c.otherwise());
          }
        }
        case WITH -> {
          Object v = pipeline(dot, c.pipe());
          if (GoFormat.truth(v)) {
            walk(v, c.body());
          } else if (c.otherwise() != null) {
            walk(dot, c.otherwise());
          }
        }
        case RANGE -> range(dot, c);
      }
    } finally {
      scopes.remove(scopes.size() - 1);
    }
  }

  private void range(Object dot, Control c) throws TemplateException {
    Pipeline p = c.pipe();
    Object v = commands(dot, p);
    List<Object[]> items = new ArrayList<>();
    if (v instanceof List<?> list) {
      for (int k = 0; k < list.size(); k++) {
        items.add(new Object[] {(long) k, list.get(k)});
      }
    } else if (v instanceof GoMap m) {
      m.entries().forEach((key, value) -> items.add(new Object[] {key, value}));
    } else if (v instanceof Long n) {
      for (long k = 0; k < n; k++) {
        items.add(new Object[] {k, k});
      }
    } else if (!(v == null || v == GoValue.NO_VALUE || v instanceof Nil)) {
      throw exec(p.pos(), src.substring(p.pos()).split("}}", 2)[0].strip(),
          "range can't iterate over " + GoFormat.value(v));
    }
    if (items.isEmpty()) {
      if (c.otherwise() != null) {
        walk(dot, c.otherwise());
      }
      return;
    }
    Map<String, Object> scope = scopes.get(scopes.size() - 1);
    for (Object[] item : items) {
      if (p.variables().size() == 1) {
        scope.put(p.variables().get(0), item[1]);
      } else if (p.variables().size() == 2) {
        scope.put(p.variables().get(0), item[0]);
        scope.put(p.variables().get(1), item[1]);
      }
      try {
        walk(item[1], c.body());
      } catch (Jump j) {
        if (j.isBreak) {
          break;
        }
      }
    }
  }

  /** Evaluates a pipeline and binds its variables. */
  private Object pipeline(Object dot, Pipeline p) throws TemplateException {
    Object v = commands(dot, p);
    for (String name : p.variables()) {
      if (p.declare()) {
        scopes.get(scopes.size() - 1).put(name, v);
      } else {
        for (int k = scopes.size() - 1; k >= 0; k--) {
          if (scopes.get(k).containsKey(name)) {
            scopes.get(k).put(name, v);
            break;
          }
        }
      }
    }
    return v;
  }

  private Object commands(Object dot, Pipeline p) throws TemplateException {
    Object v = null;
    boolean piped = false;
    for (Command c : p.commands()) {
      v = command(dot, c, v, piped);
      piped = true;
    }
    return v;
  }

  private Object command(Object dot, Command c, Object fin, boolean piped)
      throws TemplateException {
    Arg first = c.args().get(0);
    String text = text(c);
    if (first instanceof Identifier id) {
      return call(dot, id.name(), c.args().subList(1, c.args().size()), fin, piped, c.pos(), text);
    }
    if (c.args().size() > 1 || piped) {
      String name = first instanceof Chain ch ? ch.text() : ((Literal) first).text();
      throw exec(first.pos(), text, "can't give argument to non-function " + name);
    }
    return arg(dot, first);
  }

  private Object call(Object dot, String name, List<Arg> argNodes, Object fin, boolean piped,
      int pos, String text) throws TemplateException {
    if (name.equals("and") || name.equals("or")) {
      // Go 1.18+: and/or stop at the first argument that decides the result.
      int n = argNodes.size() + (piped ? 1 : 0);
      if (n < 1) {
        throw exec(pos, text, "wrong number of args for " + name + ": want at least 1 got 0");
      }
      Object v = null;
      for (int k = 0; k < n; k++) {
        v = k < argNodes.size() ? arg(dot, argNodes.get(k)) : fin;
        if (GoFormat.truth(v) == name.equals("or")) {
          return v;
        }
      }
      return v;
    }
    List<Object> args = new ArrayList<>();
    for (Arg a : argNodes) {
      args.add(arg(dot, a));
    }
    if (piped) {
      args.add(fin);
    }
    try {
      return Functions.get(name).call(args);
    } catch (Functions.Failure f) {
      throw exec(pos, text, f.arity ? f.getMessage() : "error calling " + name + ": "
          + f.getMessage());
    }
  }

  private Object arg(Object dot, Arg a) throws TemplateException {
    if (a instanceof Literal l) {
      return l.value();
    }
    if (a instanceof Identifier id) {
      return call(dot, id.name(), List.of(), null, false, id.pos(), id.name());
    }
    Chain c = (Chain) a;
    Object v;
    if (c.receiver() == null) {
      v = dot;
    } else if (c.receiver() instanceof Variable var) {
      v = variable(var.name());
    } else {
      v = commands(dot, (Pipeline) c.receiver());
    }
    for (String field : c.fields()) {
      v = field(v, field, c);
    }
    return v;
  }

  private Object field(Object receiver, String name, Chain c) throws TemplateException {
    if (receiver instanceof Struct s) {
      return s.get(name).orElseThrow(() -> exec(c.pos(), c.text(),
          "can't evaluate field " + name + " in type " + s.type()));
    }
    if (receiver instanceof GoMap m) {
      Object v = m.entries().get(name);
      return v != null || m.entries().containsKey(name) ? v : GoValue.NO_VALUE;
    }
    if (receiver instanceof Nil n && n.kind() == Nil.Kind.MAP) {
      return GoValue.NO_VALUE;
    }
    if (receiver == null || receiver == GoValue.NO_VALUE || receiver instanceof Nil) {
      throw exec(c.pos(), c.text(), "nil pointer evaluating interface {}." + name);
    }
    throw exec(c.pos(), c.text(), "can't evaluate field " + name + " in type "
        + GoFormat.typeName(receiver));
  }

  private Object variable(String name) {
    for (int k = scopes.size() - 1; k >= 0; k--) {
      if (scopes.get(k).containsKey(name)) {
        return scopes.get(k).get(name);
      }
    }
    return null;
  }

  private String text(Command c) {
    int end = src.indexOf("}}", c.pos());
    int bar = src.indexOf('|', c.pos());
    int paren = src.indexOf(')', c.pos());
    for (int cut : new int[] {bar, paren}) {
      if (cut >= 0 && (end < 0 || cut < end)) {
        end = cut;
      }
    }
    return src.substring(c.pos(), end < 0 ? src.length() : end).strip();
  }

  private TemplateException exec(int pos, String text, String message) {
    return new TemplateException("template: :" + Parser.lineCol(src, pos) + ": executing \"\" at <"
        + text + ">: " + message, false);
  }
}
