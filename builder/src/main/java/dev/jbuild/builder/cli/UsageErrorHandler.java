package dev.jbuild.builder.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/** A bad flag or argument: one line, a hint to {@code --help}, exit code 2 (as docker does). */
final class UsageErrorHandler implements IParameterExceptionHandler {
  @Override
  public int handleParseException(ParameterException e, String[] args) {
    CommandLine cli = e.getCommandLine();
    PrintWriter err = cli.getErr();
    err.println("error: " + message(e));
    CommandLine.UnmatchedArgumentException.printSuggestions(e, err);
    err.println("See '" + cli.getCommandSpec().qualifiedName() + " --help'.");
    return 2;
  }

  /**
   * The error line. For an unknown option only the option-like words are named: picocli lists
   * every word left over after the mistake, so {@code --lable a=b .} (where {@code a=b} became
   * the context) would otherwise blame the context path {@code .} too.
   */
  static String message(ParameterException e) {
    if (e instanceof UnmatchedArgumentException u && u.isUnknownOption()) {
      List<String> options = u.getUnmatched().stream()
          .filter(a -> a.length() > 1 && a.startsWith("-"))
          .collect(Collectors.toList());
      if (!options.isEmpty()) {
        return (options.size() == 1 ? "Unknown option: " : "Unknown options: ")
            + options.stream().map(o -> "'" + o + "'").collect(Collectors.joining(", "));
      }
    }
    return e.getMessage();
  }
}
