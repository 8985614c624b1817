package dev.jbuild.builder.plan;

import java.util.Objects;

/**
 * A file written in the Dockerfile: a here-document source of COPY/ADD, or a RUN script.
 *
 * @param name the file name (the here-document's delimiter)
 * @param content the content, variables already expanded where the delimiter allowed it
 */
public record InlineFile(String name, String content) {
  /** Requires both. */
  public InlineFile {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(content, "content");
  }
}
