package dev.jbuild.parser.ast;

import java.util.List;

/**
 * The exec form of a command: a JSON array of strings with JSON escapes decoded. {@code CMD []}
 * gives an empty list.
 *
 * @param args the decoded array elements
 */
public record ExecForm(List<String> args) implements CommandForm {

  /** Copies the arguments into an immutable list. */
  public ExecForm {
    args = List.copyOf(args);
  }

  @Override
  public boolean isExecForm() {
    return true;
  }
}
