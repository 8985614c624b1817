package dev.jbuild.builder.cli;

import dev.jbuild.builder.StepFailedException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * Turns any exception from a command into one line on stderr ({@code error: ...}) and exit code 1;
 * the stack trace is printed only with {@code --debug}.
 */
final class ErrorHandler implements IExecutionExceptionHandler {
  private final Main main;

  ErrorHandler(Main main) {
    this.main = main;
  }

  @Override
  public int handleExecutionException(Exception e, CommandLine cli, ParseResult parsed) {
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
    err.println("error: " + message);
    if (main.debug) {
      e.printStackTrace(err);
    }
    err.flush();
    return 1;
  }
}
