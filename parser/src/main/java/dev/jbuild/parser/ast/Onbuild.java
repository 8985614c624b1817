package dev.jbuild.parser.ast;

import java.util.List;
import java.util.Objects;

/**
 * {@code ONBUILD instruction}: a trigger stored in the image and run by builds that use it as a base.
 *
 * @param range source range of the instruction
 * @param flags builder flags
 * @param trigger the parsed trigger instruction (never ONBUILD, FROM or MAINTAINER)
 * @param triggerText the trigger as written after {@code ONBUILD}, continuation lines joined and heredoc bodies appended
 */
public record Onbuild(SourceRange range, List<Flag> flags, Instruction trigger, String triggerText) implements Instruction {

  /** Validates non-null components and copies lists. */
  public Onbuild {
    Objects.requireNonNull(range, "range");
    flags = List.copyOf(flags);
    Objects.requireNonNull(trigger, "trigger");
    Objects.requireNonNull(triggerText, "triggerText");
  }

  @Override
  public String keyword() {
    return "ONBUILD";
  }

  @Override
  public <R> R accept(InstructionVisitor<R> visitor) {
    return visitor.visitOnbuild(this);
  }
}
