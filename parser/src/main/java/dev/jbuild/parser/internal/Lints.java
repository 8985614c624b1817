package dev.jbuild.parser.internal;

import dev.jbuild.parser.Warning;
import dev.jbuild.parser.ast.Cmd;
import dev.jbuild.parser.ast.Entrypoint;
import dev.jbuild.parser.ast.Env;
import dev.jbuild.parser.ast.From;
import dev.jbuild.parser.ast.Instruction;
import dev.jbuild.parser.ast.Label;
import dev.jbuild.parser.ast.Maintainer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Syntax-level build checks modelled on BuildKit's linter rules (frontend/dockerfile/linter): they
 * become {@link Warning}s, never errors. Checks that need expansion or image data (UndefinedVar,
 * CopyIgnoredFile, ...) belong to the builder.
 */
final class Lints {

  private Lints() {}

  static List<Warning> check(List<Instruction> instructions) {
    List<Warning> warnings = new ArrayList<>();
    Set<String> stageNames = new HashSet<>();
    for (Instruction instruction : instructions) {
      int line = instruction.range().startLine();
      if (instruction instanceof From) {
        String name = ((From) instruction).stageName();
        if (name != null) {
          if (!stageNames.add(name)) {
            warnings.add(
                new Warning(
                    line,
                    "DuplicateStageName: Duplicate stage name " + Words.goQuote(name)
                        + ", stage names should be unique"));
          }
          if (name.equals("scratch") || name.equals("context")) {
            warnings.add(
                new Warning(
                    line,
                    "ReservedStageName: Stage name should not use the same name as reserved"
                        + " stage " + Words.goQuote(name)));
          }
        }
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
      }
    }
    return warnings;
  }
}
