package dev.jbuild.builder.exec;

import dev.jbuild.builder.event.BuildListener;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * Collects a RUN step's output: splits it into lines for the listener and keeps the last lines
 * for the error message when the step fails. Both stdout and stderr may write concurrently.
 */
final class StepOutput {
  private static final int TAIL = 10;

  private final BuildListener listener;
  private final String label;
  private final Deque<String> tail = new ArrayDeque<>();

  StepOutput(BuildListener listener, String label) {
    this.listener = listener;
    this.label = label;
  }

  /** A new stream for one of the step's file descriptors; close it to flush a partial line. */
  OutputStream stream() {
    return new OutputStream() {
      private final ByteArrayOutputStream line = new ByteArrayOutputStream();

      @Override
      public void write(int b) {
        if (b == '\n') {
          emit();
        } else if (line.size() < 64 * 1024) {
          line.write(b);
        }
      }

      @Override
      public void write(byte[] b, int off, int len) {
        for (int i = off; i < off + len; i++) {
          write(b[i]);
        }
      }

      @Override
      public void close() {
        if (line.size() > 0) {
          emit();
        }
      }

      private void emit() {
        String text = line.toString(StandardCharsets.UTF_8);
        line.reset();
        synchronized (tail) {
          if (tail.size() == TAIL) {
            tail.removeFirst();
          }
          tail.addLast(text);
        }
        listener.stepOutput(label, text);
      }
    };
  }

  /** The last lines written, oldest first. */
  List<String> tail() {
    synchronized (tail) {
      return List.copyOf(tail);
    }
  }
}
