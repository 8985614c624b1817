package dev.jbuild.parser.internal;

import dev.jbuild.parser.ast.Cmd;
import dev.jbuild.parser.ast.Entrypoint;
import dev.jbuild.parser.ast.Env;
import dev.jbuild.parser.ast.Expose;
import dev.jbuild.parser.ast.From;
import dev.jbuild.parser.ast.GoStrings;
import dev.jbuild.parser.ast.Instruction;
import dev.jbuild.parser.ast.Label;
import dev.jbuild.parser.ast.Maintainer;
import dev.jbuild.parser.ast.Warning;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Syntax-level build checks modelled on BuildKit's linter rules (frontend/dockerfile/linter): they
 * become {@link Warning}s, never errors, with the rule name as message prefix. Checks that need
 * expansion or image data (UndefinedVar, CopyIgnoredFile, ...) belong to the builder. Skipping by
 * {@code # check=} is applied by the caller.
 */
final class Lints {

  private Lints() {}

  static List<Warning> check(List<InstructionBuilder.Built> built) {
    List<Warning> warnings = new ArrayList<>();
    Set<String> stageNames = new HashSet<>();
    boolean lowerMajority = lowerCaseMajority(built);
    for (InstructionBuilder.Built b : built) {
      Instruction instruction = b.instruction();
      int line = instruction.range().startLine();
      casing(b, lowerMajority, warnings);
      if (instruction instanceof From) {
        from(b, stageNames, warnings);
      } else if (instruction instanceof Env && ((Env) instruction).legacyForm()
          || instruction instanceof Label && ((Label) instruction).legacyForm()) {
        String keyword = instruction.keyword();
        warnings.add(
            new Warning(
                line,
                "LegacyKeyValueFormat: \"" + keyword + " key=value\" should be used instead of"
                    + " legacy \"" + keyword + " key value\" format"));
      } else if (instruction instanceof Maintainer) {
        warnings.add(
            new Warning(
                line,
                "MaintainerDeprecated: Maintainer instruction is deprecated in favor of using"
                    + " label"));
      } else if (instruction instanceof Cmd && !((Cmd) instruction).command().isExecForm()
          || instruction instanceof Entrypoint
              && !((Entrypoint) instruction).command().isExecForm()) {
        warnings.add(
            new Warning(
                line,
                "JSONArgsRecommended: JSON arguments recommended for " + instruction.keyword()
                    + " to prevent unintended behavior related to OS signals"));
      } else if (instruction instanceof Expose) {
        expose((Expose) instruction, warnings);
      }
    }
    return warnings;
  }

  private static void from(
      InstructionBuilder.Built b, Set<String> stageNames, List<Warning> warnings) {
    From from = (From) b.instruction();
    int line = from.range().startLine();
    String name = from.stageName();
    if (name == null) {
      return;
    }
    List<String> args = b.node().args();
    String as = args.get(1);
    String keyword = b.rawKeyword();
    if (isUpper(keyword) && !isUpper(as) || isLower(keyword) && !isLower(as)) {
      warnings.add(
          new Warning(
              line,
              "FromAsCasing: '" + as + "' and '" + keyword + "' keywords' casing do not match"));
    }
    String rawName = args.get(2);
    if (!rawName.equals(rawName.toLowerCase(Locale.ROOT))) {
      warnings.add(
          new Warning(line, "StageNameCasing: Stage name '" + rawName + "' should be lowercase"));
    }
    if (!stageNames.add(name)) {
      warnings.add(
          new Warning(
              line,
              "DuplicateStageName: Duplicate stage name " + GoStrings.quote(name)
                  + ", stage names should be unique"));
    }
    if (name.equals("scratch") || name.equals("context")) {
      warnings.add(
          new Warning(
              line,
              "ReservedStageName: Stage name should not use the same name as reserved"
                  + " stage " + GoStrings.quote(name)));
    }
  }

  // Ports are checked as written; words with variables are left to the builder after expansion.
  private static void expose(Expose expose, List<Warning> warnings) {
    int line = expose.range().startLine();
    for (String port : expose.ports()) {
      if (port.contains("$")) {
        continue;
      }
      if (port.contains(":")) {
        warnings.add(
            new Warning(
                line,
                "ExposeInvalidFormat: EXPOSE instruction should not define an IP address or"
                    + " host-port mapping, found '" + port + "'"));
      }
      int slash = port.indexOf('/');
      if (slash >= 0) {
        String proto = port.substring(slash + 1);
        if (!proto.equals(proto.toLowerCase(Locale.ROOT))) {
          warnings.add(
              new Warning(
                  line,
                  "ExposeProtoCasing: Defined protocol '" + port
                      + "' in EXPOSE instruction should be lowercase"));
        }
      }
    }
  }

  /** BuildKit's ConsistentInstructionCasing: compares each keyword with the file's majority. */
  private static void casing(
      InstructionBuilder.Built b, boolean lowerMajority, List<Warning> warnings) {
    String keyword = b.rawKeyword();
    boolean ok = lowerMajority ? isLower(keyword) : isUpper(keyword);
    if (!ok) {
      warnings.add(
          new Warning(
              b.instruction().range().startLine(),
              "ConsistentInstructionCasing: Command '" + keyword
                  + "' should match the case of the command majority ("
                  + (lowerMajority ? "lowercase" : "uppercase") + ")"));
    }
  }

  private static boolean lowerCaseMajority(List<InstructionBuilder.Built> built) {
    int lower = 0;
    int upper = 0;
    for (InstructionBuilder.Built b : built) {
      if (isLower(b.rawKeyword())) {
        lower++;
      } else if (isUpper(b.rawKeyword())) {
        upper++;
      }
    }
    return lower > upper;
  }

  private static boolean isLower(String s) {
    return s.equals(s.toLowerCase(Locale.ROOT));
  }

  private static boolean isUpper(String s) {
    return s.equals(s.toUpperCase(Locale.ROOT));
  }
}
