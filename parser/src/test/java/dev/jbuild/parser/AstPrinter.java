package dev.jbuild.parser;

import dev.jbuild.parser.ast.Add;
import dev.jbuild.parser.ast.Arg;
import dev.jbuild.parser.ast.ArgDecl;
import dev.jbuild.parser.ast.Cmd;
import dev.jbuild.parser.ast.CommandForm;
import dev.jbuild.parser.ast.Copy;
import dev.jbuild.parser.ast.Dockerfile;
import dev.jbuild.parser.ast.Entrypoint;
import dev.jbuild.parser.ast.Env;
import dev.jbuild.parser.ast.ExecForm;
import dev.jbuild.parser.ast.Expose;
import dev.jbuild.parser.ast.From;
import dev.jbuild.parser.ast.Healthcheck;
import dev.jbuild.parser.ast.Heredoc;
import dev.jbuild.parser.ast.Instruction;
import dev.jbuild.parser.ast.InstructionVisitor;
import dev.jbuild.parser.ast.KeyValue;
import dev.jbuild.parser.ast.Label;
import dev.jbuild.parser.ast.Maintainer;
import dev.jbuild.parser.ast.Onbuild;
import dev.jbuild.parser.ast.Run;
import dev.jbuild.parser.ast.Shell;
import dev.jbuild.parser.ast.ShellForm;
import dev.jbuild.parser.ast.StopSignal;
import dev.jbuild.parser.ast.User;
import dev.jbuild.parser.ast.Volume;
import dev.jbuild.parser.ast.Warning;
import dev.jbuild.parser.ast.Workdir;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Renders a parsed Dockerfile as stable text for the golden tests: one line per directive,
 * instruction and warning; strings are quoted with Java-style escapes so blanks and quotes show.
 */
final class AstPrinter implements InstructionVisitor<String> {

  static String print(Dockerfile dockerfile) {
    StringBuilder out = new StringBuilder();
    for (Map.Entry<String, String> d : dockerfile.directives().entrySet()) {
      out.append("directive ").append(d.getKey()).append('=').append(q(d.getValue())).append('\n');
    }
    AstPrinter printer = new AstPrinter();
    for (Instruction instruction : dockerfile.instructions()) {
      out.append(instruction.range()).append(' ').append(printer.line(instruction)).append('\n');
    }
    for (Warning warning : dockerfile.warnings()) {
      out.append("warning ").append(warning.line()).append(": ").append(warning.message());
      out.append('\n');
    }
    return out.toString();
  }

  private String line(Instruction instruction) {
    String flags = instruction.flags().isEmpty() ? "" : " flags=" + instruction.flags();
    return instruction.keyword() + flags + instruction.accept(this);
  }

  static String q(String s) {
    if (s == null) {
      return "null";
    }
    return "\""
        + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n").replace("\t", "\\t")
        + "\"";
  }

  private static String list(List<String> values) {
    List<String> quoted = new ArrayList<>();
    for (String v : values) {
      quoted.add(q(v));
    }
    return "[" + String.join(", ", quoted) + "]";
  }

  private static String command(CommandForm form) {
    if (form instanceof ExecForm) {
      return " exec=" + list(((ExecForm) form).args());
    }
    return " shell=" + q(((ShellForm) form).command());
  }

  private static String heredocs(List<Heredoc> heredocs) {
    StringBuilder out = new StringBuilder();
    for (Heredoc h : heredocs) {
      out.append(" heredoc(name=").append(q(h.name())).append(" expand=").append(h.expand());
      out.append(" chomp=").append(h.chomp()).append(" fd=").append(h.fileDescriptor());
      out.append(" content=").append(q(h.content())).append(')');
    }
    return out.toString();
  }

  private static String pairs(List<KeyValue> pairs, boolean legacy) {
    StringBuilder out = new StringBuilder(legacy ? " legacy" : "");
    for (KeyValue kv : pairs) {
      out.append(' ').append(q(kv.key())).append('=').append(q(kv.value()));
    }
    return out.toString();
  }

  @Override
  public String visitFrom(From i) {
    return " image=" + q(i.image()) + (i.stageName() == null ? "" : " as=" + q(i.stageName()));
  }

  @Override
  public String visitRun(Run i) {
    return command(i.command()) + heredocs(i.heredocs());
  }

  @Override
  public String visitCmd(Cmd i) {
    return command(i.command());
  }

  @Override
  public String visitEntrypoint(Entrypoint i) {
    return command(i.command());
  }

  @Override
  public String visitShell(Shell i) {
    return " " + list(i.shell());
  }

  @Override
  public String visitCopy(Copy i) {
    return " sources=" + list(i.sources()) + " dest=" + q(i.destination()) + heredocs(i.heredocs());
  }

  @Override
  public String visitAdd(Add i) {
    return " sources=" + list(i.sources()) + " dest=" + q(i.destination()) + heredocs(i.heredocs());
  }

  @Override
  public String visitEnv(Env i) {
    return pairs(i.pairs(), i.legacyForm());
  }

  @Override
  public String visitLabel(Label i) {
    return pairs(i.pairs(), i.legacyForm());
  }

  @Override
  public String visitArg(Arg i) {
    StringBuilder out = new StringBuilder();
    for (ArgDecl a : i.args()) {
      out.append(' ').append(q(a.name()));
      if (a.hasDefault()) {
        out.append('=').append(q(a.defaultValue()));
      }
    }
    return out.toString();
  }

  @Override
  public String visitWorkdir(Workdir i) {
    return " " + q(i.path());
  }

  @Override
  public String visitUser(User i) {
    return " " + q(i.user());
  }

  @Override
  public String visitExpose(Expose i) {
    return " " + list(i.ports());
  }

  @Override
  public String visitVolume(Volume i) {
    return " " + list(i.paths());
  }

  @Override
  public String visitStopSignal(StopSignal i) {
    return " " + q(i.signal());
  }

  @Override
  public String visitHealthcheck(Healthcheck i) {
    return i.isNone() ? " NONE" : " CMD" + command(i.command());
  }

  @Override
  public String visitOnbuild(Onbuild i) {
    return " text=" + q(i.triggerText()) + " trigger={" + line(i.trigger()) + "}";
  }

  @Override
  public String visitMaintainer(Maintainer i) {
    return " " + q(i.name());
  }
}
