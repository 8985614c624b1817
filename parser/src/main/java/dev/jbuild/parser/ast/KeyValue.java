package dev.jbuild.parser.ast;

import java.util.Objects;

/**
 * One {@code key=value} pair of ENV or LABEL. Both parts are raw source text: quotes and escapes are
 * kept ({@code k2="v 2"} has the value {@code "v 2"}) and removed later by {@link
 * dev.jbuild.parser.expand.VariableExpander}.
 *
 * @param key raw key
 * @param value raw value, possibly empty
 */
public record KeyValue(String key, String value) {

  /** Requires both parts to be non-null. */
  public KeyValue {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
  }
}
