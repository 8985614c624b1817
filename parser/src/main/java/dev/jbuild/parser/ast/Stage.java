package dev.jbuild.parser.ast;

import java.util.List;
import java.util.Objects;

/**
 * A build stage: a FROM instruction and the instructions up to the next FROM.
 *
 * @param index the 0-based position of the stage in the Dockerfile ({@code COPY --from=0})
 * @param from the FROM instruction that starts the stage
 * @param instructions the following instructions, FROM excluded
 */
public record Stage(int index, From from, List<Instruction> instructions) {

  /** Validates and copies. */
  public Stage {
    if (index < 0) {
      throw new IllegalArgumentException("negative stage index " + index);
    }
    Objects.requireNonNull(from, "from");
    instructions = List.copyOf(instructions);
  }

  /**
   * Returns the ARG declarations of this stage in source order. BuildKit's scoping: each applies
   * from its line on; a declaration without a default takes the build-arg value, else the value of
   * a global ARG of the same name; with a default, the build-arg value wins over the default (the
   * default is expanded only when not overridden). Stage ARGs are inherited by stages that start
   * {@code FROM <this stage>}, not by sibling stages.
   */
  public List<ArgDecl> argDeclarations() {
    List<ArgDecl> decls = new java.util.ArrayList<>();
    for (Instruction instruction : instructions) {
      if (instruction instanceof Arg) {
        decls.addAll(((Arg) instruction).args());
      }
    }
    return List.copyOf(decls);
  }

  /** Returns the stage name from {@code AS name} (lower case), or {@code null}. */
  public String name() {
    return from.stageName();
  }
}
