package dev.jbuild.samples.buildkit;

import dev.jbuild.samples.buildkit.SuiteCase.Line;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** One kind of assertion line of the suite's {@code expect} files. */
@FunctionalInterface
interface LineCheck {
  /**
   * Checks one line.
   *
   * @return null when the line holds, else why not (without the line itself)
   */
  String check(Line line) throws IOException;

  /**
   * Checks each line, one failure each as {@code expect:N: keyword words: why}; an exception is
   * a failure of its line too, so one broken line never hides the others.
   */
  static List<String> all(List<Line> lines, LineCheck check) {
    List<String> failures = new ArrayList<>();
    for (Line line : lines) {
      try {
        String failure = check.check(line);
        if (failure != null) {
          failures.add("expect:" + line.number() + ": " + line.keyword() + " "
              + String.join(" ", line.words()) + ": " + failure);
        }
      } catch (IOException | RuntimeException e) {
        failures.add("expect:" + line.number() + ": " + line.keyword() + ": " + e);
      }
    }
    return failures;
  }
}
