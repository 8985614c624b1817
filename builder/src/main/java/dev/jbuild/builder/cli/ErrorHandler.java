package dev.jbuild.builder.cli;

import dev.jbuild.builder.error.StepFailedException;
import java.io.PrintWriter;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine;

/**
 * Turns any exception from a command into one line on stderr ({@code error: ...}) and exit code 1;
 * the stack trace is printed only with {@code --debug}. Control characters in the message (which
 * may quote names from untrusted layers, contexts or registries) are escaped, never sent raw to
 * the terminal.
 */
final class ErrorHandler implements IExecutionExceptionHandler {
  private final Main main;

  ErrorHandler(Main main) {
    this.main = main;
  }

  @Override
  public int handleExecutionException(Exception e, CommandLine cli, ParseResult parsed) {
    if (Cancellation.inProgress()) {
      return Cancellation.EXIT_CODE; // the interrupt's own error; Cancellation says what happened
    }
    PrintWriter err = cli.getErr();
    if (e instanceof StepFailedException failed && !failed.outputTail().isEmpty()) {
      err.println("------");
      failed.outputTail().forEach(line -> err.println(" > " + line));
      err.println("------");
    }
    String message = e.getMessage();
    if (message == null || message.isBlank() || e instanceof RuntimeException
        && !(e instanceof IllegalArgumentException)) {
      message = e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }
    err.println("error: " + printable(message));
    if (main.debug) {
      e.printStackTrace(err);
    }
    err.flush();
    return 1;
  }

  /** Escapes C0/C1 controls and DEL but newline and tab as {@code \xNN}. */
  static String printable(String message) {
    StringBuilder out = new StringBuilder(message.length());
    for (int i = 0; i < message.length(); i++) {
      char c = message.charAt(i);
      boolean control = c < 0x20 && c != '\n' && c != '\t' || c >= 0x7f && c <= 0x9f;
      out.append(control ? String.format("\\x%02x", (int) c) : String.valueOf(c));
    }
    return out.toString();
  }
}
